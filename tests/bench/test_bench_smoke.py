"""Keep the benchmark from rotting: one tiny run of bench/run.py (no timing asserts)."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_runs_quick(tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--models", "lenet",
                           "--tools", "tensorsight-trace,floor", "--reps", "1", "--skip", "all",
                           "--out", str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads((tmp_path / "partial.json").read_text())
    rows = {r["tool"]: r for r in data["table"]["rows"]}
    assert rows["tensorsight-trace"]["status"] == "ok", rows
    assert rows["tensorsight-trace"]["count"] > 0 and rows["tensorsight-trace"]["params"] == 81_194
    assert rows["floor"]["status"] == "ok"
    text = (tmp_path / "partial.md").read_text()
    assert "| LeNet (tutorial) |" in text and "tensorsight-trace" in text
