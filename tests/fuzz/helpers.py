"""Run the CLI in-process and read what a user would see."""
from __future__ import annotations

import os
import re

from tensorsight.cli import main

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = os.path.join(HERE, "targets.py")
# a line of a traceback that points into tensorsight itself
OWN_FRAME = re.compile(r'File ".*[/\\]tensorsight[/\\](?!tests)')


def cli(argv, capsys) -> tuple[int, str, str]:
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's own usage errors
        rc = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return rc, out, err


def assert_user_mistake(rc: int, err: str, argv) -> None:
    """Exit 2, no traceback, one sentence (argparse: its usage line and one error line)."""
    assert rc == 2, (argv, rc, err)
    assert "Traceback" not in err, (argv, err)
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert lines, (argv, "no message")
    if lines[0].startswith("usage:"):
        assert "error:" in err, (argv, err)
    else:
        assert len(lines) == 1 and lines[0].startswith("tensorsight: "), (argv, err)
