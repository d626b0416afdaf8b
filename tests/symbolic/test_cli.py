"""tensorsight solve on the command line."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tensorsight.cli import main

NETS = os.path.join(os.path.dirname(__file__), "symnets.py")


def test_solve_text(capsys):
    rc = main(["solve", f"{NETS}:LeNet", "--input", "1x1xHxW"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "LeNet accepts 1x1xHxW for" in out
    assert "square (H = W): 30 ≤ H ≤ 33" in out
    assert "fc1 (F.linear, " in out and "needs 16·⌊(⌊(H − 2)/2⌋ − 2)/2⌋·⌊(⌊(W − 2)/2⌋ − 2)/2⌋ = 576" in out
    assert "smallest: 1x1x30x30" in out


def test_solve_check_failing_size_exits_1(capsys):
    rc = main(["solve", f"{NETS}:UNet", "--input", "1x1xHxW", "--check", "1x1x100x100"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "H, W divisible by 16" in out
    assert "1x1x100x100 fails first at torch.cat" in out
    assert "nearest sizes that work: 1x1x96x96" in out


def test_solve_json(capsys):
    rc = main(["solve", f"{NETS}:SeqConvNet", "--input", "N x 4 x L", "--check", "L=100,N=2", "-f", "json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert data["solution"]["sets"]["L"]["values"] == [99, 100, 101, 102]
    assert data["check"]["ok"] is True and data["check"]["shape"] == "2x4x100"


def test_solve_with_constructor_args_and_range(capsys):
    rc = main(["solve", f"{NETS}:UNet", "--arg", "w=2", "--input", "1x1xHxW", "--range", "1..64"])
    out = capsys.readouterr().out
    assert rc == 0 and "H, W divisible by 16" in out and "1..64" in out


def test_user_mistakes_exit_2(capsys):
    assert main(["solve", f"{NETS}:LeNet", "--input", "1x1x32x32"]) == 2
    assert "no named sizes" in capsys.readouterr().err
    assert main(["solve", f"{NETS}:LeNet", "--input", "1x1xHxW", "--range", "ten"]) == 2
    assert "--range" in capsys.readouterr().err
    assert main(["solve", f"{NETS}:DataDependent", "--input", "N x 4"]) == 2
    err = capsys.readouterr().err
    assert "depend on tensor values" in err and "Tensor.__getitem__" in err
    assert main(["solve", f"{NETS}:LeNet", "--input", "1x1xHxW", "--check", "1x1x28"]) == 2
    assert "has 3 sizes" in capsys.readouterr().err


def test_help_does_not_import_torch():
    code = ("import sys; from tensorsight.cli import build_parser; build_parser(); "
            "import tensorsight.cli.solve; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
