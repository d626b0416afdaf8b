import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def no_process_group_left():
    """Every test leaves torch.distributed as it found it: no process group, no env vars."""
    import torch.distributed as dist
    before = {k: os.environ.get(k) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    yield
    assert not dist.is_initialized()
    assert {k: os.environ.get(k) for k in before} == before
