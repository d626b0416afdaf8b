"""Every forward tensorsight runs happens on an isolated copy: on each path (real copy, meta
twins, fake twins) the model comes out exactly as it went in, whatever forward does to itself."""
from __future__ import annotations

import copy
import io
from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.nn as nn

import tensorsight
from tensorsight.capture.fake import fake_repair, fake_trace, meta_trace
from tensorsight.errors import ForwardError

from .helpers import Snapshot


def run(path: str, model, example, **kwargs):
    if path == "default":
        return tensorsight.trace(model, example, **kwargs)
    spec = tensorsight.shape(example) if isinstance(example, tuple) else example
    if path == "meta":
        tr = meta_trace(model, (spec,), kwargs)
        assert tr is not None, "the meta path gave up"
        return tr
    return fake_trace(model, (spec,), kwargs, repair=fake_repair)


PATHS = ["default", "meta", "fake"]


class SideEffects(nn.Module):
    """A forward that changes itself: counters, lists, caches, a plain tensor updated in place,
    numpy's and Python's RNG."""
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)
        self.calls = 0
        self.seen = []
        self.plain = torch.zeros(4)
        self.register_buffer("steps", torch.zeros(()))

    def forward(self, x):
        self.calls += 1
        self.seen.append(tuple(x.shape))
        self.plain.add_(1)
        self.steps += 1
        self.cache = x
        np.random.rand()
        return self.lin(x) + self.plain


class ClampedWeights(nn.Module):
    """A weight constraint applied in forward, in place (the real path copies weights lazily:
    the write must land on the copy)."""
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        self.lin.weight.data.clamp_(-0.01, 0.01)
        return self.lin(x)


def _models():
    lin = nn.Linear(4, 4)
    return {
        "side_effects": (SideEffects, (2, 4)),
        "weights_clamped_in_forward": (ClampedWeights, (2, 4)),
        "shared_module": (lambda: nn.Sequential(lin, nn.ReLU(), lin), (2, 4)),
        "weight_norm": (lambda: nn.utils.weight_norm(nn.Linear(4, 4)), (2, 4)),
        "parametrized_weight_norm": (lambda: nn.utils.parametrizations.weight_norm(nn.Linear(4, 4)), (2, 4)),
        "spectral_norm": (lambda: nn.utils.spectral_norm(nn.Linear(4, 4)), (2, 4)),
        "lstm": (lambda: nn.LSTM(4, 8, batch_first=True), (2, 3, 4)),
        "batchnorm_train": (lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).train(), (2, 1, 5, 5)),
    }


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", sorted(_models()))
def test_forward_side_effects_never_reach_the_model(name, path):
    build, example = _models()[name]
    torch.manual_seed(0)
    model = build()
    np.random.seed(0)
    before = Snapshot.take(model)
    tr = run(path, model, example)
    before.check(model)
    assert tr.outputs and not tr.error
    if isinstance(model, SideEffects):
        assert model.calls == 0 and model.seen == [] and not hasattr(model, "cache")
        assert torch.equal(model.plain, torch.zeros(4))
    for p in model.parameters():
        assert type(p).__name__ != "FakeTensor" and p.device.type == "cpu"


def test_a_model_that_cannot_be_deep_copied_still_traces_on_a_structural_copy():
    class Locked(nn.Module):
        def __init__(self):
            super().__init__()
            import threading
            self.lock = threading.Lock()  # refuses deepcopy
            self.lin = nn.Linear(3, 2)
            self.calls = []

        def forward(self, x):
            self.calls.append(1)
            return self.lin(x)
    model = Locked()
    for path in PATHS:
        before = Snapshot.take(model)
        tr = run(path, model, (1, 3))
        before.check(model)
        assert model.calls == [] and tr.outputs[0].shape == (1, 2)


@pytest.mark.parametrize("path", PATHS)
def test_tied_weights_stay_tied_on_the_meta_and_fake_paths(path):
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, 4)
            self.head = nn.Linear(4, 10, bias=False)
            self.head.weight = self.emb.weight

        def forward(self, ids):
            return self.head(self.emb(ids))
    model = Tied()
    before = Snapshot.take(model)
    tr = run(path, model, tensorsight.shape("2x3:long"))
    before.check(model)
    assert tr.mode == ("real" if path == "default" else path)
    assert tr.outputs[0].shape == (2, 3, 10)
    assert model.head.weight is model.emb.weight


@pytest.mark.parametrize("path", PATHS)
def test_lazy_modules_trace_and_stay_lazy(path):
    model = nn.Sequential(nn.LazyLinear(3), nn.ReLU(), nn.LazyLinear(2))
    tr = run(path, model, (4, 5))
    assert tr.outputs[0].shape == (4, 2)
    assert [tuple(e.inputs[1].shape) for e in tr.find("linear")] == [(3, 5), (2, 3)]
    assert isinstance(model[0], nn.LazyLinear) and model[0].has_uninitialized_params()


def test_a_scripted_module_traces_its_outputs():
    model = torch.jit.script(nn.Sequential(nn.Linear(4, 3), nn.ReLU()))
    for path in ("default", "fake"):
        tr = run(path, model, (2, 4))
        assert tr.outputs[0].shape == (2, 3)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("dtype", ["long", "complex64", "float16"])
def test_a_linear_fed_the_wrong_dtype_fails_as_eager_does(path, dtype):
    x = torch.zeros(2, 4, dtype=getattr(torch, dtype)) if dtype == "complex64" else tensorsight.shape((2, 4), dtype)
    with pytest.raises(RuntimeError) as eager:
        nn.Linear(4, 3)(torch.zeros(2, 4, dtype=getattr(torch, dtype if dtype != "long" else "int64")))
    with pytest.raises(ForwardError) as info:
        run(path, nn.Linear(4, 3), x)
    assert str(info.value).startswith(str(eager.value))
    assert info.value.trace.events[-1].op == "F.linear"


@pytest.mark.parametrize("path", PATHS)
def test_matmul_of_two_dtypes_fails_as_eager_does(path):
    class MM(nn.Module):
        def forward(self, x):
            return x @ torch.ones(4, 2, dtype=torch.float64)
    with pytest.raises(ForwardError, match="same dtype"):
        run(path, MM(), (3, 4))


class Counted(nn.Module):
    calls = 0

    def forward(self, x):
        Counted.calls += 1
        return x @ torch.zeros(3, 3)


def test_a_forward_that_raises_runs_once():
    Counted.calls = 0
    with pytest.raises(ForwardError, match=r"2x4 and 3x3"):
        tensorsight.trace(Counted(), (2, 4))
    assert Counted.calls == 1


Size = namedtuple("Size", "h w")


class Arguments(nn.Module):
    def forward(self, x, mode="nearest", size=(16, 16), grid=Size(2, 8), extra=None, flag=False):
        assert isinstance(mode, str) and size == (16, 16) and isinstance(grid, Size)
        assert extra == {"label": "cat"} and flag is True
        return nn.functional.interpolate(x, size=size, mode=mode).view(grid.h, -1)


@pytest.mark.parametrize("path", PATHS)
def test_non_tensor_arguments_reach_forward_exactly_as_given(path):
    tr = run(path, Arguments(), (1, 1, 4, 4), mode="nearest", size=(16, 16), grid=Size(2, 8),
             extra={"label": "cat"}, flag=True)
    assert tr.outputs[0].shape == (2, 128)
    assert [tuple(m.shape) for m in tr.inputs] == [(1, 1, 4, 4)]


def test_shape_marks_a_keyword_argument_as_a_shape():
    class Masked(nn.Module):
        def forward(self, x, mask):
            return x * mask
    tr = tensorsight.trace(Masked(), (2, 3), mask=tensorsight.shape((2, 3)))
    assert [tuple(m.shape) for m in tr.inputs] == [(2, 3), (2, 3)]
    tr = tensorsight.trace(Masked(), (2, 3), mask="2x3:bool")  # written like a shape: a shape
    assert tr.inputs[1].dtype == "bool"
    assert tensorsight.shape("2x128:long").dtype == "int64" and tensorsight.shape(16).dims == (16,)


def test_a_huge_activation_takes_the_meta_path():
    class Upsampler(nn.Module):  # 2 parameters, a 4 GiB output
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 1, 1)

        def forward(self, x):
            return nn.functional.interpolate(self.conv(x), scale_factor=256)
    tr = tensorsight.trace(Upsampler(), (1, 1, 64, 64))
    assert tr.mode == "meta" and tr.outputs[0].shape == (1, 1, 16384, 16384)


def test_the_model_can_be_saved_and_copied_after_each_path():
    model = SideEffects()
    for path in PATHS:
        run(path, model, (2, 4))
        copy.deepcopy(model)
        torch.save(model, io.BytesIO())


class _Config:
    """A plain object every layer holds (as transformers' config): forward writes to it."""
    def __init__(self):
        self.calls = 0
        self.seen: list[int] = []


class _Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        self.cfg.calls += 1
        self.cfg.seen.append(id(self.cfg))
        return self.lin(x)


class _Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.cfg = _Config()
        self.layers = nn.ModuleList([_Layer(self.cfg) for _ in range(3)])
        self.hooked = 0
        self.register_forward_pre_hook(self._count)  # a hook bound to the module itself

    def _count(self, module, args):
        self.hooked += 1

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        # on the copy, the layers still share one config object, and the bound hook ran on it
        assert self.cfg.calls == len(self.layers) and len(set(self.cfg.seen)) == 1 and self.hooked == 1
        return x


@pytest.mark.parametrize("path", PATHS)
def test_an_object_shared_by_layers_is_copied_once_and_the_users_stays_as_it_was(path):
    model = _Shared()
    before = Snapshot.take(model)
    tr = run(path, model, (2, 4))
    before.check(model)
    assert tr.outputs[0].shape == (2, 4) and not tr.error
    assert model.cfg.calls == 0 and model.cfg.seen == [] and model.hooked == 0
    assert all(layer.cfg is model.cfg for layer in model.layers)


def test_the_copy_shares_nothing_mutable_with_the_model():
    from tensorsight.capture.isolate import isolated_copy
    model = _Shared()
    model.layers[2].lin.weight = model.layers[0].lin.weight  # tied
    cp = isolated_copy(model, lambda t: torch.empty_like(t, device="meta"))
    root = cp.root
    assert root.cfg is not model.cfg and all(layer.cfg is root.cfg for layer in root.layers)
    assert root.layers[2].lin.weight is root.layers[0].lin.weight
    assert root.layers[0].lin.weight.device.type == "meta" and model.layers[0].lin.weight.device.type == "cpu"
    for copied, original in zip(root.modules(), model.modules()):
        assert copied is not original and cp.originals[id(copied)] is original
        for name in ("_parameters", "_buffers", "_modules", "_forward_pre_hooks", "_forward_hooks"):
            assert getattr(copied, name) is not getattr(original, name)
    hook = next(iter(root._forward_pre_hooks.values()))
    assert hook.__self__ is root  # rebound to the copy
    assert {id(t) for t, _ in cp.pairs} == {id(t) for t in model.parameters()}
