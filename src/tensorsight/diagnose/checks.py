"""What ``tensorsight run`` checks, and when: at the first optimizer step, at a crash, at the end."""
from __future__ import annotations

import os
import sys

import torch

from ..shapes import fmt_shape
from . import crash as crash_mod
from . import edits
from .findings import Finding
from .silent import silent_findings


def install(watcher) -> None:
    watcher.first_step_findings = []
    watcher.findings_crash = []
    watcher.step_findings = []
    watcher.on_first_step.append(first_step)
    try:
        from ..regularize import L1Watch
    except ImportError:
        L1Watch = None
    if L1Watch is not None:
        l1 = L1Watch()
        watcher.on_step.append(lambda w, opt: _l1_step(w, l1, opt))


L1_STEPS = 12  # the seed's oscillation shows by step 5; watching longer costs ~3 ms a step


def _l1_step(watcher, l1, optimizer) -> None:
    if watcher.steps > L1_STEPS:
        return
    try:
        for f in l1.after_step(optimizer) or []:
            watcher.step_findings.append(Finding(f["severity"], f["category"], f["file"], f["line"],
                                                 f["message"], []))
    except Exception:  # noqa: BLE001 - a diagnosis must never break training
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise


def first_step(watcher) -> None:
    """Checks that need the first optimizer step: unused parameters, the last partial batch."""
    found: list[Finding] = []
    try:
        found += unused_parameters(watcher)
        found += last_batch_rehearsal(watcher)
        found += silent_findings(watcher)
    except Exception:  # noqa: BLE001
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
    watcher.first_step_findings = found
    for f in found:
        if f.severity != "info":
            print(f"tensorsight: {f.severity} at {os.path.basename(f.file)}:{f.line}: {f.message}",
                  file=getattr(watcher, "stream", None) or sys.stderr)


def unused_parameters(watcher) -> list[Finding]:
    out = []
    for opt in watcher.optimizers:
        params = {id(p) for g in opt.param_groups for p in g["params"] if p.requires_grad and p.grad is None}
        if not params:
            continue
        for module, site in list(watcher.module_sites.items()):
            own = list(module.parameters(recurse=False))
            if site is None or not own or not all(id(p) in params for p in own):
                continue
            if any(child_has_grad(module)):
                continue
            n = sum(p.numel() for p in own)
            msg = (f"{type(module).__name__} created here has {n} parameters that got no gradient in the first "
                   f"step: it never takes part in the forward pass or the loss (defined but not called?)")
            out.append(Finding("warning", "unused_parameters", site.file, site.line, msg, []))
    return out


def child_has_grad(module):
    for p in module.parameters():
        yield p.grad is not None


def last_batch_rehearsal(watcher) -> list[Finding]:
    """Run the model on fake tensors with the size of each loader's last, partial batch."""
    from ..capture.fake import trace as fake_trace
    from ..errors import ForwardError
    from ..shapes import ShapeSpec
    out = []
    tr = watcher.trace
    for info in watcher.loaders:
        r = info.last_batch
        if not info.iterated or r is None or info.where is None:
            continue
        for call in tr.modules:
            if call.depth != 0 or not call.inputs or call.inputs[0].shape[:1] != (info.batch_size,):
                continue
            module = watcher.module(call.path)
            if module is None:
                continue
            specs = tuple(ShapeSpec((r, *m.shape[1:]) if m.shape[:1] == (info.batch_size,) else m.shape, m.dtype)
                          for m in call.inputs)
            try:
                fake_trace(module, args=specs)
            except ForwardError as exc:
                last = exc.trace.events[-1] if exc.trace and exc.trace.events else None
                where = f" at {os.path.basename(last.where.file)}:{last.where.line}" if last and last.where else ""
                full = info.dataset_len // info.batch_size
                fixes = edits.add_kwarg(info.where.file, info.where.line, ("DataLoader",), "drop_last", "True")
                msg = (f"the last batch of each epoch will crash: {info.dataset_len} = {full}·{info.batch_size} + {r} "
                       f"samples, and the model fails on a batch of {r} ({fmt_shape(specs[0].dims)}){where}: "
                       f"{str(exc).splitlines()[0]}; drop the partial batch with drop_last=True")
                out.append(Finding("warning", "last_partial_batch", info.where.file, info.where.line, msg, fixes or []))
            except Exception:  # noqa: BLE001 - the rehearsal could not run: say nothing
                pass
            break
    return out


def diagnose_crash(watcher, exc: BaseException) -> list[Finding]:
    if isinstance(exc, (KeyboardInterrupt, SystemExit)):
        return []
    try:
        return crash_mod.diagnose(watcher, exc)
    except Exception:  # noqa: BLE001
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
        return []


def final_findings(watcher) -> list[Finding]:
    found = list(getattr(watcher, "findings_crash", []))
    found += getattr(watcher, "first_step_findings", [])
    found += getattr(watcher, "step_findings", [])
    try:
        found += silent_findings(watcher)
        if watcher.steps == 0 and watcher.optimizers == []:
            found += last_batch_rehearsal(watcher)
    except Exception:  # noqa: BLE001
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
    return found


_ = torch
