"""torchinfo-style fixture models on every path, eval and train: the trace succeeds, its output
shapes are a real forward's, and the model is left exactly as it was."""
from __future__ import annotations

import copy
import random
import warnings

import numpy as np
import pytest
import torch

import tensorsight
from tensorsight.capture.fake import fake_repair, fake_trace, meta_trace

from .conftest import helpers
from .fixture_models import FIXTURES

Snapshot, shapes = helpers.Snapshot, helpers.shapes


def _real_shapes(model, args):
    states = torch.get_rng_state(), random.getstate(), np.random.get_state()
    try:
        with torch.no_grad():
            return shapes(copy.deepcopy(model)(*args))
    finally:
        torch.set_rng_state(states[0])
        random.setstate(states[1])
        np.random.set_state(states[2])


def _trace(path, model, args):
    if path == "default":
        return tensorsight.trace(model, args)
    if path == "meta":
        return meta_trace(model, args, {})
    return fake_trace(model, args, {}, repair=fake_repair)


# known gap: on fake tensors an LSTM's PackedSequence carries fake batch sizes, which
# torch.zeros cannot take as a size (the real and meta paths handle it)
KNOWN_GAPS = {("packed_lstm", "fake")}


def _cases():
    for name in sorted(FIXTURES):
        for path in ("default", "meta", "fake"):
            marks = [pytest.mark.xfail(strict=True, reason="fake batch sizes")] if (name, path) in KNOWN_GAPS else []
            yield pytest.param(name, path, marks=marks, id=f"{name}-{path}")


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("name,path", list(_cases()))
def test_fixture_traces_and_leaves_the_model_as_it_was(name, path, mode):
    build, make_args = FIXTURES[name]
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build()
    model.train(mode == "train")
    args = make_args()
    before = Snapshot.take(model)
    tr = _trace(path, model, args)
    before.check(model)
    if tr is None:  # the meta path declines what meta tensors cannot run (a scripted module)
        assert path == "meta" and isinstance(model, torch.jit.ScriptModule)
        return
    assert not tr.error
    if not name.startswith("lazy"):
        got = [tuple(m.shape) for m in tr.outputs]
        want = _real_shapes(model, args)
        assert got == want, f"{path}: {got} vs real {want}"


def test_params_are_counted_once_when_tied_or_shared():
    for name in ("tied", "shared_in_sequential"):
        model = FIXTURES[name][0]()
        unique = sum(p.numel() for p in model.parameters())
        named = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False))
        assert unique < named  # the same tensor twice
        tr = tensorsight.trace(model, FIXTURES[name][1]())
        weights = {(m.shape, e.module) for e in tr for m in e.inputs if m.role in ("weight", "bias")}
        assert weights
