"""The memory tensorsight lets one command allocate for what the user asked (docs/limits.md).

A request that would need more (a sparse conv matrix, a dense one) is refused in one sentence
that gives the number, instead of being tried until the machine swaps. The limit is 8 GiB, or
``TENSORSIGHT_MAX_BYTES`` (bytes, e.g. ``TENSORSIGHT_MAX_BYTES=32e9``) when set.
"""
from __future__ import annotations

import os

DEFAULT_MAX_BYTES = 8 * 2 ** 30


def max_bytes() -> int:
    text = os.environ.get("TENSORSIGHT_MAX_BYTES", "").strip()
    try:
        value = int(float(text)) if text else DEFAULT_MAX_BYTES
    except (ValueError, OverflowError):
        return DEFAULT_MAX_BYTES
    return value if value > 0 else DEFAULT_MAX_BYTES


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"
