"""The ``tensorsight`` command line.

Each subcommand lives in its own module ``cli/<name>.py`` with ``register(subparsers)`` and a
``run(args) -> int`` it sets as ``func``. Nothing here imports torch, so ``--help`` is instant.
A user mistake (TensorsightError) prints one sentence and exits with 2, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("trace", "summary", "run", "fix", "solve", "report", "convmat")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``only`` that one (what ``tensorsight run`` pays before
    the user's script starts: the other commands' modules are not imported)."""
    parser = argparse.ArgumentParser(
        prog="tensorsight",
        description="See every tensor shape of a PyTorch forward pass, explained; "
                    "diagnose and fix shape bugs in training scripts.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only in COMMANDS else COMMANDS:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue  # a command not built yet
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..errors import TensorsightError, UserCodeError
    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(given[0] if given else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except TensorsightError as exc:
        print(f"tensorsight: {exc}", file=sys.stderr)
        return 2
    except UserCodeError as exc:
        from .usercode import format_user_traceback
        sys.stderr.write(format_user_traceback(exc.original))
        print(f"tensorsight: {exc.doing} raised {type(exc.original).__name__} (your code, traceback above)",
              file=sys.stderr)
        return 1
    except MemoryError:
        print("tensorsight: ran out of memory; see docs/limits.md for the sizes each command handles",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        from .usercode import die_by_sigint
        print("tensorsight: interrupted", file=sys.stderr)
        die_by_sigint()
        return 130
    except BrokenPipeError:  # `tensorsight trace ... | head`
        import os
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def entry() -> None:
    sys.exit(main())
