"""One rank simulated on the fake backend: set up, recorded, torn down."""
import json
import os
import pytest
import torch

import tensorsight
from tensorsight.capture.distributed import simulated_world
from tensorsight.errors import TensorsightError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_world_sets_env_and_leaves_nothing_behind():
    import torch.distributed as dist
    from torch.distributed.device_mesh import DeviceMesh
    init = DeviceMesh.__init__
    with simulated_world(64, 5, fake_tensors=True) as world:
        assert (dist.get_rank(), dist.get_world_size()) == (5, 64)
        assert os.environ["RANK"] == "5" and os.environ["WORLD_SIZE"] == "64"
        assert os.environ["LOCAL_RANK"] == "5" and os.environ["MASTER_ADDR"] == "127.0.0.1"
        dist.init_process_group("nccl")  # the program's own call: a no-op on our fake group
        assert torch.empty(3, 4).__class__.__name__ == "FakeTensor"
        assert world.fake_mode is not None
    assert not dist.is_initialized()
    assert DeviceMesh.__init__ is init
    assert torch.empty(3, 4).__class__ is torch.Tensor


def test_bad_rank_is_one_sentence():
    with pytest.raises(TensorsightError, match="--rank must be in 0…3"):
        with simulated_world(4, 4):
            pass


def test_colwise_linear_global_and_local_shapes():
    """The issue's example: Linear 64→256 column-parallel on 4 ranks, rank 1."""
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module
    with simulated_world(4, 1, fake_tensors=True):
        mesh = init_device_mesh("cpu", (4,), mesh_dim_names=("tp",))
        model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 64))
        parallelize_module(model, mesh, {"0": ColwiseParallel(), "2": RowwiseParallel()})
        weight = model[0].weight
        tr = tensorsight.trace(model, "8x64")
        assert model[0].weight is weight  # the model is left as it was
    up, relu, down = tr.find("linear")[0], tr.find("relu")[0], tr.find("linear")[1]
    assert up.outputs[0].shape == (8, 256)
    out = up.dist.outputs[0]
    assert (out.global_shape, out.local_shape, out.placements) == ((8, 256), (8, 64), ("S(1)",))
    assert up.dist.inputs[1].local_shape == (64, 64) and up.dist.inputs[1].placements == ("S(0)",)
    assert relu.inputs[0].shape == (8, 64) and relu.producers == [up.index]  # history kept through to_local()
    assert down.dist.outputs[0].placements == ("P(sum)",)
    (ar,) = down.dist.collectives
    assert (ar.kind, ar.group_size, ar.mesh_dim, ar.bytes) == ("all_reduce", 4, "tp", 8 * 64 * 4)
    assert [e.name for e in tr] == ["linear", "relu", "linear"]  # DTensor's own views are not ops
    data = json.loads(tr.to_json())
    assert data["events"][0]["dist"]["outputs"][0]["local_shape"] == [8, 64]
    from tensorsight.render.html import to_html
    from tensorsight.render.text import to_text
    assert "out [8,256]→[8,64] S(1)" in to_html(tr)
    assert "w [256,64]→[64,64] S(0)" in to_text(tr.tree())


def test_cli_trace_build_world_size_rank(capsys):
    from tensorsight.cli import main
    cmd = ["trace", os.path.join(ROOT, "examples", "sharded_mlp.py") + ":build",
           "--input", "8x64", "--world-size", "4", "--rank", "1"]
    assert main(cmd + ["--format", "json"]) == 0
    up = json.loads(capsys.readouterr().out)["events"][0]
    assert up["outputs"][0]["shape"] == [8, 256]
    assert up["dist"]["outputs"][0]["local_shape"] == [8, 64] and up["dist"]["rank"] == 1
    assert main(cmd) == 0
    table = capsys.readouterr().out
    assert "[8,256]→[8,64] S(1)" in table and "all_reduce@tp×4 2.0 KiB" in table
    assert "rank 1 of 4" in table and "8,320 of 33,088 elements" in table
    assert main(cmd[:-1] + ["9"]) == 2
    err = capsys.readouterr().err
    assert "--rank must be in 0…3" in err and "Traceback" not in err


def test_cli_trace_explains_a_sharding_crash(capsys):
    from tensorsight.cli import main
    target = os.path.join(ROOT, "tests", "distributed", "scripts", "global_view_build.py") + ":build"
    assert main(["trace", target, "--input", "2x8:long", "--world-size", "2", "--rank", "0"]) == 1
    err = capsys.readouterr().err
    assert "[sharded_view_global_size]" in err and "global_view_build.py:11" in err
    assert "each rank holds 4/2 = 2" in err
    assert "+ q = self.wq(x).view(B, T, -1, self.head_dim)" in err
