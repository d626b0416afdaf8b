"""Findings: what a diagnosis tells the user, in the JSON contract other tools rely on.

    {"severity": "error" | "warning" | "info", "category": str, "file": str, "line": int,
     "message": str, "fixes": [{"file": str, "line": int, "old": str, "new": str}]}

``line`` is the line to change (the root cause), which may differ from where it crashed.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Fix:
    """Replace the whole text of one line (without its line break)."""
    file: str
    line: int
    old: str
    new: str


@dataclass
class Finding:
    severity: str
    category: str
    file: str
    line: int
    message: str
    fixes: list[Fix] = field(default_factory=list)
    # not part of the JSON contract: the same finding with another fix (its own line and message),
    # which the re-run check (run/verify.py) tries when this fix does not survive a re-run
    alternatives: list[Finding] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("alternatives")
        return d

    @property
    def key(self) -> tuple:
        return (self.category, self.file, self.line)


def dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (category, file, line); an error outranks a warning on the same line."""
    rank = {"error": 0, "warning": 1, "info": 2}
    best: dict[tuple, Finding] = {}
    for f in findings:
        old = best.get(f.key)
        if old is None or rank[f.severity] < rank[old.severity]:
            best[f.key] = f
    out = list(best.values())
    out.sort(key=lambda f: (rank[f.severity],))
    return out
