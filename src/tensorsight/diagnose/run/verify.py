"""Re-run the script with each warning's fix before offering it: a silent bug's fix is
validated like a crash's (repair/validate.py: a forked child runs the edited source in memory,
the first and last batches of each DataLoader pass).

A fix is kept when the re-run ends without an exception and no longer reports that warning.
Otherwise the finding's alternatives are tried in turn (the first that survives takes the
finding's place); a finding none of whose fixes survive keeps its message, says what the
re-run did, and offers no fix — ``fix --write`` never applies an edit that was seen to fail.
"""
from __future__ import annotations

import os

from ..findings import Finding, Fix
from ..repair import validate

MAX_SECONDS = 30.0     # one re-run, at most
BUDGET_SECONDS = 90.0  # all re-runs of one ``tensorsight run``


def verify(findings: list[Finding], script: validate.Script | None, elapsed: float) -> list[Finding]:
    """``findings`` with each warning's fix checked by a re-run (in order; a spent budget leaves
    the rest as they are)."""
    if script is None or os.environ.get("TENSORSIGHT_VALIDATING") or not hasattr(os, "fork"):
        return findings
    limit = min(MAX_SECONDS, 2.0 * elapsed + 5.0)
    spent = 0.0
    out = []
    for f in findings:
        if f.severity != "warning" or not f.fixes or spent >= BUDGET_SECONDS:
            out.append(f)
            continue
        checked, seconds = _check(f, script, limit)
        spent += seconds
        out.extend(checked)
    return out


def _check(f: Finding, script: validate.Script, limit: float) -> tuple[list[Finding], float]:
    from ..repair import search  # the crash repair: loaded only when a warning has a fix to check
    failures, seconds = [], 0.0
    for option in [f, *f.alternatives]:
        outcome = validate.run_candidate(script, option.fixes, limit, search.followups, cpu_s=limit)
        seconds += outcome.seconds
        if outcome.status in ("timeout", "error"):  # nothing learned: the fix stays, said unverified
            return [_said(option, f"not verified: {outcome.message or 'the re-run did not finish'}")], seconds
        failure = _failure(option, outcome)
        if failure is None:
            tried = f"; tried first: {'; '.join(failures)}" if failures else ""
            return [_said(option, f"re-run with this fix: it runs and this warning is gone{tried}")], seconds
        if outcome.status == "crashed":
            done, more = _completed(option, outcome, script, limit, search)
            seconds += more
            if done:
                return done, seconds
        failures.append(failure)
    return [_said(f, f"no fix offered: {'; '.join(failures)}", fixes=[])], seconds


def _completed(option: Finding, outcome: validate.Outcome, script, limit: float, search) -> tuple[list[Finding], float]:
    """A fix that makes the next layer's size wrong (a per-sample flatten before a Linear sized
    for the mixed rows), completed by the crash repair's own fix for that new crash: the warning
    keeps its line's edit, and each further line gets a finding of its own, as the crash repair
    reports a fix of several lines."""
    seconds = 0.0
    own = {fx.line for fx in option.fixes}
    for more in outcome.followups[:search.FOLLOWUPS]:
        if any(d["line"] in own for d in more):
            continue
        both = option.fixes + [Fix(d["file"], d["line"], d["old"], d["new"]) for d in more]
        second = validate.run_candidate(script, both, limit, cpu_s=limit)
        seconds += second.seconds
        if second.status != "clean" or _failure(_said(option, "", fixes=both), second) is not None:
            continue
        crash = f"{outcome.exc_type} at line {outcome.line}: {outcome.message[:120]}"
        lines = ", ".join(str(d["line"]) for d in more)
        out = [_said(option, f"re-run with this fix: it raises {crash}, so lines {lines} change too; with all of "
                             f"them it runs and this warning is gone")]
        for d in more:
            out.append(Finding("warning", d.get("category") or option.category, d["file"], d["line"],
                               f"the fix for the warning at line {option.line} makes the re-run raise {crash}; "
                               f"this line changes with it: {d['new'].strip()}",
                               [Fix(d["file"], d["line"], d["old"], d["new"])]))
        return out, seconds
    return [], seconds


def _said(f: Finding, note: str, fixes=None) -> Finding:
    """``f`` with what the re-run showed appended (a new Finding: the rule's stays as it was)."""
    return Finding(f.severity, f.category, f.file, f.line, f"{f.message} ({note})" if note else f.message,
                   list(f.fixes if fixes is None else fixes))


def _failure(option: Finding, outcome: validate.Outcome) -> str | None:
    where = ", ".join(f"line {fx.line}" for fx in option.fixes)
    if outcome.status == "crashed":
        at = f" at line {outcome.line}" if outcome.line else ""
        return f"with the edit at {where} the re-run raises {outcome.exc_type}{at}: {outcome.message[:160]}"
    lines = {option.line} | {fx.line for fx in option.fixes}
    said = _head(option.message)
    if any(x.get("category") == option.category and x.get("line") in lines and _head(x.get("message", "")) == said
           for x in outcome.findings):
        return f"with the edit at {where} the re-run still reports it"
    return None


def _head(message: str) -> str:
    """What a warning is about (op, axis, shape: the text before its first colon), so that a
    second warning on the same line (softmax and log_softmax both over the batch) is not taken
    for the one just fixed."""
    return message.split(":", 1)[0][:160]
