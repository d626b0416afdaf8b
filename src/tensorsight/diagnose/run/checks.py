"""What ``tensorsight run`` checks, and when: at the first optimizer step, at a crash, at the end."""
from __future__ import annotations

import contextlib
import os
import sys

import torch

from ...shapes import fmt_shape
from ..rules import crash as crash_mod
from ..edit import edits
from ..findings import Finding
from ..provenance.silent import silent_findings


def install(watcher) -> None:
    watcher.first_step_findings = []
    watcher.findings_crash = []
    watcher.step_findings = []
    watcher.on_first_step.append(first_step)
    try:
        from ...regularize import L1Watch
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
    """Checks that need the first optimizer step: the last partial batch, the silent bugs."""
    found: list[Finding] = []
    try:
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
    """Trained parameters of a module that never ran in the whole run (checked at the end, so a
    block skipped at random in one step — stochastic depth, LayerDrop — has had its chances).

    A module that ran but got no gradient was cut off on purpose (``detach``, ``no_grad``, a frozen
    embedding); one that never ran wastes memory but cannot make training wrong, and a head unused
    by design looks the same as a forgotten call: so this is information, not a warning."""
    out = []
    called = {id(ref()) for ref in watcher.recorder.module_objects.values() if ref() is not None}
    trained = {id(p) for opt in watcher.optimizers for g in opt.param_groups for p in g["params"] if p.requires_grad}
    if not trained:
        return out
    for module, site in list(watcher.module_sites.items()):
        own = [p for p in module.parameters(recurse=False) if id(p) in trained]
        if site is None or not own or id(module) in called or _ran_inside(module, called):
            continue
        if any(p.grad is not None for p in module.parameters()):
            continue
        n = sum(p.numel() for p in own)
        msg = (f"{type(module).__name__} created here has {n} trained parameters but never ran in this run "
               f"(defined but not called?): they get no gradient")
        out.append(Finding("info", "unused_parameters", site.file, site.line, msg, []))
    return out


def _ran_inside(module, called) -> bool:
    """A container whose children ran (its own parameters are used by their code)."""
    return any(id(m) in called for m in module.modules() if m is not module)


def _last_batch(info) -> int | None:
    """Size of the loader's last, partial batch, counting what its sampler hands out."""
    loader = info.loader() if info.loader is not None else None
    if loader is None or not info.batch_size or info.drop_last:
        return info.last_batch
    try:
        n = len(loader.sampler)
    except TypeError:
        return None
    rest = n % info.batch_size
    return rest or None


@contextlib.contextmanager
def _unwatched(watcher):
    """Rehearsals run on fake twins of the user's modules: keep them out of the watcher's trace
    (their module calls and ops would be taken for the user's)."""
    # a counter, not exiting and re-entering the mode: another mode (a process group's DTensor
    # tap) may be above it on torch's mode stack, and exiting would pop that one instead
    rec = watcher.recorder
    rec.suspended += 1
    try:
        yield
    finally:
        rec.suspended -= 1


def last_batch_rehearsal(watcher) -> list[Finding]:
    with _unwatched(watcher):
        return _rehearse(watcher)


def _rehearse(watcher) -> list[Finding]:
    """Run the model on fake tensors with the size of each loader's last, partial batch.

    Only a failure specific to the partial batch is reported: when the same rehearsal with a
    full batch fails too, every batch has the problem (or the rehearsal cannot run this model)."""
    from ...capture.fake import trace as fake_trace
    from ...errors import ForwardError
    from ...shapes import ShapeSpec
    from .retrace import kwarg_specs
    out = []
    tr = watcher.trace
    for info in watcher.loaders:
        r = _last_batch(info)
        if not info.iterated or r is None or info.where is None:
            continue
        for call in tr.modules:
            if call.depth != 0 or not call.inputs or call.inputs[0].shape[:1] != (info.batch_size,):
                continue
            module = watcher.module(call.path)
            if module is None:
                continue

            def specs_of(b):
                return tuple(ShapeSpec((b, *m.shape[1:]) if m.shape[:1] == (info.batch_size,) else m.shape, m.dtype)
                             for m in call.inputs)
            # the keyword inputs too (``attention_mask=``), cut to the same batch
            kw = kwarg_specs(call.kwargs, (info.batch_size, r))
            specs = specs_of(r)
            try:
                fake_trace(module, args=specs, kwargs=kw)
            except ForwardError as exc:
                if not _runs(fake_trace, module, specs_of(info.batch_size), kwarg_specs(call.kwargs)):
                    break  # every batch fails the same way: not the last batch's problem
                last = exc.trace.events[-1] if exc.trace and exc.trace.events else None
                where = f" at {os.path.basename(last.where.file)}:{last.where.line}" if last and last.where else ""
                n = r + (_len(info) // info.batch_size) * info.batch_size
                full = n // info.batch_size
                fixes = edits.add_kwarg(info.where.file, info.where.line, ("DataLoader",), "drop_last", "True")
                msg = (f"the last batch of each epoch will crash: {n} = {full}·{info.batch_size} + {r} "
                       f"samples, and the model fails on a batch of {r} ({fmt_shape(specs[0].dims)}){where}: "
                       f"{str(exc).splitlines()[0]}; drop the partial batch with drop_last=True")
                out.append(Finding("warning", "last_partial_batch", info.where.file, info.where.line, msg, fixes or []))
            except Exception:  # noqa: BLE001 - the rehearsal could not run: say nothing
                pass
            break
    return out


def _len(info) -> int:
    loader = info.loader() if info.loader is not None else None
    try:
        return len(loader.sampler) if loader is not None else (info.dataset_len or 0)
    except TypeError:
        return info.dataset_len or 0


def _runs(fake_trace, module, specs, kwargs=None) -> bool:
    try:
        fake_trace(module, args=specs, kwargs=kwargs)
        return True
    except Exception:  # noqa: BLE001
        return False


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
    crash = list(getattr(watcher, "findings_crash", []))
    found = list(getattr(watcher, "first_step_findings", []))
    found += getattr(watcher, "step_findings", [])
    try:
        found += silent_findings(watcher)
        found += unused_parameters(watcher)
        if watcher.steps == 0 and watcher.optimizers == []:
            found += last_batch_rehearsal(watcher)
    except Exception:  # noqa: BLE001
        if os.environ.get("TENSORSIGHT_DEBUG"):
            raise
    if not crash:
        found = [_contradicted(watcher, f) or f for f in found]
    if getattr(watcher, "crash_fix_clean", False):
        found = [_resolved(f, crash) for f in found]
    return crash + found


def _contradicted(watcher, f: Finding) -> Finding | None:
    """A rehearsal's "the last batch will crash" on a run that ended on its own after its model
    took that very batch: the rehearsal replayed the model without what the loop does before it
    (a state reset to the batch's size), and the real run shows the batch works. The warning
    printed at the first step is taken back as information (None: not contradicted)."""
    if f.category != "last_partial_batch" or f.severity == "info":
        return None
    for info in watcher.loaders:
        r = _last_batch(info)
        if r is None or info.where is None or (info.where.file, info.where.line) != (f.file, f.line):
            continue
        if any(call.depth == 0 and call.inputs and call.inputs[0].shape[:1] == (r,) for call in watcher.trace.modules):
            return Finding("info", f.category, f.file, f.line,
                           f"{f.message} — taken back: the run's model then took its last batch of {r} without a "
                           f"crash (the rehearsal at the first step replays the model alone, without what the loop "
                           f"does before it)", [])
    return None


def _resolved(f: Finding, crash: list[Finding]) -> Finding:
    """A warning of a run whose crash fix was validated clean (the re-run with it reported
    nothing, this warning included): the same bug, said once with its fix at the root cause."""
    if f.severity != "warning" or any((c.file, c.line) == (f.file, f.line) for c in crash):
        return f
    root = next((c for c in crash if c.fixes), None)
    if root is None:
        return f
    where = f"{os.path.basename(root.file)}:{root.line}"
    return Finding("info", f.category, f.file, f.line,
                   f"{f.message} (the fix at {where} for the crash removes this too: the re-run with it is clean)", [])


_ = torch
