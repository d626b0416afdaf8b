"""``tensorsight run SCRIPT`` behaves as ``python SCRIPT``: same stdout, stderr, exit status
(including death by SIGINT), ``__main__`` attributes, argv, excepthook. Each scenario runs both
in subprocesses; the scripts import no torch so python's side stays fast."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "src")

SCENARIOS = {
    "dunders": '''"""doc"""
import sys
g = dict(globals())
print(sorted(g))
for k in ("__name__", "__file__", "__package__", "__spec__", "__cached__", "__doc__"):
    print(k, repr(g[k]))
print(type(g["__loader__"]).__name__, g["__loader__"].name, type(g["__builtins__"]).__name__)
print(sys.argv, sys.modules["__main__"].__dict__ is globals())
''',
    "excepthook": '''import sys
def hook(t, v, tb):
    print("own hook", t.__name__, v, tb.tb_frame.f_code.co_name)
sys.excepthook = hook
raise ValueError("for the hook")
''',
    "broken_str": '''class E(Exception):
    def __str__(self):
        raise RuntimeError("no str")
raise E()
''',
    "keyboard_interrupt": '''print("before", flush=True)
raise KeyboardInterrupt
''',
    "exit_codes": '''import sys
print("exiting")
sys.exit("a message for stderr")
''',
    "chained": '''try:
    {}["missing"]
except KeyError as e:
    raise ValueError("while handling") from e
''',
}


def _run(cmd, cwd):
    env = dict(os.environ, PYTHONPATH=SRC, OMP_NUM_THREADS="1")
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_run_is_python(name, tmp_path):
    script = tmp_path / f"{name}.py"
    script.write_text(SCENARIOS[name])
    py = _run([sys.executable, script.name, "a", "--b"], tmp_path)
    ts = _run([sys.executable, "-m", "tensorsight", "run", script.name, "a", "--b"], tmp_path)
    assert (ts.returncode, ts.stdout, ts.stderr) == (py.returncode, py.stdout, py.stderr)
    if name == "keyboard_interrupt":
        assert ts.returncode == -2  # killed by SIGINT, as python is


def test_json_is_resolved_before_the_script_chdirs(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = tmp_path / "c.py"
    script.write_text(f"import os\nos.chdir({str(elsewhere)!r})\nprint('moved')\n")
    ts = _run([sys.executable, "-m", "tensorsight", "run", "--json", "out.json", script.name], tmp_path)
    assert ts.returncode == 0, ts.stderr
    assert json.loads((tmp_path / "out.json").read_text())["status"] == "completed"
    assert not (elsewhere / "out.json").exists()
