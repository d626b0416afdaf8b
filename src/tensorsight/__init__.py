"""tensorsight: every tensor shape of a PyTorch forward pass, explained, and shape bugs fixed.

The public API is re-exported here lazily (importing tensorsight does not import torch until a
function is used, so the command line starts fast).
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    # capture: the data model and the tracer
    "trace": "capture.api", "Trace": "capture.events", "OpEvent": "capture.events",
    "TensorMeta": "capture.events", "ModuleCall": "capture.events", "shape": "capture.inputs",
    # analysis
    "explain_shape": "analysis.explain", "symbolic": "analysis.symbolic", "solve": "analysis.solve",
    "summary": "analysis.summary",
    "explain": "diagnose.run.context", "watch": "diagnose.run.context",
    # layer algebra
    "conv_matrix": "algebra.conv_matrix", "conv_to_linear": "algebra.conv_matrix",
    "explain_im2col": "algebra.im2col",
    # regularization
    "regularize": "regularize", "L1": "regularize", "L2": "regularize",
    "ElasticNet": "regularize", "GroupLasso": "regularize",
    # pictures
    "to_svg": "render.svg", "to_html": "render.html",
    # errors
    "TensorsightError": "errors",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'tensorsight' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__


def load_ipython_extension(ipython):  # %load_ext tensorsight
    from .diagnose.run.ipython import load_ipython_extension as load
    load(ipython)
