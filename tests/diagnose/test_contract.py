"""The run contract, in-process: status, exception, exit codes, argv, the JSON shape, and the
``tensorsight run`` command line called through ``tensorsight.cli.main`` (no subprocess)."""
from __future__ import annotations

import json
import os
import sys

import pytest

from tensorsight.cli import main

from .helpers import SCRIPTS, copy_script, describe, diagnose, run_path

FINDING_KEYS = {"severity", "category", "file", "line", "message", "fixes"}
FIX_KEYS = {"file", "line", "old", "new"}


def check_contract(data: dict) -> None:
    assert set(data) == {"status", "exception", "findings"}
    assert data["status"] in ("crashed", "completed", "stopped")
    assert data["exception"] is None or set(data["exception"]) == {"type", "message"}
    for f in data["findings"]:
        assert set(f) == FINDING_KEYS, f
        assert f["severity"] in ("error", "warning", "info")
        assert isinstance(f["line"], int) and f["line"] >= 1 and os.path.isabs(f["file"])
        for fx in f["fixes"]:
            assert set(fx) == FIX_KEYS, fx
            assert isinstance(fx["line"], int)
    json.dumps(data)


# -- status ------------------------------------------------------------------------------------
def test_clean_script_completes(tmp_path):
    run = diagnose("clean_tiny.py", tmp_path)
    data = run.report.to_dict()
    check_contract(data)
    assert data == {"status": "completed", "exception": None, "findings": []}
    assert run.report.exit_code == 0
    assert "STEPS_DONE 2" in run.stdout


def test_crash_reports_type_and_message_and_the_user_traceback(tmp_path):
    run = diagnose("crash_linear_after_convs.py", tmp_path)
    data = run.report.to_dict()
    check_contract(data)
    assert data["status"] == "crashed" and run.report.exit_code == 1
    assert data["exception"] == {"type": "RuntimeError",
                                 "message": "mat1 and mat2 shapes cannot be multiplied (8x1600 and 1024x128)"}
    assert "Traceback (most recent call last)" in run.stderr
    assert f'File "{run.path}", line {run.line("x = F.relu(self.head(x))")}, in forward' in run.stderr
    assert "tensorsight" + os.sep + "diagnose" not in run.stderr, "tensorsight's own frames are hidden"


def test_max_steps_stops_a_long_loop(tmp_path):
    run = diagnose("long_loop.py", tmp_path, max_steps=2)
    check_contract(run.report.to_dict())
    assert run.report.status == "stopped" and run.report.exit_code == 0
    assert run.report.exception is None and not run.problems, describe(run.findings)
    assert "never printed" not in run.stdout


def test_non_shape_exception_passes_through_unchanged(tmp_path):
    run = diagnose("key_error.py", tmp_path)
    check_contract(run.report.to_dict())
    assert run.report.status == "crashed" and run.report.exit_code == 1
    assert run.report.exception == {"type": "KeyError", "message": "'learning_rate'"}
    assert run.findings == [], describe(run.findings)
    assert "Traceback (most recent call last)" in run.stderr
    assert 'config["learning_rate"]' in run.stderr and "KeyError: 'learning_rate'" in run.stderr


def test_key_error_on_a_size_named_key_is_not_a_shape_finding(tmp_path):
    run = diagnose("key_error_size.py", tmp_path)
    assert run.report.exception == {"type": "KeyError", "message": "'hidden_size'"}
    assert run.findings == [], describe(run.findings)


def test_sys_exit_code_is_kept(tmp_path):
    run = diagnose("exit_three.py", tmp_path)
    check_contract(run.report.to_dict())
    assert run.report.exit_code == 3
    assert run.report.status == "crashed"
    assert not run.problems


def test_missing_script(tmp_path):
    run = run_path(tmp_path / "nope.py")
    assert run.report.exit_code == 2 and run.report.status == "crashed"
    check_contract(run.report.to_dict())
    assert "nope.py" in run.stderr and "No such file" in run.stderr


def test_syntax_error_script(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("import torch\n\ndef f(:\n    pass\n")
    run = run_path(path)
    assert run.report.exit_code == 1 and run.report.status == "crashed"
    assert run.report.exception["type"] == "SyntaxError"
    assert "SyntaxError" in run.stderr and "broken.py" in run.stderr
    assert run.findings == []


def test_argv_is_passed_through_and_restored(tmp_path):
    before = sys.argv[:]
    run = diagnose("clean_tiny.py", tmp_path, argv=["--steps", "3", "--json", "x"])
    assert "ARGV=['--steps', '3', '--json', 'x']" in run.stdout
    assert "STEPS_DONE 3" in run.stdout
    assert sys.argv == before


def test_script_dir_is_importable_like_python_does(tmp_path):
    (tmp_path / "orig").mkdir()
    (tmp_path / "orig" / "sizes_helper.py").write_text("HIDDEN = 7\n")
    main_py = tmp_path / "orig" / "uses_helper.py"
    main_py.write_text("import sizes_helper\nimport torch\nprint('H', torch.nn.Linear(3, sizes_helper.HIDDEN)"
                       "(torch.ones(2, 3)).shape)\n")
    run = run_path(main_py)
    assert run.report.status == "completed", run.stderr
    assert "H torch.Size([2, 7])" in run.stdout


# -- in-process caveats (see helpers.py) -------------------------------------------------------
def test_same_script_from_two_directories_in_one_process(tmp_path):
    first = copy_script("crash_batchnorm2d.py", tmp_path / "a")
    second = copy_script("crash_batchnorm2d.py", tmp_path / "b")
    run_path(first)
    run = run_path(second, clear_cache=False)
    f = run.one("batchnorm_features")
    assert f.file == str(second) and all(fx.file == str(second) for fx in f.fixes), (f.file, str(second))


def test_run_script_called_directly_from_a_test(tmp_path):
    path = copy_script("crash_single_image.py", tmp_path)
    run = run_path(path, thread=False)
    f = run.one("batch_dim_changed")
    assert (f.file, f.line) == (str(path), run.line("photo = load_photo(42)")), describe(run.findings)


# -- the command line, in-process (what it prints is checked in test_cli.py, as a subprocess) --------
def test_cli_run_writes_json_for_sys_exit(tmp_path, capfd):
    out = tmp_path / "report.json"
    code = main(["run", "--json", str(out), str(SCRIPTS / "exit_three.py")])
    assert code == 3
    data = json.loads(out.read_text())
    check_contract(data)
    assert data["exception"] == {"type": "SystemExit", "message": "3"}


def test_cli_run_missing_script_exit_2_and_json(tmp_path, capfd):
    out = tmp_path / "report.json"
    code = main(["run", "--json", str(out), str(tmp_path / "missing.py")])
    assert code == 2
    data = json.loads(out.read_text())
    check_contract(data)
    assert data["status"] == "crashed" and data["findings"] == []


def test_cli_run_syntax_error_exit_1_and_json(tmp_path, capfd):
    bad = tmp_path / "bad_syntax.py"
    bad.write_text("x = [1, 2\nprint(x)\n")
    out = tmp_path / "report.json"
    code = main(["run", "--json", str(out), str(bad)])
    assert code == 1
    data = json.loads(out.read_text())
    check_contract(data)
    assert data["exception"]["type"] == "SyntaxError"


def test_cli_run_max_steps_json_stopped(tmp_path, capfd):
    out = tmp_path / "report.json"
    code = main(["run", "--max-steps", "2", "--json", str(out), str(SCRIPTS / "long_loop.py")])
    assert code == 0
    data = json.loads(out.read_text())
    check_contract(data)
    assert data["status"] == "stopped" and data["exception"] is None
    assert "stopped after --max-steps 2" in capfd.readouterr().err
