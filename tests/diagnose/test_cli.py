"""``tensorsight run`` / ``tensorsight fix`` as users run them. Subprocesses are slow (each one imports
torch), so only what needs a real process runs as one (the printed traceback and diagnosis, python's
SyntaxError text); ``fix`` is called through ``tensorsight.cli.main`` but still diagnoses each
round in a fresh ``python -m tensorsight run`` process, as it always does."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tensorsight.cli import main

from .helpers import EXAMPLES, SCRIPTS, copy_script, line_no, run_path

ENV = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")


def tensorsight(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tensorsight", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=ENV, stdin=subprocess.DEVNULL)


def test_run_crash_exit_1_json_traceback_and_diagnosis(tmp_path):
    script = copy_script("crash_linear_after_convs.py", tmp_path)
    head = line_no(script, "self.head = nn.Linear(64 * 4 * 4, 128)")
    p = tensorsight("run", "--json", "out.json", script.name, cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert "Traceback (most recent call last)" in p.stderr
    assert "RuntimeError: mat1 and mat2 shapes cannot be multiplied (8x1600 and 1024x128)" in p.stderr
    assert f"tensorsight error [linear_in_features] crash_linear_after_convs.py:{head}" in p.stderr
    assert "+ self.head = nn.Linear(64 * 5 * 5, 128)" in p.stderr
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["status"] == "crashed"
    assert data["exception"] == {"type": "RuntimeError",
                                 "message": "mat1 and mat2 shapes cannot be multiplied (8x1600 and 1024x128)"}
    [f] = [f for f in data["findings"] if f["severity"] == "error" and f["category"] != "crash_site"]
    # the line that crashed is reported too, without a fix, naming the root cause's line
    [at] = [f for f in data["findings"] if f["category"] == "crash_site"]
    assert at["fixes"] == [] and f"root cause: line {head}" in at["message"]
    assert (f["category"], f["line"], os.path.realpath(f["file"])) == ("linear_in_features", head,
                                                                       os.path.realpath(script))
    assert f["fixes"] == [{"file": f["file"], "line": head, "old": "        self.head = nn.Linear(64 * 4 * 4, 128)",
                           "new": "        self.head = nn.Linear(64 * 5 * 5, 128)"}]


def test_run_syntax_error_prints_pythons_error(tmp_path):
    (tmp_path / "typo.py").write_text("import torch\nx = torch.ones(2, 3\nprint(x)\n")
    p = tensorsight("run", "--json", "t.json", "typo.py", cwd=tmp_path)
    assert p.returncode == 1
    assert "SyntaxError" in p.stderr and "typo.py" in p.stderr and "never closed" in p.stderr
    data = json.loads((tmp_path / "t.json").read_text())
    assert data["status"] == "crashed" and data["exception"]["type"] == "SyntaxError" and data["findings"] == []


def test_run_passes_options_after_the_script_to_the_script(tmp_path, capfd):
    copy_script("clean_tiny.py", tmp_path)
    out = tmp_path / "a.json"
    code = main(["run", "--json", str(out), str(tmp_path / "clean_tiny.py"), "--steps", "3", "--max-steps", "1"])
    assert code == 0
    printed = capfd.readouterr().out
    assert "ARGV=['--steps', '3', '--max-steps', '1']" in printed, "options after SCRIPT belong to the script"
    assert "STEPS_DONE 3" in printed
    assert json.loads(out.read_text()) == {"status": "completed", "exception": None, "findings": []}


def test_fix_without_write_prints_a_diff_and_changes_nothing(tmp_path, capfd):
    script = copy_script("crash_conv_channels_seq.py", tmp_path)
    before = script.read_text()
    assert main(["fix", str(script)]) == 0
    diff = capfd.readouterr().out.split("\n")
    assert any(line.startswith("--- ") and line.endswith(script.name) for line in diff), diff
    assert any(line.startswith("+++ ") and line.endswith(script.name) for line in diff), diff
    assert "-    nn.Conv2d(width * 2, 48, 3, padding=1)," in diff
    assert "+    nn.Conv2d(width, 48, 3, padding=1)," in diff
    assert script.read_text() == before
    assert not (tmp_path / (script.name + ".orig")).exists()


def test_fix_write_keeps_orig_and_the_script_then_runs(tmp_path, capfd):
    script = copy_script("crash_reshape_and_linear.py", tmp_path)
    before = script.read_text()
    assert main(["fix", "--write", str(script)]) == 0, capfd.readouterr().err
    assert "backups:" in capfd.readouterr().err
    assert (tmp_path / (script.name + ".orig")).read_text() == before
    after = script.read_text()
    compile(after, str(script), "exec")
    changed = [(a, b) for a, b in zip(before.split("\n"), after.split("\n")) if a != b]
    assert changed == [("        self.classifier = nn.Linear(32 * 6 * 6, 5)",
                        "        self.classifier = nn.Linear(32 * 4 * 4, 5)"),
                       ("        x = x.reshape(-1, 32 * 6 * 6)", "        x = x.reshape(x.size(0), -1)")]
    ran = run_path(script)
    assert ran.report.status == "completed" and ran.report.exit_code == 0 and not ran.problems, ran.stderr
    assert "loss" in ran.stdout


def test_fix_write_on_the_cnn_16_400_example(tmp_path, capfd):
    script = copy_script("cnn_16_400.py", tmp_path, source_dir=EXAMPLES)
    assert main(["fix", "--write", str(script)]) == 0, capfd.readouterr().err
    assert (tmp_path / "cnn_16_400.py.orig").read_text() == (EXAMPLES / "cnn_16_400.py").read_text()
    text = script.read_text()
    assert "x = x.view(x.size(0), -1)" in text and "self.fc1 = nn.Linear(24 * 5 * 5, 120)" in text
    ran = run_path(script)
    assert ran.report.status == "completed" and ran.report.exit_code == 0, ran.stderr
    assert "torch.Size([16, 120])" in ran.stdout


def test_scripts_are_not_collected_as_tests():
    assert not [p.name for p in SCRIPTS.glob("test_*.py")]
