"""``tensorsight summary`` on the command line: a few runs as a subprocess (as users run it),
the rest through ``tensorsight.cli.main`` in this process (the same parser and code, faster)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tensorsight.cli import main

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "tiny_models.py")


def cli(*args, timeout=180):
    env = dict(os.environ, OMP_NUM_THREADS="1", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "tensorsight", "summary", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def run(capsys, *args):
    code = main(["summary", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


# -- as a subprocess -----------------------------------------------------------------------------
def test_table_subprocess():
    r = cli(f"{MODELS}:SmallCNN", "--input", "2x3x16x16")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "SmallCNN(f32[2,3,16,16])" in out
    assert "├─ conv1: Conv2d" in out and "0-2: Sequential ×3" in out
    assert "2,082" in out and "Totals" in out and "exact" in out and "estimated" in out
    assert not r.stderr


def test_forward_error_exit_1_subprocess():
    r = cli(f"{MODELS}:Broken", "--input", "2x16")
    assert r.returncode == 1
    assert "fc2" in r.stderr and "F.linear" in r.stderr and "f32[2,32]" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_shape_exit_2_subprocess():
    r = cli(f"{MODELS}:SmallCNN", "--input", "2x3x16x16:notadtype")
    assert r.returncode == 2 and "tensorsight:" in r.stderr and "Traceback" not in r.stderr


def test_help_does_not_import_torch():
    code = ("import sys, argparse; from tensorsight.cli import summary as s; "
            "p = argparse.ArgumentParser(); s.register(p.add_subparsers()); "
            "print(sorted(m for m in ('torch', 'rich') if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"
    r = cli("--help")
    assert r.returncode == 0 and "--depth" in r.stdout and "--columns" in r.stdout


# -- in process ------------------------------------------------------------------------------------
def test_arg_depth_columns(capsys):
    code, out, err = run(capsys, f"{MODELS}:SmallCNN", "--input", "1x3x8x8", "--arg", "num_classes=5",
                         "--depth", "1", "--columns", "output,params,kernel")
    assert code == 0, err
    table = out.split("Totals")[0]
    assert "f32[1,5]" in table and "Kernel" in table and "3x3" in table
    assert "│ FLOPs" not in table and "FLOPs ┃" not in table
    assert "0-2: Sequential" not in table  # depth 1 hides it
    assert "deeper modules hidden" in out


def test_no_collapse_all_levels(capsys):
    code, out, err = run(capsys, f"{MODELS}:small_cnn", "--input", "1x3x8x8", "--depth", "all", "--no-collapse")
    assert code == 0, err
    assert "├─ 2: Sequential" in out or "└─ 2: Sequential" in out
    assert "×3" not in out and "f32[1,5]" in out


def test_json_and_kwargs(capsys):
    code, out, err = run(capsys, f"{MODELS}:TokenModel", "--input", "2x7:long", "--input", "mask=2x7",
                         "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert d["model"] == "TokenModel" and d["totals"]["params"]["value"] == 1600
    assert d["inputs"] == ["i64[2,7]", "f32[2,7]"]
    assert d["rows"][0]["outputs"] == ["f32[2,7,100]"]


def test_user_mistakes_exit_2(capsys):
    for args, words in [
        (("--input", "2x3x?x16"), "shape"),
        (("--input", "2x3x16x16", "--columns", "output,nope"), "unknown column"),
        (("--input", "2x3x16x16", "--depth", "deep"), "--depth"),
        (("--input", "2x3x16x16", "--optimizer", "nope"), "optimizer"),
    ]:
        code, out, err = run(capsys, f"{MODELS}:SmallCNN", *args)
        assert code == 2, (args, err)
        assert words in err and "Traceback" not in err
    code, out, err = run(capsys, f"{MODELS}:NoSuchModel", "--input", "2x3x16x16")
    assert code == 2 and "SmallCNN" in err  # says what the file does define


def test_no_input_gives_the_parameter_table(capsys):
    code, out, err = run(capsys, f"{MODELS}:SmallCNN")
    assert code == 0, err
    assert "conv1" in out and "Params" in out


def test_input_that_does_not_fit(capsys):
    code, out, err = run(capsys, f"{MODELS}:SmallCNN", "--input", "2x16x16")
    assert code in (1, 2) and "conv1" in err and "Traceback" not in err
