"""`torchrun --nproc_per_node 2 -m tensorsight run SCRIPT` with gloo on CPU: every rank diagnoses,
rank 0 prints one report that says on which ranks each finding appeared."""
import json
import os
import socket
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TORCHRUN = os.path.join(os.path.dirname(sys.executable), "torchrun")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not os.path.exists(TORCHRUN), reason="torchrun is not installed next to python")
def test_torchrun_ddp_one_report_for_both_ranks(tmp_path):
    report = tmp_path / "job.json"
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"), OMP_NUM_THREADS="1")
    cmd = [TORCHRUN, "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", str(free_port()),
           "-m", "tensorsight", "run", "--json", str(report),
           os.path.join(ROOT, "tests", "distributed", "scripts", "ddp_regression.py")]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=240, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    job = json.loads(report.read_text())
    assert job["status"] == "completed" and set(job["ranks"]) == {"0", "1"}
    (loss,) = [f for f in job["findings"] if f["category"] == "loss_target_shape"]
    assert loss["ranks"] == [0, 1] and loss["line"] == 14
    assert all(any(f["category"] == "loss_target_shape" for f in r["findings"]) for r in job["ranks"].values())
    assert out.stderr.count("[loss_target_shape]") == 1 and "(on all ranks of 2)" in out.stderr
