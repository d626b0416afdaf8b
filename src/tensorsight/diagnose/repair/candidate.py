"""A candidate repair: the edits, where they come from, and what the re-run said."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..findings import Finding, Fix
from .sites import Site


@dataclass(eq=False)
class Candidate:
    fixes: tuple[Fix, ...]
    template: str
    kind: str                 # 'data', 'layer', 'loss', 'loader', 'number', 'rule'
    site: Site | None
    detail: str               # the edit in words
    prior: float              # higher is validated first
    findings: list[Finding] | None = None   # a rule's own findings (rule candidates)
    layer_change: tuple | None = None       # (module, role, old value, new value) for layer edits
    outcome: object = None                  # validate.Outcome once re-run
    parts: list = field(default_factory=list)  # the candidates a combination is made of
    then: tuple | None = None                  # (category, message) of the second edit of a combination

    same_edit: bool = False                    # every line gets the same substitution (one logical edit)

    @property
    def edits(self) -> int:
        return 1 if self.same_edit else len(self.lines)

    @property
    def lines(self) -> set[tuple[str, int]]:
        return {(f.file, f.line) for f in self.fixes}


@dataclass
class Context:
    crash: object
    sites: list[Site]
    pairs: list[tuple[int, int]]      # (wanted, got) sizes read from the error

    @property
    def ev(self):
        return self.crash.failing


@dataclass(frozen=True)
class Template:
    name: str
    kind: str
    sites: tuple[str, ...]
    make: Callable


# -- what an operand edit does to the failing op's operand -------------------------------------
