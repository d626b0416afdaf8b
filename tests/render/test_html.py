"""The HTML report without a browser: self-contained, complete, escaped; the report command."""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

import tensorsight
from tensorsight.cli import main
from tensorsight.render.html import to_html, trace_html

from . import render_nets

NETS = render_nets.__file__


def data_of(page: str) -> dict:
    blob = re.search(r'<script type="application/json" id="ts-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(blob.replace("<\\/", "</").replace("<\\!--", "<!--"))


def assert_self_contained(page: str) -> None:
    low = page.lower()
    for bad in ('src="http', "src='http", 'href="http', "href='http", "url(http", "@import", "src=\"//",
                'href="//', "<link rel=\"stylesheet", "<iframe", "<img "):
        assert bad not in low, bad
    assert "<script src" not in low


def test_report_is_one_self_contained_file(lenet_trace):
    page = to_html(lenet_trace)
    assert page.startswith("<!DOCTYPE html>")
    assert_self_contained(page)
    assert page.count('<tr data-event="') == len(lenet_trace.events)
    assert page.count('class="ts-box') == 9
    assert "<svg" in page and "<style>" in page and "<script>" in page


def test_report_embeds_sources_explanations_and_pictures(lenet_trace):
    page = to_html(lenet_trace)
    data = data_of(page)
    assert set(data["events"]) == {str(e.index) for e in lenet_trace.events}
    ev = data["events"]["3"]
    src = data["sources"][str(ev["fid"])]
    assert "self.conv2(x)" in src["lines"][str(ev["line"])]
    assert str(ev["line"] - 6) in src["lines"]  # context around the line
    assert ev["pic"] and f'<template id="ts-pic-{ev["pic"]}">' in page
    assert data["events"]["5"]["pic"] != ev["pic"]  # the pool has its own picture
    assert any("30" in line for line in data["events"]["0"]["why"])  # explain_shape's arithmetic
    assert data["start"] is None


def test_findings_are_listed_and_escaped(lenet_trace):
    finding = {"severity": "error", "category": "shape", "file": NETS, "line": 24,
               "message": "fc1 wants <400> features, gets 576 & more",
               "fixes": [{"file": NETS, "line": 20, "old": "nn.Linear(16 * 5 * 5, 120)",
                          "new": "nn.Linear(16 * 6 * 6, 120)"}]}
    page = to_html(lenet_trace, findings=[finding], title="Le<Net> & co")
    assert "fc1 wants &lt;400&gt; features, gets 576 &amp; more" in page
    assert "<400>" not in page
    assert "<title>Le&lt;Net&gt; &amp; co</title>" in page
    assert "- nn.Linear(16 * 5 * 5, 120)" in page and "+ nn.Linear(16 * 6 * 6, 120)" in page
    data = data_of(page)
    assert data["findings"][0]["line"] == 24 and data["findings"][0]["fid"] is not None


def test_script_breaking_text_cannot_escape_the_json(lenet_trace):
    finding = {"severity": "info", "category": "x", "file": "nowhere.py", "line": 1,
               "message": "</script><script>alert(1)</script>", "fixes": []}
    page = to_html(lenet_trace, findings=[finding])
    assert "<script>alert(1)" not in page
    data_of(page)


def test_partial_trace_report_marks_the_failure(broken_trace):
    page = to_html(broken_trace)
    assert 'id="ts-error"' in page and "The forward pass raised" in page
    assert "RuntimeError" in page
    failing = broken_trace.events[-1]
    assert f'<tr data-event="{failing.index}" class="ts-error">' in page
    assert data_of(page)["start"] == failing.index
    assert_self_contained(page)


def test_notebook_fragment(lenet_trace):
    frag = lenet_trace._repr_html_()
    assert frag == trace_html(lenet_trace)
    assert frag.startswith('<div class="tensorsight-trace">')
    assert "<script" not in frag and "<svg" in frag
    assert frag.count("<tr>") == len(lenet_trace.events) + 1
    assert "6×30×30" in frag
    assert tensorsight.to_html(lenet_trace) == to_html(lenet_trace)


def test_fragment_of_a_long_trace_is_cut(resnet50_trace):
    frag = trace_html(resnet50_trace, max_rows=10)
    assert f"… {len(resnet50_trace.events) - 10} more ops" in frag


def test_findings_as_objects(lenet_trace):
    from tensorsight.diagnose.findings import Finding, Fix
    f = Finding("warning", "silent", NETS, 23, "flatten keeps the batch", [Fix(NETS, 23, "a", "b")])
    page = to_html(lenet_trace, findings=[f])
    assert "flatten keeps the batch" in page and "+ b" in page


# -- the command ------------------------------------------------------------------------------
def test_report_command(tmp_path, capsys):
    out = tmp_path / "r.html"
    svg = tmp_path / "r.svg"
    assert main(["report", f"{NETS}:LeNet", "--input", "1x1x32x32", "--html", str(out), "--svg", str(svg)]) == 0
    page = out.read_text()
    assert_self_contained(page)
    assert "LeNet" in page and page.count('class="ts-box') == 9
    ET.fromstring(svg.read_text().split("?>", 1)[1])
    assert "wrote" in capsys.readouterr().out


def test_report_command_on_a_failing_model(tmp_path, capsys):
    out = tmp_path / "b.html"
    code = main(["report", f"{NETS}:BrokenLeNet", "--input", "1x1x32x32", "--html", str(out)])
    assert code == 1
    page = out.read_text()
    assert "The forward pass raised" in page
    assert "forward-error" in page  # listed as a finding too
    err = capsys.readouterr().err
    assert "raised" in err


def test_report_layer_pictures(tmp_path):
    conv = tmp_path / "conv.svg"
    assert main(["report", f"{NETS}:LeNet", "--input", "1x1x32x32", "--layer", "conv1", "--svg", str(conv)]) == 0
    assert "32×32 → 30×30" in conv.read_text()
    pool = tmp_path / "pool.svg"
    assert main(["report", f"{NETS}:LeNet", "--input", "1x1x32x32", "--layer", "5", "--svg", str(pool)]) == 0
    assert "13×13 → 6×6" in pool.read_text()


def test_report_png(tmp_path):
    pytest.importorskip("PIL")
    png = tmp_path / "d.png"
    assert main(["report", f"{NETS}:CatsDogs", "--input", "1x3x150x150", "--png", str(png), "--depth", "2"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("argv, message", [
    (["--input", "1x1x32x32"], "nothing to write"),
    (["--input", "1x1x32x32", "--svg", "X", "--layer", "fc1"], "no conv or pooling layer by that name"),
    (["--input", "1x1x32x32", "--svg", "X", "--layer", "7"], "op #7 is F.linear"),
    (["--input", "1x1x32x32", "--svg", "X", "--layer", "99"], "ops 0 to 11"),
    (["--input", "1x1x32x32", "--html", "/nonexistent/dir/r.html"], "cannot write"),
    (["--input", "1x1x32x32", "--html", "X", "--depth", "0"], "--depth 0"),
])
def test_report_command_user_mistakes(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["report", f"{NETS}:LeNet", *argv]) == 2
    assert message in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "X")


def test_help_does_not_import_torch():
    import subprocess
    import sys
    code = ("import sys, argparse; from tensorsight.cli import report; "
            "report.register(argparse.ArgumentParser().add_subparsers()); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
