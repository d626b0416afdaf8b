"""Sets of sizes said in words: ``H ≥ 32``, ``H ∈ {32, 33}``, ``H divisible by 16``.

The solver finds the valid sizes by exact search over a range (a boolean numpy array indexed by
size); these helpers turn such arrays back into the few words a person would write.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SizeSet:
    """The sizes of one named dimension that work, over the searched range ``lo..hi``."""
    name: str
    lo: int
    hi: int
    values: list[int] = field(repr=False)
    text: str = ""          # 'H ≥ 32', 'H ∈ {32, 33}', 'H divisible by 16'

    def __contains__(self, v: int) -> bool:
        import bisect
        i = bisect.bisect_left(self.values, v)
        return i < len(self.values) and self.values[i] == v

    def __iter__(self):
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def smallest(self) -> int | None:
        return self.values[0] if self.values else None

    @property
    def every(self) -> bool:
        return len(self.values) == self.hi - self.lo + 1

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict:
        out = {"name": self.name, "searched": [self.lo, self.hi], "text": self.text,
               "smallest": self.smallest, "count": len(self.values)}
        if len(self.values) <= 64:
            out["values"] = list(self.values)
        return out


def size_set(name: str, mask, lo: int) -> SizeSet:
    """``mask[i]`` says whether size ``lo + i`` works."""
    import numpy as np
    mask = np.asarray(mask, dtype=bool)
    values = [int(lo + i) for i in np.flatnonzero(mask)]
    hi = lo + len(mask) - 1
    return SizeSet(name, lo, hi, values, describe(name, mask, lo))


def describe(name: str, mask, lo: int) -> str:
    """Words for the set of sizes where ``mask`` is true (``mask[0]`` is size ``lo``)."""
    import numpy as np
    mask = np.asarray(mask, dtype=bool)
    n = len(mask)
    hi = lo + n - 1
    idx = np.flatnonzero(mask)
    if len(idx) == 0:
        return f"no {name} in {lo}..{hi} works"
    if len(idx) == n:
        return f"any {name}" if lo <= 1 else f"{name} ≥ {lo}"
    vals = [int(lo + i) for i in idx]
    runs = _runs(vals)
    if len(runs) == 1:
        a, b = runs[0]
        if b == hi:
            return f"{name} ≥ {a}"
        if a == b:
            return f"{name} = {a}"
        if b == a + 1:
            return f"{name} ∈ {{{a}, {b}}}"
        return f"{a} ≤ {name} ≤ {b}"
    periodic = _periodic(mask, lo) if len(vals) >= 3 else None
    if periodic is not None:
        return _say_periodic(name, *periodic, vals=vals)
    if len(vals) <= 8:
        return f"{name} ∈ {{{', '.join(map(str, vals))}}}"
    if len(runs) <= 4:
        return f"{name} ∈ " + ", ".join(_say_run(a, b, hi) for a, b in runs)
    return (f"{name} ∈ {{{', '.join(map(str, vals[:6]))}, …}} ({len(vals)} sizes from {vals[0]} "
            f"to {vals[-1]})")


def _runs(vals: list[int]) -> list[tuple[int, int]]:
    out = []
    for v in vals:
        if out and v == out[-1][1] + 1:
            out[-1] = (out[-1][0], v)
        else:
            out.append((v, v))
    return out


def _say_run(a: int, b: int, hi: int) -> str:
    if b == hi:
        return f"{a}.."
    return str(a) if a == b else f"{a}..{b}"


def _periodic(mask, lo: int):
    """(start, period, residues, exceptions) when the mask repeats with a period from some size on."""
    import numpy as np
    n = len(mask)
    for p in range(2, n // 3 + 1):
        diff = np.flatnonzero(mask[p:] != mask[:-p])
        start = 0 if len(diff) == 0 else int(diff[-1]) + 1
        if start > n - 3 * p:
            continue  # fewer than three periods of evidence
        res = sorted(set(((lo + start + np.flatnonzero(mask[start:])) % p).tolist()))
        if not res or len(res) == p:
            continue
        return lo + start, p, res
    return None


def _say_periodic(name: str, start: int, p: int, res: list[int], vals: list[int]) -> str:
    first = next(v for v in vals if v >= start)
    before = [v for v in vals if v < start]
    if res == [0]:
        body = f"{name} divisible by {p}"
    elif len(res) == 1:
        body = f"{name} mod {p} = {res[0]}"
    elif res == list(range(res[0], res[-1] + 1)) and res[0] == 0:
        body = f"{name} mod {p} < {res[-1] + 1}"
    elif res == list(range(res[0], res[-1] + 1)) and len(res) > 2:
        body = f"{name} mod {p} ∈ {res[0]}..{res[-1]}"
    else:
        body = f"{name} mod {p} ∈ {{{', '.join(map(str, res))}}}"
    if first > min(r if r else p for r in res):
        body += f", {name} ≥ {first}"
    if before:
        body = f"{name} ∈ {{{', '.join(map(str, before))}}} or {body}"
    return body


def merge_names(texts: dict[str, str]) -> list[str]:
    """'H ∈ {32, 33}' and 'W ∈ {32, 33}' -> 'H, W ∈ {32, 33}'."""
    groups: dict[str, list[str]] = {}
    order = []
    for name, text in texts.items():
        key = text.replace(name, "\0") if name in text else text
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(name)
    out = []
    for key in order:
        names = groups[key]
        if len(names) > 1 and key.count("\0") == 1 and key.startswith("\0"):
            out.append(key.replace("\0", ", ".join(names)))
        else:
            out.extend(texts[n] for n in names)
    return out
