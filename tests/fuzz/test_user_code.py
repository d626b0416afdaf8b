"""What the user's own code raises is shown as theirs (their traceback, exit 1); a forward that
raises after an op is the model's error (exit 1 with the line), not "your input does not fit"."""
from __future__ import annotations

import pytest

from .helpers import OWN_FRAME, TARGETS, cli

IMPORT_ERRORS = {
    "raise_at_import.py": "raise RuntimeError('config missing')\n",
    "missing_dependency.py": "import not_installed_anywhere_xyz\n",
    "exits_at_import.py": "import sys\nsys.exit(3)\n",
    "bad_syntax_elsewhere.py": "exec(compile('1 +', 'generated.py', 'exec'))\n",
}


@pytest.mark.parametrize("name", sorted(IMPORT_ERRORS))
def test_import_time_exception_is_the_users(name, tmp_path, capsys):
    path = tmp_path / name
    path.write_text(IMPORT_ERRORS[name])
    rc, _, err = cli(["trace", f"{path}:Net", "--input", "1x4"], capsys)
    assert rc == 1, err
    assert "Traceback (most recent call last)" in err and name in err, err
    assert not OWN_FRAME.search(err), err
    assert err.strip().splitlines()[-1].startswith(f"tensorsight: importing {path} raised"), err


def test_syntax_error_in_target_is_one_sentence(tmp_path, capsys):
    path = tmp_path / "broken.py"
    path.write_text("def f(:\n")
    rc, _, err = cli(["trace", f"{path}:Net", "--input", "1x4"], capsys)
    assert rc == 2 and err.startswith("tensorsight:") and "line 1" in err and "Traceback" not in err


def test_constructor_that_raises_shows_its_traceback(capsys):
    rc, _, err = cli(["trace", f"{TARGETS}:BadConstructor", "--input", "1x4"], capsys)
    assert rc == 1 and "the constructor refuses" in err and "targets.py" in err, err
    assert not OWN_FRAME.search(err), err


def test_raise_after_an_op_is_a_forward_error_with_its_line(capsys):
    rc, _, err = cli(["trace", f"{TARGETS}:RaisesAfterOp", "--input", "1x4"], capsys)
    assert rc == 1, err
    assert "does not fit" not in err and "try --input" not in err, err
    assert "targets.py:31" in err and "rejected output (1, 2)" in err and "F.linear" in err, err


def test_input_that_does_not_fit_suggests_another(capsys):
    rc, _, err = cli(["trace", f"{TARGETS}:Net", "--input", "1x5"], capsys)
    assert rc == 2 and "try --input 1x4" in err, err


def test_torch_compiled_module_is_traced_through(capsys):
    rc, out, err = cli(["trace", f"{TARGETS}:compiled", "--input", "1x4", "--format", "json"], capsys)
    assert rc == 0, err
    assert "torch.compile" in err and '"F.linear"' in out


def test_torchscript_module_is_one_sentence(capsys):
    rc, _, err = cli(["trace", f"{TARGETS}:scripted", "--input", "1x4"], capsys)
    assert rc == 2 and "TorchScript" in err and "Traceback" not in err, err
