"""A self-contained HTML report: the diagram, the trace table, the explanations, the findings.

One file with inline CSS, inline JavaScript and inline SVG; it fetches nothing (no CDN, no
fonts, no images from the network), so it opens offline and can be mailed or attached to CI.
Clicking a table row highlights that op's block in the diagram and shows its source line (the
user's lines around it are embedded, read with linecache) with the shape arithmetic and, for a
conv or pooling layer, the picture of the window sliding over the grid. Clicking a block
selects its row; clicking a finding shows the line it is about.

``trace_html(trace)`` is the smaller static fragment a notebook shows for ``Trace._repr_html_``.
"""
from __future__ import annotations

import html
import json
import linecache
import os
from typing import Any, Iterable

from ..shapes import fmt_shape

CONTEXT = 6            # source lines shown above and below the selected one
MAX_SOURCE_LINES = 20000
MAX_PICTURES = 60


def _esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


def _shape_text(meta) -> str:
    if meta.device == "scalar":
        return "scalar"
    dt = None if meta.dtype in ("float32", "") else meta.dtype
    return fmt_shape(meta.shape, dt)


def _acts(metas, inits: frozenset = frozenset()) -> list:
    """Data inputs of an op. In a script's trace weights carry no role: a tensor past the first
    input that no op made, or that only a weight initialiser (kaiming_uniform_) touched, is
    taken for a weight."""
    return [t for k, t in enumerate(metas) if t.role in ("", "input")
            and (k == 0 or t.role == "input" or (t.producer is not None and t.producer not in inits))]


def _inits(trace) -> frozenset:
    from .svg import _is_init
    return frozenset(e.index for e in trace.events if _is_init(e))


def _shapes_cell(ev, inits: frozenset = frozenset()) -> str:
    """'in, in → out' where each shape stays on one line but the cell may wrap between them."""
    ins = [f"<span>{_esc(_shape_text(t))}</span>" for t in _acts(ev.inputs, inits)] or ["—"]
    outs = [f"<span>{_esc(_shape_text(t))}</span>" for t in ev.outputs] or ["raised" if ev.error else "—"]
    from .sharding import sharding_lines  # DTensor ops: global → local, placements, collectives
    dist = "".join(f'<div class="ts-muted">{_esc(line)}</div>' for line in sharding_lines(ev))
    return ", ".join(ins) + " → " + ", ".join(outs) + dist


def _module_text(ev) -> str:
    if not ev.module:
        return ""
    if ev.module_type and ev.module.rsplit(".", 1)[-1] != ev.module_type:
        return f"{ev.module} ({ev.module_type})"
    return ev.module


def _explain(event, trace) -> list[str]:
    try:
        from ..analysis.explain import explain_shape
    except ImportError:
        return []
    try:
        ex = explain_shape(event, trace)
    except Exception:  # noqa: BLE001 - an explanation is a bonus; the report must still come out
        return []
    return list(ex.lines()) if ex is not None else []


def _finding_dict(f) -> dict:
    if isinstance(f, dict):
        d = dict(f)
    elif hasattr(f, "to_dict"):
        d = f.to_dict()
    else:
        from dataclasses import asdict, is_dataclass
        d = asdict(f) if is_dataclass(f) else {"message": str(f)}
    d.setdefault("severity", "info")
    d.setdefault("category", "")
    d.setdefault("file", "")
    d.setdefault("line", 0)
    d.setdefault("message", "")
    fixes = []
    for x in d.get("fixes") or []:
        if not isinstance(x, dict):
            from dataclasses import asdict, is_dataclass
            x = asdict(x) if is_dataclass(x) else {}
        fixes.append(x)
    d["fixes"] = fixes
    return d


def _display_path(path: str) -> str:
    if not path or path.startswith("<"):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path


class _Sources:
    """User source lines to embed: for each file, the lines around the ones the report cites."""

    def __init__(self):
        self.files: dict[str, int] = {}
        self.lines: dict[int, dict[int, str]] = {}
        self.total = 0

    def cite(self, path: str | None, line: int | None, fallback: str = "") -> int | None:
        if not path or not line:
            return None
        fid = self.files.get(path)
        if fid is None:
            fid = self.files[path] = len(self.files)
            self.lines[fid] = {}
        got = self.lines[fid]
        for n in range(max(1, line - CONTEXT), line + CONTEXT + 1):
            if n in got or self.total >= MAX_SOURCE_LINES:
                continue
            text = linecache.getline(path, n)
            if not text and n == line and fallback:
                text = fallback
            if text or n == line:
                got[n] = text.rstrip("\n")
                self.total += 1
        return fid

    def data(self) -> dict:
        return {str(fid): {"path": _display_path(p), "lines": {str(k): v for k, v in sorted(self.lines[fid].items())}}
                for p, fid in self.files.items()}


def _svg(trace, depth=None) -> str:
    from .svg import to_svg
    try:
        return to_svg(trace, depth=depth, standalone=False)
    except Exception as exc:  # noqa: BLE001 - a diagram bug must not cost the user the report
        return f'<p class="ts-muted">(the diagram could not be drawn: {_esc(exc)})</p>'


def _pictures(trace, limit: int = MAX_PICTURES) -> tuple[dict[int, str], dict[str, str]]:
    """Conv/pool pictures: event index -> picture key, and key -> SVG (identical layers share one)."""
    try:
        from .conv_picture import ConvParams, canvas_svg, conv_canvas, is_windowed, params_from_event
    except ImportError:
        return {}, {}
    by_event: dict[int, str] = {}
    svgs: dict[str, str] = {}
    keys: dict[tuple, str] = {}
    for ev in trace.events:
        if ev.error or not is_windowed(ev):
            continue
        try:
            p = params_from_event(ev)
        except Exception:  # noqa: BLE001 - symbolic sizes and the like: no picture for that row
            continue
        sig = (p.kind, p.axes, p.op, p.in_channels, p.out_channels)
        key = keys.get(sig)
        if key is None:
            if len(svgs) >= limit:
                continue
            key = keys[sig] = f"p{len(keys)}"
            shared = ConvParams(p.kind, p.axes, "", p.op, p.in_channels, p.out_channels)
            try:
                svgs[key] = canvas_svg(conv_canvas(shared), standalone=False, css="")
            except Exception:  # noqa: BLE001
                del keys[sig]
                continue
        by_event[ev.index] = key
    return by_event, svgs


_CSS = """
:root{--fg:#1d1d1f;--muted:#6b6b76;--line:#e2e2ea;--sel:#fff1e0;--hl:#e6550d;--err:#b2182b;
--errbg:#fde0dc;--warn:#8a5a00;--warnbg:#fff3cd;--info:#245;--infobg:#e8f0fb;--code:#f6f6f9}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:var(--fg);background:#fff}
header{padding:14px 22px 10px;border-bottom:1px solid var(--line)}
header h1{margin:0;font-size:20px}
header .ts-meta{color:var(--muted);font-size:13px;margin-top:2px}
main{padding:12px 22px 40px}
h2{font-size:15px;margin:18px 0 8px}
.ts-muted{color:var(--muted)}
.ts-banner{margin:12px 0;padding:10px 14px;border-radius:6px;background:var(--errbg);color:var(--err);border:1px solid #f4b6ad}
.ts-banner code{background:transparent;color:inherit}
.ts-diagram{overflow:auto;border:1px solid var(--line);border-radius:6px;background:#fff;max-height:640px}
.ts-diagram svg{display:block}
.ts-findings{list-style:none;margin:0;padding:0}
.ts-finding{border:1px solid var(--line);border-left:4px solid #999;border-radius:4px;padding:8px 12px;margin:6px 0;cursor:pointer}
.ts-finding.ts-sev-error{border-left-color:var(--err);background:#fff8f7}
.ts-finding.ts-sev-warning{border-left-color:#d08c00;background:#fffbef}
.ts-finding.ts-sev-info{border-left-color:#3b73b9}
.ts-finding:hover{box-shadow:0 1px 4px rgba(0,0,0,.12)}
.ts-badge{display:inline-block;font-size:11px;font-weight:bold;text-transform:uppercase;border-radius:3px;padding:0 6px;margin-right:6px}
.ts-sev-error .ts-badge{background:var(--errbg);color:var(--err)}
.ts-sev-warning .ts-badge{background:var(--warnbg);color:var(--warn)}
.ts-sev-info .ts-badge{background:var(--infobg);color:var(--info)}
.ts-fix{margin:6px 0 0;font:12px/1.4 "DejaVu Sans Mono",Menlo,Consolas,monospace;background:var(--code);border-radius:4px;padding:6px 8px;white-space:pre-wrap}
.ts-fix .ts-del{color:#b2182b}.ts-fix .ts-add{color:#1a7f37}
.ts-where{font:12px "DejaVu Sans Mono",Menlo,Consolas,monospace;color:var(--muted)}
.ts-work{display:grid;grid-template-columns:minmax(0,1fr) minmax(320px,42%);gap:16px;align-items:start}
.ts-tablewrap{overflow:auto;max-height:78vh;border:1px solid var(--line);border-radius:6px}
table.ts-table{border-collapse:collapse;width:100%;font-size:12.5px}
.ts-table th{position:sticky;top:0;background:#f3f3f7;text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);z-index:1}
.ts-table td{padding:4px 8px;border-bottom:1px solid #f0f0f4;vertical-align:top}
.ts-table tr[data-event]{cursor:pointer}
.ts-table tr[data-event]:hover{background:#f7f7fb}
.ts-table tr.ts-selected{background:var(--sel)!important;outline:2px solid var(--hl);outline-offset:-2px}
.ts-table tr.ts-error td{background:var(--errbg);color:var(--err)}
.ts-table tr.ts-cited td:first-child{box-shadow:inset 3px 0 0 #d08c00}
.ts-table td.ts-num{color:var(--muted);text-align:right;font-variant-numeric:tabular-nums}
.ts-shape{font:12px "DejaVu Sans Mono",Menlo,Consolas,monospace}
.ts-shape span{white-space:nowrap}
.ts-why{color:#444;font-size:12px;max-width:28em}
.ts-why div{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.ts-panel{position:sticky;top:10px;border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:#fcfcfe;max-height:92vh;overflow:auto}
.ts-panel h3{margin:0 0 6px;font-size:14px}
.ts-source{font:12px/1.5 "DejaVu Sans Mono",Menlo,Consolas,monospace;background:var(--code);border-radius:4px;padding:6px 0;overflow:auto;margin:6px 0}
.ts-source div{white-space:pre;padding:0 10px 0 0}
.ts-source .ts-ln{display:inline-block;width:4.5em;text-align:right;padding-right:10px;color:#a0a0aa;user-select:none}
.ts-source .ts-line-hl{background:#ffe2c2;box-shadow:inset 3px 0 0 var(--hl)}
.ts-explain{font:12px/1.5 "DejaVu Sans Mono",Menlo,Consolas,monospace;white-space:pre-wrap;margin:6px 0}
.ts-picture svg{max-width:100%;height:auto;border:1px solid var(--line);border-radius:4px;margin-top:6px}
.ts-error-text{color:var(--err);white-space:pre-wrap;font-size:12.5px}
code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;background:var(--code);padding:0 3px;border-radius:3px}
@media (max-width:980px){.ts-work{grid-template-columns:1fr}.ts-panel{position:static}}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ts-data").textContent);
  var panel = document.getElementById("ts-panel");
  var rows = {};
  document.querySelectorAll("tr[data-event]").forEach(function (tr) { rows[tr.getAttribute("data-event")] = tr; });
  var boxes = [];
  document.querySelectorAll("g.ts-box").forEach(function (g) {
    var evs = (g.getAttribute("data-events") || "").split(" ").filter(Boolean);
    boxes.push({g: g, events: evs});
  });
  function boxOf(i) {
    for (var k = 0; k < boxes.length; k++) { if (boxes[k].events.indexOf(String(i)) >= 0) return boxes[k].g; }
    return null;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sourceBlock(fid, line) {
    var src = data.sources[String(fid)];
    var wrap = el("div");
    if (!src) { wrap.appendChild(el("p", "ts-muted", "(source not available)")); return wrap; }
    wrap.appendChild(el("div", "ts-where", src.path + ":" + line));
    var box = el("div", "ts-source");
    var hl = null;
    for (var n = line - 6; n <= line + 6; n++) {
      var text = src.lines[String(n)];
      if (text === undefined) continue;
      var div = el("div");
      div.appendChild(el("span", "ts-ln", String(n)));
      div.appendChild(document.createTextNode(text));
      if (n === line) { div.className = "ts-line-hl"; div.id = "ts-current-line"; hl = div; }
      box.appendChild(div);
    }
    wrap.appendChild(box);
    return wrap;
  }
  function clearMarks() {
    document.querySelectorAll("tr.ts-selected").forEach(function (r) { r.classList.remove("ts-selected"); });
    document.querySelectorAll("g.ts-box.ts-highlight").forEach(function (g) { g.classList.remove("ts-highlight"); });
    document.querySelectorAll("tr.ts-cited").forEach(function (r) { r.classList.remove("ts-cited"); });
  }
  function select(i, scrollRow) {
    var ev = data.events[String(i)];
    if (!ev) return;
    clearMarks();
    var tr = rows[String(i)];
    if (tr) {
      tr.classList.add("ts-selected");
      if (scrollRow) tr.scrollIntoView({block: "center"});
    }
    var g = boxOf(i);
    if (g) {
      g.classList.add("ts-highlight");
      var wrap = document.getElementById("ts-diagram");
      if (wrap && g.getBBox) {
        var b = g.getBBox();
        var svg = g.ownerSVGElement;
        var scale = svg && svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width ?
          svg.getBoundingClientRect().width / svg.viewBox.baseVal.width : 1;
        var x = (b.x + b.width / 2) * scale - wrap.clientWidth / 2;
        var y = (b.y + b.height / 2) * scale - wrap.clientHeight / 2;
        wrap.scrollTo({left: Math.max(0, x), top: Math.max(0, y)});
      }
    }
    panel.innerHTML = "";
    panel.appendChild(el("h3", "", "#" + i + "  " + ev.op + (ev.module ? "  ·  " + ev.module : "")));
    panel.appendChild(el("div", "ts-shape", ev.shapes));
    if (ev.error) panel.appendChild(el("p", "ts-error-text", ev.error));
    if (ev.fid !== null && ev.fid !== undefined) panel.appendChild(sourceBlock(ev.fid, ev.line));
    else panel.appendChild(el("p", "ts-muted", "(no user source line: the op ran inside library code)"));
    if (ev.why && ev.why.length) panel.appendChild(el("div", "ts-explain", ev.why.join("\n")));
    if (ev.pic) {
      var tpl = document.getElementById("ts-pic-" + ev.pic);
      if (tpl) { var pic = el("div", "ts-picture"); pic.appendChild(tpl.content.cloneNode(true)); panel.appendChild(pic); }
    }
  }
  function showFinding(k) {
    var f = data.findings[k];
    if (!f) return;
    clearMarks();
    var cited = [];
    Object.keys(data.events).forEach(function (i) {
      var ev = data.events[i];
      if (ev.fid === f.fid && ev.line === f.line && ev.fid !== null && rows[i]) cited.push(i);
    });
    var first = cited.length ? cited[0] : null;
    if (first !== null) { select(first, true); }
    else { panel.innerHTML = ""; }
    cited.forEach(function (i) { rows[i].classList.add("ts-cited"); });
    var h = el("h3", "", f.title);
    panel.insertBefore(h, panel.firstChild);
    if (f.fid !== null && first === null) panel.appendChild(sourceBlock(f.fid, f.line));
  }
  Object.keys(rows).forEach(function (i) {
    rows[i].addEventListener("click", function () { select(i, false); });
  });
  boxes.forEach(function (b) {
    b.g.addEventListener("click", function () {
      var main = b.g.getAttribute("data-event");
      if (main && main !== "input") select(main, true);
    });
  });
  document.querySelectorAll("[data-finding]").forEach(function (li) {
    li.addEventListener("click", function () { showFinding(li.getAttribute("data-finding")); });
  });
  if (data.start !== null && data.start !== undefined) select(data.start, true);
})();
"""


def to_html(trace, findings: Iterable | None = None, title: str | None = None, *,
            depth: int | None = None, max_rows: int = 5000) -> str:
    """The whole report as one self-contained HTML page (a string; write it to a .html file).

    ``findings``: diagnosis findings (dicts with severity, category, file, line, message, fixes,
    or objects with ``to_dict()``). ``depth`` is passed to the diagram.
    """
    from .args import check_count, check_title, check_trace
    from ..errors import misuse
    check_trace("to_html(trace)", trace)
    check_title("to_html(title=...)", title)
    check_count("to_html(depth=...)", "depth", depth, low=1)
    check_count("to_html(max_rows=...)", "max_rows", max_rows, low=0, none_ok=False)
    if findings is not None and (isinstance(findings, (str, bytes, dict)) or not hasattr(findings, "__iter__")):
        raise misuse("to_html(findings=...)", findings, "findings must be a list of findings (dicts or "
                                                        "objects with to_dict()), or None")
    findings = [_finding_dict(f) for f in (findings or [])]
    sources = _Sources()
    pic_of, pics = _pictures(trace)
    events_data: dict[str, dict] = {}
    rows_html: list[str] = []
    shown = trace.events[:max_rows]
    inits = _inits(trace)
    for ev in shown:
        where = ev.where
        fid = sources.cite(where.file, where.line, where.code) if where else None
        ins = ", ".join(_shape_text(t) for t in _acts(ev.inputs, inits)) or "—"
        outs = ", ".join(_shape_text(t) for t in ev.outputs) or ("raised" if ev.error else "—")
        why = _explain(ev, trace)
        module = _module_text(ev)
        events_data[str(ev.index)] = {
            "op": ev.op, "module": module, "shapes": f"{ins} → {outs}", "fid": fid,
            "line": where.line if where else None, "why": why, "error": ev.error,
            "pic": pic_of.get(ev.index)}
        loc = f"{os.path.basename(where.file)}:{where.line}" if where else ""
        cls = ' class="ts-error"' if ev.error else ""
        summary = why[0] if why else ""
        rows_html.append(
            f'<tr data-event="{ev.index}"{cls}><td class="ts-num">{ev.index}</td>'
            f"<td><code>{_esc(ev.name)}</code></td><td>{_esc(module)}</td>"
            f'<td class="ts-shape">{_shapes_cell(ev, inits)}</td>'
            f'<td class="ts-where" title="{_esc(where.code if where else "")}">{_esc(loc)}</td>'
            f'<td class="ts-why"><div>{_esc(summary)}</div></td></tr>')
    if len(trace.events) > max_rows:
        rows_html.append(f'<tr><td colspan="6" class="ts-muted">… {len(trace.events) - max_rows} more ops '
                         f"not shown</td></tr>")

    findings_data = []
    findings_html = []
    for k, f in enumerate(findings):
        fid = sources.cite(f["file"], int(f["line"] or 0)) if f.get("file") else None
        loc = f"{_display_path(f['file'])}:{f['line']}" if f.get("file") else ""
        findings_data.append({"fid": fid, "line": int(f["line"] or 0),
                              "title": f"{f['severity']}: {f['category']} at {loc}"})
        fixes = ""
        for x in f["fixes"]:
            fixes += (f'<div class="ts-fix"><span class="ts-where">{_esc(_display_path(x.get("file", "")))}:'
                      f'{_esc(x.get("line", ""))}</span>\n<span class="ts-del">- {_esc(x.get("old", ""))}</span>\n'
                      f'<span class="ts-add">+ {_esc(x.get("new", ""))}</span></div>')
        sev = f["severity"] if f["severity"] in ("error", "warning", "info") else "info"
        findings_html.append(
            f'<li class="ts-finding ts-sev-{sev}" data-finding="{k}"><span class="ts-badge">{_esc(sev)}</span>'
            f'<b>{_esc(f["category"])}</b> <span class="ts-where">{_esc(loc)}</span>'
            f'<div>{_esc(f["message"])}</div>{fixes}</li>')

    failing = next((e for e in reversed(trace.events) if e.error), None)
    banner = ""
    if trace.error:
        at = ""
        if failing is not None and failing.where:
            at = (f" at op #{failing.index} <code>{_esc(failing.op)}</code>"
                  f"{' in ' + _esc(failing.module) if failing.module else ''}, "
                  f"{_esc(_display_path(failing.where.file))}:{failing.where.line}")
        banner = (f'<div class="ts-banner" id="ts-error"><b>The forward pass raised</b>{at}:<br>'
                  f"<code>{_esc(trace.error_type or 'Error')}: {_esc(trace.error)}</code><br>"
                  f"<span>The trace below stops there; the diagram shows the ops that ran.</span></div>")

    start = failing.index if failing is not None else None
    data = {"events": events_data, "sources": sources.data(), "findings": findings_data, "start": start}
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")
    templates = "".join(f'<template id="ts-pic-{k}">{svg}</template>' for k, svg in pics.items())
    title = title or f"{trace.model or 'model'}: tensor shapes"
    ins = ", ".join(_shape_text(t) for t in trace.inputs)
    meta = (f"{len(trace.events)} ops · {len(trace.modules)} module calls · "
            + (f"input {_esc(ins)} · " if ins else "") + f"{_esc(trace.mode)} tensors")
    findings_section = ""
    if findings:
        findings_section = (f'<h2>Findings ({len(findings)})</h2><ul class="ts-findings">'
                            + "".join(findings_html) + "</ul>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)}</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style>
</head><body>
<header><h1>{_esc(title)}</h1><div class="ts-meta">{meta} · made by tensorsight</div></header>
<main>
{banner}
{findings_section}
<h2>Shape flow</h2>
<div class="ts-diagram" id="ts-diagram">{_svg(trace, depth)}</div>
<h2>Every op <span class="ts-muted" style="font-weight:normal;font-size:12px">— click a row (or a block) to see its source line and arithmetic</span></h2>
<div class="ts-work">
<div class="ts-tablewrap"><table class="ts-table" id="ts-table">
<thead><tr><th>#</th><th>op</th><th>module</th><th>input → output</th><th>source</th><th>why this shape</th></tr></thead>
<tbody>
{chr(10).join(rows_html)}
</tbody></table></div>
<aside class="ts-panel" id="ts-panel"><p class="ts-muted">Click a row of the table or a block of the diagram.</p></aside>
</div>
</main>
{templates}
<script type="application/json" id="ts-data">{blob}</script>
<script>{_JS}</script>
</body></html>
"""


_FRAGMENT_CSS = """
.tensorsight-trace{font-family:-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;font-size:13px}
.tensorsight-trace .ts-d{overflow-x:auto;max-width:100%}
.tensorsight-trace table{border-collapse:collapse;font-size:12px;margin-top:6px}
.tensorsight-trace th{text-align:left;background:#f3f3f7;padding:3px 8px}
.tensorsight-trace td{padding:2px 8px;border-bottom:1px solid #eee;vertical-align:top}
.tensorsight-trace td.s{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;white-space:nowrap}
.tensorsight-trace tr.e td{background:#fde0dc;color:#b2182b}
.tensorsight-trace .m{color:#6b6b76}
"""


def trace_html(trace, *, max_rows: int = 60, depth: int | None = None) -> str:
    """A notebook-sized HTML view of a Trace: the diagram and the first ``max_rows`` ops."""
    rows = []
    inits = _inits(trace)
    for ev in trace.events[:max_rows]:
        ins = ", ".join(_shape_text(t) for t in _acts(ev.inputs, inits)) or "—"
        outs = ", ".join(_shape_text(t) for t in ev.outputs) or ("raised" if ev.error else "—")
        where = f"{os.path.basename(ev.where.file)}:{ev.where.line}" if ev.where else ""
        why = _explain(ev, trace)
        cls = ' class="e"' if ev.error else ""
        rows.append(f"<tr{cls}><td class=\"m\">{ev.index}</td><td>{_esc(ev.name)}</td><td>{_esc(ev.module)}</td>"
                    f'<td class="s">{_esc(ins)} → {_esc(outs)}</td><td class="m">{_esc(where)}</td>'
                    f"<td>{_esc(why[0] if why else '')}</td></tr>")
    more = len(trace.events) - max_rows
    tail = f'<p class="m">… {more} more ops (trace.table() or tensorsight.to_html for all)</p>' if more > 0 else ""
    err = ""
    if trace.error:
        err = f'<p style="color:#b2182b"><b>raised:</b> {_esc(trace.error_type)}: {_esc(trace.error)}</p>'
    return (f'<div class="tensorsight-trace"><style>{_FRAGMENT_CSS}</style>{err}'
            f'<div class="ts-d">{_svg(trace, depth)}</div>'
            f"<details{' open' if len(trace.events) <= 30 else ''}><summary>{len(trace.events)} ops of "
            f"{_esc(trace.model or 'model')}</summary><table><thead><tr><th>#</th><th>op</th><th>module</th>"
            f"<th>input → output</th><th>source</th><th>why</th></tr></thead><tbody>{''.join(rows)}</tbody>"
            f"</table>{tail}</details></div>")
