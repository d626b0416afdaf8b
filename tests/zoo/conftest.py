"""The zoo: ``TENSORSIGHT_ZOO=full`` runs every architecture; by default a representative subset."""
from __future__ import annotations

import importlib.util
import os
import sys

FULL = os.environ.get("TENSORSIGHT_ZOO", "") == "full"


def _load_helpers():
    """tests/trace/helpers.py (the state check), loaded by path: the folders are not packages
    of one tree."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "trace", "helpers.py")
    spec = importlib.util.spec_from_file_location("_tensorsight_trace_helpers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


helpers = _load_helpers()
