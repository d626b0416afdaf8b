"""Turn a rich renderable into plain text (for __str__, files and golden tests)."""
from __future__ import annotations

import io


def to_text(renderable, width: int = 120) -> str:
    from rich.console import Console
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False,
                      force_terminal=False, soft_wrap=False)
    console.print(renderable)
    return console.file.getvalue()
