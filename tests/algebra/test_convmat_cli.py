"""``tensorsight convmat``: output, saving, and exit code 2 for user mistakes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tensorsight.cli import main
from tensorsight.cli.convmat import parse_layer

SRC = str(Path(__file__).resolve().parents[2] / "src")


def convmat_subprocess(*args):
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "tensorsight", "convmat", *args],
                          capture_output=True, text=True, env=env, timeout=300)


class Result:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def convmat(capsys):
    """The command in-process (the subprocess tests below cover `python -m tensorsight`)."""
    def run(*args):
        code = main(["convmat", *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)
    return run


def test_subprocess_prints_the_matrix_and_exits_2_for_a_bad_layer():
    r = convmat_subprocess("Conv2d(1, 1, 2, bias=False)", "--input", "1x3x3")
    assert r.returncode == 0, r.stderr
    assert "matrix B: 4 x 9" in r.stdout and "nnz:      16" in r.stdout
    r = convmat_subprocess("__import__('os').system('true')", "--input", "3x8x8")
    assert r.returncode == 2
    assert "is not one of Conv1d" in r.stderr and "Traceback" not in r.stderr


def test_small_conv_prints_shape_nnz_density_and_exact_picture(convmat):
    r = convmat("Conv2d(1, 1, 2, bias=False)", "--input", "1x3x3")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "matrix B: 4 x 9" in out and "nnz:      16" in out and "density:  44.4444%" in out
    assert "bias:     none" in out and "built in:" in out
    picture = [line.strip() for line in out.splitlines() if set(line.strip()) <= set("█·") and line.strip()]
    assert picture == ["██·██····", "·██·██···", "···██·██·", "····██·██"]


def test_seed_circular_example_and_save_round_trip(convmat, tmp_path):
    path = tmp_path / "b.pt"
    r = convmat("nn.Conv2d(2, 3, 3, padding=1, padding_mode='circular')", "--input", "2x5x5",
                "--save", str(path))
    assert r.returncode == 0, r.stderr
    assert "matrix B: 75 x 50" in r.stdout and "nnz:      1,350" in r.stdout
    assert "each character = 2 x 1 block" in r.stdout
    saved = torch.load(path)
    assert saved["matrix"].shape == (75, 50) and saved["bias"].shape == (75,)
    assert saved["input_shape"] == (2, 5, 5) and saved["output_shape"] == (3, 5, 5)


def test_large_input_has_no_picture_and_npz_save(convmat, tmp_path):
    scipy_sparse = pytest.importorskip("scipy.sparse")
    path = tmp_path / "b.npz"
    r = convmat("Conv2d(3, 16, 3, padding=1)", "--input", "1x3x32x32", "--save", str(path))
    assert r.returncode == 0, r.stderr
    assert "matrix B: 16384 x 3072" in r.stdout and "no sparsity picture" in r.stdout
    m = scipy_sparse.load_npz(path)
    assert m.shape == (16384, 3072) and m.nnz == 16 * 3 * (3 * 32 - 2) ** 2


def test_dense_and_transposed(convmat):
    r = convmat("ConvTranspose1d(2, 2, 3, stride=2)", "--input", "2x4", "--dense")
    assert r.returncode == 0, r.stderr
    assert "matrix B: 18 x 8 (dense float32)" in r.stdout


@pytest.mark.parametrize("layer,input_,words", [
    ("__import__('os').system('true')", "3x8x8", "is not one of Conv1d"),
    ("Linear(3, 4)", "3x8x8", "is not one of Conv1d"),
    ("Conv2d(3, 16, 3", "3x8x8", "cannot read the layer"),
    ("Conv2d(3, 16, k)", "3x8x8", "non-literal argument 'k'"),
    ("Conv2d(3, 16, 3, foo=1)", "3x8x8", "cannot build"),
    ("Conv2d(3, 16, 3)", "4x8x8", "expects 3 input channels"),
    ("Conv2d(3, 16, 3)", "3x2x2", "too small"),
    ("Conv2d(3, 16, 3)", "Cx8x8", "symbolic"),
    ("Conv2d(64, 64, 3, padding=1)", "64x56x56 --dense", "drop --dense"),
])
def test_user_mistakes_exit_2_with_one_line(convmat, layer, input_, words):
    r = convmat(layer, "--input", *input_.split(" "))
    assert r.returncode == 2
    assert words in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0


def test_parse_layer_accepts_literals_only():
    assert parse_layer("torch.nn.Conv3d(1, 2, (1, 2, 3), padding='same')") == (
        "Conv3d", [1, 2, (1, 2, 3)], {"padding": "same"})


def test_cli_module_does_not_import_torch():
    code = "import sys, tensorsight.cli.convmat; print('torch' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": SRC})
    assert r.stdout.strip() == "False", r.stderr
