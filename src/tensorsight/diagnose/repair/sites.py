"""Candidate root-cause sites of a crash: the failing op's data-flow slice in the Trace.

A site is a user line that could hold the bug: a line that produced an operand (walking
producers back, hoisted to the consumer's frame), the line that ran the failing op, the
constructor of each module involved, each DataLoader, and module-level constants or call
arguments whose value is a size named in the error.
"""
from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass

from ...capture.events import Frame, OpEvent, TensorMeta
from ..edit import edits
from ..edit.layer_args import LAYER_OPS, feeding_layer
from ..edit.origin import hoist

# how far back the walk goes from each operand (events, breadth first)
SLICE_LIMIT = 40
# how near the failing op an op made inside a helper must be for the helper's line to be a site
HELPER_DEPTH = 3


@dataclass(eq=False)
class Site:
    kind: str                  # 'operand', 'call', 'ctor', 'loader', 'constant'
    file: str
    line: int
    why: str                   # how this line is part of the failing op's slice
    operand: int | None = None       # which operand of the failing op this line made
    event: OpEvent | None = None     # the op that made it (operand sites)
    meta: TensorMeta | None = None   # what that op made (operand sites)
    module: object = None            # ctor sites
    loader: object = None            # loader sites
    value: object = None             # constant sites: the value the expression has
    text: str = ""                   # constant sites: the expression as written
    depth: int = 0                   # distance from the failing op (0: its own line)
    wrap: tuple | None = None        # operand sites at a call: (callee names, argument position)
    source: str = ""                 # 'producer' / 'input' / 'layer_input': where data is made (producers.py)
    span: tuple | None = None        # constant sites: (first, last) column of the expression on its line

    @property
    def key(self) -> tuple:
        return (self.kind, self.file, self.line, self.operand, self.span, self.wrap is not None)


def numbers_in(message: str) -> list[int]:
    """Sizes named in an error message, in order (no duplicates)."""
    out: list[int] = []
    for m in re.finditer(r"(?<![\d.])(\d+)(?![\d.])", message):
        v = int(m.group(1))
        if v not in out:
            out.append(v)
    return out


def collect(crash) -> list[Site]:
    ev = crash.failing
    sites: list[Site] = []
    seen: set[tuple] = set()

    def add(site: Site):
        if site.key not in seen and site.file and edits.load(site.file) is not None:
            seen.add(site.key)
            sites.append(site)

    consumer = ev.stack if ev is not None and ev.stack else crash.stack
    if ev is not None and ev.where is not None:
        add(Site("call", ev.where.file, ev.where.line, f"runs {ev.name}", event=ev))
    elif crash.symptom is not None:
        add(Site("call", crash.symptom.file, crash.symptom.line, "raised the error"))
    for fr in reversed(crash.stack[:-1]):
        add(Site("call", fr.file, fr.line, f"calls {fr.function or 'the failing code'}", depth=1))
    if ev is not None:
        for i, meta in enumerate(ev.activations):
            for depth, step in _walk(crash.trace, meta):
                line = hoist(step.where, step.stack, consumer) if step.where is not None else None
                if line is None:
                    continue
                out = step.outputs[0] if step.outputs else meta
                add(Site("operand", line.file, line.line, f"it makes operand {i} ({step.name})", operand=i,
                         event=step, meta=out, depth=depth))
                inner = step.where
                if (inner.file, inner.line) != (line.file, line.line) and depth <= HELPER_DEPTH and _is_user(inner.file):
                    # made inside a helper the consumer calls: the helper's own line is a site too
                    # (the bug may be there, one call away, rather than at the call)
                    add(Site("operand", inner.file, inner.line,
                             f"it makes operand {i} ({step.name}) in {inner.function or 'a helper'}",
                             operand=i, event=step, meta=out, depth=depth + 1))
        site = model_input_site(crash, ev)
        if site is not None:
            add(site)
        for site in loss_argument_sites(crash, ev):
            add(site)
        from .producers import producer_sites
        for site in producer_sites(crash):
            add(site)
        for module, why, depth in _modules(crash, ev):
            site = crash.watcher.site(module)
            if site is not None:
                add(Site("ctor", site.file, site.line, why, module=module, depth=depth))
    if ev is None:
        from .producers import producer_sites
        for site in producer_sites(crash):
            add(site)
        # the check that raised ran before any op (an RNN's state, a layer's own assertion):
        # the modules on the traceback are the ones involved
        seen_mods = []
        for loc in reversed(crash.tb_locals):
            m = loc.get("self")
            if m is not None and hasattr(m, "_parameters") and all(m is not o for o in seen_mods):
                seen_mods.append(m)
                site = crash.watcher.site(m)
                if site is not None:
                    add(Site("ctor", site.file, site.line, f"it builds the {type(m).__name__} that raised",
                             module=m, depth=0 if len(seen_mods) == 1 else 1))
    for info in crash.watcher.loaders:
        if info.where is not None and info.iterated:
            add(Site("loader", info.where.file, info.where.line, "batches the data", loader=info, depth=2))
    for site in constants(crash):
        add(site)
    return sites


def model_input_site(crash, ev: OpEvent) -> Site | None:
    """The line that calls the model, when the failing op sees the model's input unchanged:
    an edit of the argument there (``net(x)`` → ``net(x.unsqueeze(1))``) changes what it sees."""
    from ..edit.origin import top_call
    call = top_call(crash.trace, ev.index)
    if call is None or not call.inputs or call.where is None:
        return None
    hit = [i for i, t in enumerate(ev.activations) if tuple(t.shape) == tuple(call.inputs[0].shape)
           and t.producer is None or (t.producer is not None and t.producer < call.start)]
    if not hit:
        return None
    module = crash.watcher.module(call.path)
    names = _names_of(crash, module, call.where)
    if not names:
        return None
    return Site("operand", call.where.file, call.where.line, f"passes the model its input {call.inputs[0]}",
                operand=hit[0], meta=call.inputs[0], depth=2, wrap=(tuple(names), 0))


# ops whose operands are the arguments of the user's call, in order (a loss and its target)
LOSS_OPS = {"cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
            "binary_cross_entropy_with_logits", "kl_div", "cosine_embedding_loss", "margin_ranking_loss",
            "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
            "ctc_loss", "triplet_margin_loss", "multi_margin_loss", "cosine_similarity"}


def loss_argument_sites(crash, ev: OpEvent) -> list[Site]:
    """The failing loss's own call: each argument is an operand, and an edit of the argument
    there (``criterion(out, y.squeeze(1))``) is where a target that is only wrong for this loss
    gets its shape."""
    if ev.where is None or ev.name.split(".")[-1] not in LOSS_OPS:
        return []
    from ..provenance.fixes import _outer_call
    src, node = _outer_call(ev)
    if node is None:
        return []
    name = edits.func_name(node).rsplit(".", 1)[-1]
    n = len([a for a in node.args if a.keyword is None and not a.star])
    return [Site("operand", ev.where.file, ev.where.line, f"passes {name} its argument {i} {t}", operand=i,
                 meta=t, depth=1, wrap=((name,), i)) for i, t in enumerate(ev.activations[:n])]


def _names_of(crash, obj, where: Frame) -> list[str]:
    """Names bound to ``obj`` in the frame that ran ``where`` (``net``, or ``model`` for ``self.model``)."""
    tb = crash.exc.__traceback__
    out = []
    while tb is not None:
        f = tb.tb_frame
        if f.f_code.co_filename == where.file:
            for scope in (f.f_locals, f.f_globals):
                for k, v in list(scope.items()):
                    if v is obj and k not in out:
                        out.append(k)
                me = scope.get("self")
                if me is not None and hasattr(me, "__dict__"):
                    for k, v in list(getattr(me, "_modules", {}).items()):
                        if v is obj and k not in out:
                            out.append(k)
        tb = tb.tb_next
    return out


def _walk(trace, meta: TensorMeta):
    """(depth, event) for the producers of ``meta``, breadth first, nearest first."""
    seen: set[int] = set()
    queue = [(1, meta.producer)] if meta.producer is not None else []
    while queue and len(seen) < SLICE_LIMIT:
        depth, i = queue.pop(0)
        if i is None or i in seen or i >= len(trace.events):
            continue
        seen.add(i)
        step = trace.events[i]
        yield depth, step
        for t in step.activations:
            if t.producer is not None and t.producer not in seen:
                queue.append((depth + 1, t.producer))


def _modules(crash, ev: OpEvent):
    """The modules in the failing op's slice: its own, and the layers that fed each operand."""
    out = []
    own = crash.watcher.module(ev.module) if ev.module else None
    if own is not None:
        out.append((own, f"it builds {ev.module} ({type(own).__name__}), which runs {ev.name}", 0))
    for loc in reversed(crash.tb_locals):
        cand = loc.get("self")
        if cand is not None and cand is not own and hasattr(cand, "forward") and hasattr(cand, "_parameters"):
            out.append((cand, f"it builds the {type(cand).__name__} that raised", 0))
            break
    for meta in ev.activations:
        for step in _layer_steps(crash.trace, meta):
            m = crash.watcher.module(step.module) if step.module else None
            if m is not None and all(m is not o for o, _, _ in out):
                out.append((m, f"it builds {step.module} ({type(m).__name__}), whose output feeds {ev.name}", 1))
    return out


def _layer_steps(trace, meta: TensorMeta, limit: int = 4):
    """Layer ops upstream of ``meta`` (nearest first), at most ``limit``."""
    found = []
    first = feeding_layer(trace, meta)
    if first is not None:
        found.append(first)
    for _, step in _walk(trace, meta):
        if len(found) >= limit:
            break
        if (step.name in LAYER_OPS or step.module_type) and step not in found:
            found.append(step)
    return found


# -- constants whose value is a size in the error ---------------------------------------------
_SAFE_CALLS = {"len", "int", "max", "min", "size", "numel", "item", "dim", "nunique", "sum"}


def constants(crash) -> list[Site]:
    """Module-level assignments and call arguments in the user's files whose value is a size
    named in the error (evaluated in the frame's globals, without calling anything but a few
    pure functions)."""
    nums = set(numbers_in(crash.msg))
    if crash.failing is not None:
        for t in crash.failing.inputs:
            nums.update(d for d in t.shape if isinstance(d, int))
    if any(w in crash.msg for w in ("must match except in dimension", "too small", "can't be greater than")):
        # the input's own sizes are candidates too: the network may not take that size
        for call in crash.trace.modules:
            if call.depth == 0 and call.inputs:
                nums.update(d for d in call.inputs[0].shape[2:] if isinstance(d, int))
    nums.discard(0)
    nums.discard(1)
    if not nums:
        return []
    out: list[Site] = []
    env_by_file = _globals_by_file(crash)
    for file, env in env_by_file.items():
        src = edits.load(file)
        if src is None:
            continue
        try:
            tree = ast.parse("\n".join(src.lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            for expr, where in _candidate_exprs(node):
                value = safe_eval(expr, env)
                # ``N = len(vocab)`` evaluated now may see a list that grew later: the name keeps
                # the value it was given
                if isinstance(node, ast.Assign) and expr is node.value and len(node.targets) == 1 \
                        and isinstance(node.targets[0], ast.Name) and isinstance(env.get(node.targets[0].id), int):
                    value = env[node.targets[0].id]
                if isinstance(value, bool) or not isinstance(value, int) or value not in nums:
                    continue
                text = ast.get_source_segment("\n".join(src.lines), expr) or ""
                said = f"sets {text}{where}" if text.strip().isdigit() else f"sets {text} = {value}{where}"
                span = (expr.col_offset, expr.end_col_offset) if expr.lineno == expr.end_lineno else None
                out.append(Site("constant", file, expr.lineno, said, value=value,
                                text=text, depth=3, span=span))
    return out


def _candidate_exprs(node):
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        yield node.value, ""
        if isinstance(node.value, (ast.Tuple, ast.List)):
            for el in node.value.elts:
                yield el, ""

    elif isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values):
            if not isinstance(v, ast.Dict):
                yield v, f" (entry {k.value!r})" if isinstance(k, ast.Constant) else ""
    elif isinstance(node, ast.Call):
        for a in node.args:
            if not isinstance(a, ast.Starred):
                yield a, ""
        for k in node.keywords:
            if k.arg is not None:
                yield k.value, f" (argument {k.arg})"


def _globals_by_file(crash) -> dict[str, dict]:
    out: dict[str, dict] = {}
    tb = crash.exc.__traceback__
    while tb is not None:
        g = tb.tb_frame.f_globals
        f = g.get("__file__")
        code_file = tb.tb_frame.f_code.co_filename
        if f and os.path.realpath(code_file) == os.path.realpath(f) and code_file not in out \
                and _is_user(code_file):
            out[code_file] = g
        tb = tb.tb_next
    return out


def _is_user(path: str) -> bool:
    from ...capture.source import is_user_file
    return is_user_file(path) and "site-packages" not in path


def safe_eval(expr: ast.AST, env: dict):
    """Evaluate names, attributes, numbers, arithmetic and a few pure calls; None otherwise."""
    try:
        return _ev(expr, env)
    except Exception:  # noqa: BLE001 - an expression we do not evaluate
        return None


def _ev(e, env):
    if isinstance(e, ast.Constant) and isinstance(e.value, (int, float)):
        return e.value
    if isinstance(e, ast.Name):
        if e.id in env:
            v = env[e.id]
            return v if isinstance(v, (int, float, tuple, list)) or _tensor_like(v) or hasattr(v, "__dict__") else None
        raise KeyError(e.id)
    if isinstance(e, ast.Attribute):
        base = _ev(e.value, env)
        if base is None or e.attr.startswith("_"):
            return None
        return getattr(base, e.attr)
    if isinstance(e, ast.BinOp):
        a, b = _ev(e.left, env), _ev(e.right, env)
        ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
               ast.FloorDiv: lambda: a // b, ast.Pow: lambda: a ** b}
        if isinstance(a, int) and isinstance(b, int) and type(e.op) in ops:
            return ops[type(e.op)]()
        return None
    if isinstance(e, ast.Call):
        fn = e.func
        name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
        if name not in _SAFE_CALLS or e.keywords:
            return None
        args = [_ev(a, env) for a in e.args]
        if isinstance(fn, ast.Name):
            f = {"len": len, "int": int, "max": max, "min": min}.get(name)
            return _int(f(*args)) if f is not None else None
        recv = _ev(fn.value, env)
        if recv is None or not _tensor_like(recv) and not hasattr(recv, "nunique"):
            return None
        return _int(getattr(recv, name)(*args))
    if isinstance(e, ast.Subscript):
        base = _ev(e.value, env)
        idx = _ev(e.slice, env)
        if isinstance(idx, int) and isinstance(base, (tuple, list)) or hasattr(base, "shape") and isinstance(idx, int):
            return base[idx]
    return None


def _tensor_like(v) -> bool:
    return hasattr(v, "shape") and hasattr(v, "dtype")


def _int(v):
    try:
        return int(v)
    except Exception:  # noqa: BLE001
        return None


def frame_of(site: Site) -> Frame:
    return Frame(site.file, site.line, "", edits.line_of(site.file, site.line).strip())
