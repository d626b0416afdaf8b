"""``tensorsight trace`` as users run it: a subprocess, its exit code, stdout and stderr.

Each subprocess imports torch (seconds on a busy machine), so the commands that need a real
process (output formats, the exit codes of the two kinds of failure, --help) run as subprocesses,
two at a time, started right after collection (see conftest.py) while the other tests run; the
other usage errors call ``tensorsight.cli.main`` in-process, which runs the same code and would
raise where a subprocess would print a traceback.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tensorsight.cli import main

from .test_models import ROOT

HERE = os.path.relpath(os.path.dirname(os.path.abspath(__file__)), ROOT)
LENET = "examples/lenet.py:Net"

SUBPROCESS = {
    "table": ["trace", LENET, "--input", "1x1x32x32"],
    "json": ["trace", LENET, "--input", "1x1x32x32", "--format", "json"],
    "tree": ["trace", LENET, "--input", "1x1x32x32", "--format", "tree"],
    "bad_dtype": ["trace", LENET, "--input", "3x3:foo"],
    "wrong_rank": ["trace", LENET, "--input", "32x32"],
    "forward_bug": ["trace", f"{HERE}/buggy_net.py:Buggy", "--input", "2x8"],
    "help": ["--help"],
}
IN_PROCESS = {
    "bad_size": ["trace", LENET, "--input", "1xfoo"],
    "cats_dogs": ["trace", "examples/cats_dogs.py:Net", "--arg", "num_channels=32", "--input", "16x1x50x50"],
    "kwargs_input": ["trace", f"{HERE}/models.py:KwargsForward", "--input", "2x4x8", "--input", "mask=2x4x4"],
    "token_ids": ["trace", f"{HERE}/models.py:BagOfEmbeddings", "--input", "2x16:long", "--format", "json"],
    "missing_file": ["trace", "examples/no_such_file.py:Net", "--input", "1x1x32x32"],
    "missing_name": ["trace", "examples/lenet.py:LeNet5", "--input", "1x1x32x32"],
    "no_name": ["trace", "examples/lenet.py", "--input", "1x1x32x32"],
    "needs_ctor_args": ["trace", "examples/cats_dogs.py:Net", "--input", "1x1x50x50"],
    "bad_arg": ["trace", "examples/cats_dogs.py:Net", "--arg", "32", "--input", "1x1x50x50"],
    "wrong_channels": ["trace", LENET, "--input", "1x3x32x32"],
    "no_input": ["trace", LENET],
    "forward_bug_json": ["trace", f"{HERE}/buggy_net.py:Buggy", "--input", "2x8", "--format", "json"],
}


_pool: ThreadPoolExecutor | None = None
_futures: dict = {}


def _run(argv):
    env = dict(os.environ, COLUMNS="140", PYTHONIOENCODING="utf-8", HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "tensorsight", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def start_subprocesses() -> None:
    """Start the commands, two at a time, in the background (conftest calls this after collection)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2)
        _futures.update({name: _pool.submit(_run, argv) for name, argv in SUBPROCESS.items()})


@pytest.fixture(scope="module")
def runs():
    start_subprocesses()
    out = {name: f.result() for name, f in _futures.items()}
    _pool.shutdown()
    return out


@pytest.fixture(scope="module")
def inproc():
    """The same CLI in this process: (exit code, stdout, stderr) per command."""
    import contextlib
    import io
    saved_path, saved_modules, cwd = list(sys.path), set(sys.modules), os.getcwd()
    os.chdir(ROOT)
    out = {}
    try:
        for name, argv in IN_PROCESS.items():
            stdout, stderr = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                try:
                    code = main(argv)
                except SystemExit as exc:  # argparse
                    code = exc.code
            out[name] = subprocess.CompletedProcess(argv, code, stdout.getvalue(), stderr.getvalue())
    finally:
        os.chdir(cwd)
        sys.path[:] = saved_path
        for m in set(sys.modules) - saved_modules:
            if m.startswith("_tensorsight_target_"):
                del sys.modules[m]
    return out


def usage_error(run, *words) -> str:
    """Exit 2, one line on stderr naming ``words``, no traceback."""
    assert run.returncode == 2, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("tensorsight: ")
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def test_table_prints_576_and_the_formulas(runs):
    r = runs["table"]
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "f32[1,16,6,6] → f32[1,576]" in r.stdout
    assert "576" in r.stdout
    assert "⌊(13 − 2)/2⌋ + 1 = 6" in r.stdout
    assert "⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30" in r.stdout
    assert "lenet.py:27" in r.stdout
    assert "/work/" not in r.stdout and ROOT not in r.stdout  # file names, not absolute paths


def test_json_parses_and_has_events(runs):
    r = runs["json"]
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["model"] == "Net" and len(data["events"]) == 12
    view = data["events"][6]
    assert view["op"] == "Tensor.view" and view["outputs"][0]["shape"] == [1, 576]
    assert view["where"]["code"] == "x = x.view(-1, self.num_flat_features(x))"
    assert view["where"]["file"].endswith("lenet.py")
    assert data["inputs"][0]["shape"] == [1, 1, 32, 32] and data["outputs"][0]["shape"] == [1, 10]
    assert [m["path"] for m in data["modules"]] == ["", "conv1", "conv2", "fc1", "fc2", "fc3"]
    assert data["error"] == ""


def test_tree(runs):
    r = runs["tree"]
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("Net f32[1,1,32,32] → f32[1,10]")
    for line in ("conv1 (Conv2d) f32[1,1,32,32] → f32[1,6,30,30] 1 ops",
                 "conv2 (Conv2d) f32[1,6,15,15] → f32[1,16,13,13] 1 ops",
                 "fc1 (Linear) f32[1,576] → f32[1,120] 1 ops"):
        assert line in r.stdout


def test_constructor_args_and_keyword_inputs(inproc):
    r = inproc["cats_dogs"]
    assert r.returncode == 0, r.stderr
    assert "f32[16,128,6,6] → f32[9,8192]" in r.stdout  # the seed bug: view(-1, 128*8*8) on 6x6 maps
    r = inproc["kwargs_input"]
    assert r.returncode == 0, r.stderr
    assert "input f32[2,4,8] f32[2,4,4]" in r.stdout and ".masked_fill" in r.stdout
    r = inproc["token_ids"]
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["inputs"][0] == {"shape": [2, 16], "dtype": "int64", "device": "cpu", "producer": None,
                                 "role": "input"}
    assert data["outputs"][0]["shape"] == [2, 4]


def test_shape_that_does_not_parse(runs, inproc):
    usage_error(inproc["bad_size"], "1xfoo")
    usage_error(runs["bad_dtype"], "'foo'", "2x128:long")


def test_missing_file_and_name(inproc):
    usage_error(inproc["missing_file"], "no_such_file.py")
    usage_error(inproc["missing_name"], "LeNet5", "it defines Net")
    usage_error(inproc["no_name"], "path/to/file.py:Name")


def test_class_needing_constructor_args(inproc):
    usage_error(inproc["needs_ctor_args"], "num_channels", "--arg")
    usage_error(inproc["bad_arg"], "key=value")


def test_wrong_rank_input_gets_a_hint(runs, inproc):
    line = usage_error(runs["wrong_rank"], "32x32", "--input 1x1x32x32")
    assert "conv1" in line and "lenet.py:24" in line
    usage_error(inproc["wrong_channels"], "1x3x32x32", "--input 1x1x32x32")
    usage_error(inproc["no_input"], "--input")


def test_forward_bug_names_the_op_and_line(runs):
    r = runs["forward_bug"]
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    assert "op #2 F.linear in fc2" in r.stderr
    assert "buggy_net.py:18" in r.stderr and "x = self.fc2(x)" in r.stderr
    assert "f32[2,16]" in r.stderr and "12x4" in r.stderr  # eager torch's words: the real run raised
    assert "fc1" in r.stdout and "✗" in r.stdout  # the partial trace is printed


def test_forward_bug_json_carries_the_partial_trace(inproc):
    r = inproc["forward_bug_json"]
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert [e["op"] for e in data["events"]] == ["F.linear", "torch.relu", "F.linear"]
    assert data["events"][2]["error"].startswith("RuntimeError:") and data["error_type"] == "RuntimeError"
    assert "op #2 F.linear in fc2" in r.stderr


def test_help(runs, capsys):
    assert runs["help"].returncode == 0 and "trace" in runs["help"].stdout and not runs["help"].stderr
    with pytest.raises(SystemExit) as info:
        main(["trace", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    assert "--input" in text and "--format" in text and "--arg" in text
