"""Each kind of sharding bug, diagnosed on one simulated rank with the line, the arithmetic per
rank and a fix; the code fixes make the script run."""
import os
import shutil

import pytest

from tensorsight.capture.distributed import simulated_world
from tensorsight.diagnose.run.runner import run_script

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")


def run(script, world, rank, *argv, tmp_path=None):
    path = os.path.join(HERE, script)
    if tmp_path is not None:  # a private copy the test may fix
        path = str(tmp_path / script)
        shutil.copy(os.path.join(HERE, script), path)
    with simulated_world(world, rank, init=False):
        return run_script(path, list(argv)), path


def apply(fixes):
    for fx in fixes:
        with open(fx.file) as f:
            lines = f.read().split("\n")
        assert lines[fx.line - 1] == fx.old
        lines[fx.line - 1] = fx.new
        with open(fx.file, "w") as f:
            f.write("\n".join(lines))


def only(report, category):
    found = [f for f in report.findings if f.category == category]
    assert found, [(f.category, f.message) for f in report.findings]
    return found[0]


def test_view_with_the_global_head_count(tmp_path):
    report, path = run("tp_attention.py", 2, 1, "--bug", "global_view", tmp_path=tmp_path)
    assert report.status == "crashed"
    f = only(report, "sharded_view_global_size")
    assert f.line == 30 and f.severity == "error"
    assert "asks for 512 values, the global size" in f.message
    assert "rank 1 it is the local shard [2,8,16] = 256 values" in f.message and "32/2 = 16 per rank" in f.message
    assert "each rank holds 4/2 = 2" in f.message and "→ [2,8,2,8]" in f.message
    assert [x.new.strip() for x in f.fixes] == ["q = self.wq(x).view(B, T, -1, self.head_dim).transpose(1, 2)"]
    apply(f.fixes)
    fixed, _ = _run_path(path, 2, 1, "--bug", "global_view")
    assert fixed.status == "completed", [x.message for x in fixed.findings]


def test_heads_not_divisible_by_the_tp_degree():
    report, _ = run("tp_attention.py", 4, 3, "--heads", "6", "--dim", "48")
    f = only(report, "shard_not_divisible")
    assert f.line == 32
    assert "[2,8,12] = 192 values of" in f.message and "48/4 = 12 per rank" in f.message
    assert "12/8 = 1.5 groups of 8" in f.message and "6 groups (48/8) do not divide over 4 ranks" in f.message
    assert "tp size that divides 6 (1, 2, 3, 6)" in f.message
    ok, _ = run("tp_attention.py", 3, 2, "--heads", "6", "--dim", "48")  # the suggested degree runs
    assert ok.status == "completed"


def test_two_column_parallel_layers_in_a_row(tmp_path):
    report, path = run("tp_mlp.py", 2, 1, "--plan", "colwise_twice", tmp_path=tmp_path)
    f = only(report, "placement_mismatch")
    assert "gets the local shard of MLP.up's output" in f.message
    assert "[4,32] on rank 1 of the global [4,64]" in f.message and "64/2 = 32 per rank" in f.message
    assert f.line == 38 and [x.new.strip() for x in f.fixes] == ['"mid": RowwiseParallel(),']
    apply(f.fixes)
    fixed, _ = _run_path(path, 2, 1, "--plan", "colwise_twice")
    assert fixed.status == "completed"


def test_uneven_last_shard():
    report, _ = run("tp_mlp.py", 8, 7, "--hidden", "100")
    f = only(report, "uneven_shard")
    assert f.severity == "error" and f.line == 24
    assert "sees a global size of 72 where MLP.up" in f.message and "made 100" in f.message
    assert "13, 13, 13, 13, 13, 13, 13, 9" in f.message and "9·8 = 72 ≠ 100" in f.message
    assert "divisible by 8 (96 or 104)" in f.message
    ok, _ = run("tp_mlp.py", 8, 7, "--hidden", "104")
    assert ok.status == "completed" and not [x for x in ok.findings if x.category == "uneven_shard"]


def test_uneven_shard_warning_with_a_literal_fix(tmp_path):
    report, path = run("uneven_embed.py", 4, 3, tmp_path=tmp_path)
    assert report.status == "completed"
    f = only(report, "uneven_shard")
    assert f.severity == "warning"
    assert "sharded on dim 0 over tp=4, but 50 = 4·12 + 2" in f.message
    assert "⌈50/4⌉ = 13 per rank, so ranks 0–2 hold 13 and rank 3 holds 11" in f.message
    assert [x.new.strip() for x in f.fixes] == ["self.embed = nn.Embedding(52, 16)"]


def test_correct_sharding_stays_quiet():
    report, _ = run("tp_attention.py", 2, 0)
    assert report.status == "completed" and report.findings == []


def _run_path(path, world, rank, *argv):
    with simulated_world(world, rank, init=False):
        return run_script(path, list(argv)), path


def test_run_records_each_line_once_with_shapes():
    """Under `run` the trace keeps ops of different lines apart (q, k and v views) and carries
    the sharding of each op."""
    report, _ = run("tp_attention.py", 2, 1)
    views = [e for e in report.trace.events if e.name == "view"]
    assert [e.where.line for e in views] == [32, 33, 34]
    assert all(e.inputs[0].shape == (2, 8, 16) and e.outputs[0].shape == (2, 8, 2, 8) for e in views)
    wo = next(e for e in report.trace.events if e.module.endswith("wo"))
    assert wo.dist.rank == 1 and [c.kind for c in wo.dist.collectives] == ["all_reduce"]
