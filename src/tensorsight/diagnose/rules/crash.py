"""Diagnose a crash: the failing op from the Trace, the root cause line, the fix.

Each rule looks at the exception and the Trace; the first rule that recognises the crash
answers. Rules are general (they read shapes and the producers of tensors), never a file.
"""
from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass

from ...capture.events import Frame, OpEvent, TensorMeta
from ...capture.source import is_user_file
from ...shapes import fmt_shape
from ..edit import edits
from ..findings import Finding
from ..edit.origin import chain, hoist, top_call


@dataclass
class Crash:
    watcher: object
    exc: BaseException
    failing: OpEvent | None
    symptom: Frame | None          # the innermost user line of the traceback
    stack: tuple[Frame, ...]       # user frames of the traceback, outermost first
    tb_locals: list[dict]          # locals of the traceback's frames, innermost last

    @property
    def trace(self):
        return self.watcher.trace

    @property
    def msg(self) -> str:
        return str(self.exc)

    def at(self) -> str:
        if self.symptom is None:
            return ""
        return f"{os.path.basename(self.symptom.file)}:{self.symptom.line} (`{self.symptom.code}`)"

    def finding(self, line_frame: Frame | None, category: str, message: str, fixes=None,
                severity: str = "error") -> Finding | None:
        fr = line_frame or self.symptom
        if fr is None:
            return None
        return Finding(severity, category, fr.file, fr.line, message, list(fixes or []))


def make_crash(watcher, exc: BaseException) -> Crash:
    frames = traceback.extract_tb(exc.__traceback__)
    stack = tuple(make_frame_from_summary(f) for f in frames if is_user_file(f.filename))
    tb_locals = []
    tb = exc.__traceback__
    while tb is not None:
        tb_locals.append(tb.tb_frame.f_locals)
        tb = tb.tb_next
    failing = None
    events = watcher.trace.events
    first = str(exc).split("\n")[0][:200]
    for ev in reversed(events[-50:]):
        if ev.error and first and first in ev.error:
            failing = ev
            break
    return Crash(watcher, exc, failing, stack[-1] if stack else None, stack, tb_locals)


def make_frame_from_summary(f) -> Frame:
    return Frame(f.filename, f.lineno, f.name, (f.line or "").strip())


def diagnose(watcher, exc: BaseException) -> list[Finding]:
    """The rules' answer, then the repair search: every fix reported was validated by a re-run
    of the script when one is possible (see repair/search.py)."""
    crash = make_crash(watcher, exc)
    found = rule_findings(crash)
    if not _is_shape_crash(crash, found) or _sharded(crash):
        return found
    try:
        from ..repair.search import repair
        return repair(crash, found)
    except Exception:  # noqa: BLE001 - the search must never hide the rules' answer
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        return found


def _sharded(crash: Crash) -> bool:
    # a rank of a (simulated) process group: a re-run for validation would not be that rank
    return any(getattr(e, "dist", None) is not None for e in crash.trace.events[-200:])


def rule_findings(crash: Crash) -> list[Finding]:
    from . import table as crash_rules
    for rule in crash_rules.RULES:
        try:
            out = rule(crash)
        except Exception as err:  # noqa: BLE001 - a rule must never hide the user's crash
            if os.environ.get("TENSORSIGHT_DEBUG"):
                raise
            out = None
            _ = err
        if out:
            return [f for f in out if f is not None]
    return [f for f in [generic(crash)] if f is not None]


def _is_shape_crash(crash: Crash, found: list[Finding]) -> bool:
    """Only shape/dtype crashes are searched; any other exception is reported unchanged."""
    if found:
        return True
    return bool(SHAPE_WORDS.search(crash.msg)) and isinstance(crash.exc, (RuntimeError, ValueError, IndexError))


SHAPE_WORDS = re.compile(r"shape|size|dimension|mat1|mat2|broadcast|channels|expected .*input|"
                         r"batch_size|must match|invalid for input|index out of range|target|"
                         r"scalar type|dtype|running_mean|elements|multi-target|3D|4D|2D|num_classes", re.I)


def generic(crash: Crash) -> Finding | None:
    """Any other exception: say which op and shapes if it is about shapes, else pass it on."""
    if not SHAPE_WORDS.search(crash.msg) or not isinstance(crash.exc, (RuntimeError, ValueError, IndexError)):
        return None
    if crash.failing is None and not _through_torch(crash.exc):
        return None
    ev = crash.failing
    where = crash.symptom
    if ev is not None:
        operands = ", ".join(fmt_shape(t.shape, t.dtype) for t in ev.activations) or "-"
        message = (f"{ev.op} {('in ' + ev.module + ' ') if ev.module else ''}failed at {crash.at()} "
                   f"on operands {operands}: {crash.msg.splitlines()[0]}")
    else:
        message = f"{type(crash.exc).__name__} at {crash.at()}: {crash.msg.splitlines()[0]}"
    m = re.search(r"mat1 and mat2 shapes cannot be multiplied \((\d+)x(\d+) and (\d+)x(\d+)\)", crash.msg)
    if m:
        k1, k2 = m.group(2), m.group(3)
        message += (f"; a matrix product needs the left operand's last size to equal the right one's first: "
                    f"{k1} ≠ {k2}")
    return crash.finding(where, "shape", message)


def _through_torch(exc: BaseException) -> bool:
    from ...capture.source import _TORCH_DIR
    return any(f.filename.startswith(_TORCH_DIR) for f in traceback.extract_tb(exc.__traceback__))


def consumer_stack(crash: Crash, ev: OpEvent | None = None) -> tuple[Frame, ...]:
    if ev is not None and ev.stack:
        return ev.stack
    return crash.stack


def model_input(crash: Crash, ev: OpEvent) -> TensorMeta | None:
    call = top_call(crash.trace, ev.index)
    if call is None or not call.inputs:
        return None
    return call.inputs[0]


def origin_fix(crash: Crash, meta: TensorMeta, keep, suffix_for, consumer: tuple[Frame, ...],
               newest: bool = False):
    """Find where ``keep`` first held on ``meta``'s history and append a call there.

    ``newest=True`` fixes the tensor as it was last made (a missing batch axis belongs where the
    model's input is assigned, not where the image was read).
    """
    walk = chain(crash.trace, meta, keep)
    if not walk:
        return None, None
    if newest:
        walk = list(reversed(walk))
    first = walk[-1]
    line = hoist(first.where, first.stack, consumer)
    if line is None:
        return None, None
    suffix = suffix_for(first.outputs[0] if first.outputs else meta)
    fixes = edits.append_call(line.file, line.line, suffix)
    if not fixes:
        # the origin line is not an assignment: try the newest event of the walk instead
        for ev in walk:
            alt = hoist(ev.where, ev.stack, consumer)
            if alt is not None and alt != line:
                fixes = edits.append_call(alt.file, alt.line, suffix_for(ev.outputs[0] if ev.outputs else meta))
                if fixes:
                    return alt, fixes
        # the consumer's line cannot take the call (the tensor is made inside a helper called
        # from a dict or a call's arguments): append it where the helper makes it
        if first.where is not None and first.where != line:
            fixes = edits.append_call(first.where.file, first.where.line, suffix)
            if fixes:
                return first.where, fixes
        return line, None
    return line, fixes


