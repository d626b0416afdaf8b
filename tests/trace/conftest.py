"""Options of the tracer's tests.

``pytest tests/trace --update-golden`` rewrites tests/trace/golden/*.txt from the current
output (pytest reads this option only when tests/trace is on the command line; from elsewhere set
``TENSORSIGHT_UPDATE_GOLDEN=1`` instead). Review the diff before committing it.
"""
from __future__ import annotations

import os

import pytest


def pytest_addoption(parser):
    try:
        parser.addoption("--update-golden", action="store_true", default=False,
                         help="rewrite tests/trace/golden/*.txt from the current output")
    except ValueError:  # another conftest already defines it
        pass


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden", default=False)) or \
        os.environ.get("TENSORSIGHT_UPDATE_GOLDEN", "") not in ("", "0")


_HERE = os.path.dirname(os.path.abspath(__file__))
_CLI_FILE = os.path.join(_HERE, "test_cli.py")


def _path(item) -> str:
    return str(getattr(item, "path", ""))


def pytest_collection_modifyitems(session, config, items):
    """Run the CLI tests last among this folder's tests (their subprocesses run meanwhile)."""
    cli = [i for i in items if _path(i) == _CLI_FILE]
    if not cli:
        return
    rest = [i for i in items if _path(i) != _CLI_FILE]
    last = max((n for n, i in enumerate(rest) if _path(i).startswith(_HERE + os.sep)), default=len(rest) - 1)
    items[:] = rest[:last + 1] + cli + rest[last + 1:]


def pytest_collection_finish(session):
    """The CLI tests wait on subprocesses that import torch: start those as soon as the selection
    is known, so they run while the other tests do."""
    if session.config.option.collectonly:
        return
    cli = [i for i in session.items if _path(i) == _CLI_FILE]
    if cli:
        cli[0].module.start_subprocesses()
