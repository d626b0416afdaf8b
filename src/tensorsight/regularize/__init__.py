"""Per-layer regularization done right: L1, L2, elastic net and group lasso on chosen
parameters, as a loss term (``mode="penalty"``) or as an exact proximal step after
``optimizer.step()`` (``mode="proximal"``, exact zeros), with a diagnosis of penalties that make
weights oscillate and a report of sparsity and norm over training. See docs/regularization.md.

    import tensorsight
    from tensorsight import L1, GroupLasso
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(0.1),
                                         "features.*.weight": GroupLasso(1e-3)})
    reg.attach(optimizer)        # prox after every optimizer.step()
    ...
    rich.print(reg.report()); reg.plot("reg.svg")
"""
from __future__ import annotations

import sys
import types

from .diagnose import L1Watch, check_history, user_site
from .penalties import L1, L2, ElasticNet, GroupLasso, Penalty, soft_threshold
from .regularizer import Regularizer, live_regularizers, regularize

__all__ = ["regularize", "Regularizer", "L1", "L2", "ElasticNet", "GroupLasso", "Penalty",
           "L1Watch", "check_history", "soft_threshold", "live_regularizers", "user_site"]


class _CallableModule(types.ModuleType):
    """``tensorsight.regularize`` is both this package and the function: once the package is
    imported, Python binds the name on ``tensorsight`` to the package, so the package forwards
    calls to ``regularize()``. ``tensorsight.regularize(model, {...})`` works either way."""

    def __call__(self, *args, **kwargs):
        return regularize(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
