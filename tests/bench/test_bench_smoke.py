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


def _bench():
    sys.path.insert(0, str(ROOT / "bench"))
    import run
    return run


def test_default_cells_per_group():
    run = _bench()
    cells = run.default_cells(["lenet", "llama_70b", "bert_tiny"], None)
    tools = {m: [t for mm, t in cells if mm == m] for m in ("lenet", "llama_70b", "bert_tiny")}
    assert tools["lenet"] == run.PEER_TOOLS
    assert "floor" in tools["llama_70b"] and "floor" not in tools["lenet"]
    assert tools["bert_tiny"] == run.SMALL_TOOLS and "torchview-meta" in tools["bert_tiny"]
    given = run.default_cells(["lenet", "bert_tiny"], ["tensorsight-trace", "torchview-meta"])
    assert ("lenet", "torchview-meta") not in given and ("bert_tiny", "torchview-meta") in given


def _row(model, tool, cpu, group="small_transformers"):
    return {"model": model, "tool": tool, "status": "ok", "run_cpu_s": cpu, "run_s": cpu, "group": group}


def test_small_transformers_median_model_and_ratios():
    run = _bench()
    rows = []
    for m, tv in (("bert_tiny", 0.08), ("gpt2_tiny", 0.05), ("t5_tiny", 0.07)):
        rows += [_row(m, "torchview-meta", tv), _row(m, "tensorsight-trace", tv / 4),
                 _row(m, "tensorsight-summary", tv / 2), _row(m, "torchinfo", tv / 5)]
    st = run.small_transformers({"rows": rows})
    assert st["median_model"]["model"] == "t5_tiny"  # 0.05 < 0.07 < 0.08
    assert abs(st["median_ratio"]["trace_x_tv"] - 0.25) < 1e-9
    assert abs(st["median_model"]["summary_x_ti"] - 2.5) < 1e-9


def test_readme_table_rewritten_between_markers_only(tmp_path, monkeypatch):
    run = _bench()
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{run.README_START}\nold table\n{run.README_END}\noutro\n")
    monkeypatch.setattr(run, "README", readme)
    monkeypatch.setattr(run, "readme_snippet", lambda info, table, extras=None: "NEW TABLE")
    assert run.write_readme({}, {}, {})
    assert readme.read_text() == f"intro\n{run.README_START}\nNEW TABLE\n{run.README_END}\noutro\n"
    readme.write_text("no markers\n")
    assert not run.write_readme({}, {}, {}) and readme.read_text() == "no markers\n"
