"""Trace varied models on fake tensors and compare every op with a real forward pass recorded by
our own Recorder; the model and torch's global state must come out exactly as they went in."""
from __future__ import annotations

import copy
import importlib.util
import linecache
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest
import torch

import tensorsight
from tensorsight.capture.fake import fake_repair
from tensorsight.capture.fake import trace as fake_trace
from tensorsight.errors import ForwardError

from . import models as M
from .helpers import Snapshot, assert_same_events, real_trace, shapes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
OWN_DIR = os.path.dirname(tensorsight.__file__) + os.sep


def example(name: str):
    path = os.path.join(EXAMPLES, f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"_trace_tests_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Case:
    id: str
    build: Callable[[], torch.nn.Module]
    example: Any                      # what tensorsight.trace gets (shapes, specs, tensors)
    args: Callable[[], tuple]         # real tensors for the real run
    expected: list[tuple]             # output shapes, written out by hand
    kwargs: dict = field(default_factory=dict)           # keyword inputs for the fake trace
    real_kwargs: Callable[[], dict] = dict                # ... and for the real run
    files: tuple[str, ...] = ("models.py",)               # where the ops' user lines are


def seeded(factory):
    def build():
        torch.manual_seed(0)
        return factory()
    return build


def on_meta(factory):
    def build():
        with torch.device("meta"):
            return factory()
    return build


def ids(*shape, high=10):
    return torch.randint(1, high, shape)


CASES = [
    Case("cnn_batchnorm_dropout_train", seeded(lambda: M.BNDropCNN().train()), (2, 3, 32, 32),
         lambda: (torch.randn(2, 3, 32, 32),), [(2, 10)]),
    Case("resnet_block_skip", seeded(lambda: M.TinyResNet().eval()), (2, 3, 16, 16),
         lambda: (torch.randn(2, 3, 16, 16),), [(2, 5)]),
    Case("lstm_tagger", seeded(M.LSTMTagger), "7:long", lambda: (ids(7, high=20),), [(7, 3)]),
    Case("lstm_tuple_output", seeded(M.LSTMTuple), (2, 5, 4), lambda: (torch.randn(2, 5, 4),),
         [(2, 5, 12), (4, 2, 6), (4, 2, 6)]),
    Case("transformer_encoder_batch_first_train", seeded(lambda: M.Encoder(True).train()), (2, 5, 16),
         lambda: (torch.randn(2, 5, 16),), [(2, 5, 16)]),
    Case("transformer_encoder_seq_first_eval", seeded(lambda: M.Encoder(False).eval()), (5, 2, 16),
         lambda: (torch.randn(5, 2, 16),), [(5, 2, 16)]),
    Case("unet_cat", seeded(M.UNetish), (1, 1, 16, 16), lambda: (torch.randn(1, 1, 16, 16),), [(1, 2, 8, 8)]),
    Case("embedding_token_ids", seeded(M.BagOfEmbeddings), "2x16:long", lambda: (ids(2, 16, high=50),),
         [(2, 4)]),
    Case("dict_input", seeded(M.DictInput), {"image": (2, 3, 8, 8), "tokens": "2x5:long"},
         lambda: ({"image": torch.randn(2, 3, 8, 8), "tokens": ids(2, 5, high=30)},), [(2, 2)]),
    Case("forward_kwargs", seeded(M.KwargsForward), (2, 4, 8), lambda: (torch.randn(2, 4, 8),), [(2, 4, 8)],
         kwargs={"mask": tensorsight.shape((2, 4, 4)), "scale": 0.5},
         real_kwargs=lambda: {"mask": torch.ones(2, 4, 4), "scale": 0.5}),
    Case("dataclass_output", seeded(M.DataclassOut), (4, 6), lambda: (torch.randn(4, 6),),
         [(4, 3), (4, 10), (5, 4), (2, 4, 5)]),
    Case("built_on_meta", on_meta(M.MetaMLP), (2, 4, 10), lambda: (torch.randn(2, 4, 10, device="meta"),),
         [(2, 3)]),
    Case("example_lenet", seeded(lambda: example("lenet").Net()), (1, 1, 32, 32),
         lambda: (torch.randn(1, 1, 32, 32),), [(1, 10)], files=("lenet.py",)),
    Case("example_cats_dogs", seeded(lambda: example("cats_dogs").Net(num_channels=4)), "2x1x64x64",
         lambda: (torch.randn(2, 1, 64, 64),), [(2, 2)], files=("cats_dogs.py",)),
    Case("tensor_example", seeded(M.UNetish), torch.randn(1, 1, 8, 8), lambda: (torch.randn(1, 1, 8, 8),),
         [(1, 2, 4, 4)]),
]


def fake_only(model, example, **kwargs):
    """capture.fake.trace with an explicit repair: always on fake tensors, never a fast path."""
    return fake_trace(model, example, kwargs=kwargs, repair=fake_repair)


TRACERS = {"api": tensorsight.trace, "fake": fake_only}


@pytest.mark.parametrize("tracer", sorted(TRACERS))
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_trace_matches_real_run_and_leaves_model_untouched(case: Case, tracer: str):
    model = case.build()
    untraced = copy.deepcopy(model)
    before = Snapshot.take(model)
    fake = TRACERS[tracer](model, case.example, **case.kwargs)
    before.check(model)
    assert fake.mode == "fake" if tracer == "fake" else fake.mode in ("fake", "meta", "real")

    args, kwargs = case.args(), case.real_kwargs()
    real, out = real_trace(copy.deepcopy(model), args, kwargs)
    assert_same_events(fake, real)
    assert [tuple(m.shape) for m in fake.outputs] == shapes(out) == case.expected
    assert [tuple(m.shape) for m in fake.inputs] == shapes((args, kwargs))
    assert all(m.role == "input" for m in fake.inputs)
    assert fake.model == type(model).__name__ and not fake.error
    assert len(fake) >= 3

    for e in fake:  # every op points at the user's line, never into torch or tensorsight
        assert e.where is not None, e
        assert not e.where.file.startswith((TORCH_DIR, OWN_DIR)), e.where
        assert os.path.basename(e.where.file) in case.files, e.where
        assert e.where.code == linecache.getline(e.where.file, e.where.line).strip() != ""
        assert e.stack and e.stack[-1] == e.where
        assert all(t.known for t in e.outputs)

    if next(model.parameters()).device.type != "meta":  # the traced model computes as before
        torch.manual_seed(1)
        got = model(*args, **kwargs)
        torch.manual_seed(1)
        want = untraced(*args, **kwargs)
        for a, b in zip(_flat(got), _flat(want)):
            assert torch.equal(a, b)


def _flat(value) -> list[torch.Tensor]:
    from tensorsight.capture.recorder import _walk_tensors
    out: list[torch.Tensor] = []
    _walk_tensors(value, out.append)
    return out


def test_batchnorm_statistics_and_dropout_rng_untouched_in_train_mode():
    torch.manual_seed(0)
    model = M.BNDropCNN().train()
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    stats = [(bn.running_mean.clone(), bn.running_var.clone(), bn.num_batches_tracked.clone()) for bn in bns]
    objects = [(bn.running_mean, bn.running_var, bn.num_batches_tracked) for bn in bns]
    torch.manual_seed(1234)
    rng = torch.get_rng_state()
    trace = tensorsight.trace(model, (4, 3, 32, 32))
    assert torch.equal(torch.get_rng_state(), rng)
    assert torch.randint(0, 2**31, (1,)).item() == _after_seed(1234)  # the next random number is the same
    for bn, (mean, var, count), (m0, v0, c0) in zip(bns, stats, objects):
        assert bn.running_mean is m0 and bn.running_var is v0 and bn.num_batches_tracked is c0
        assert torch.equal(bn.running_mean, mean) and torch.equal(bn.running_var, var)
        assert bn.num_batches_tracked.item() == count.item() == 0
        assert bn.running_mean.device.type == "cpu" and not isinstance(bn.running_mean,
                                                                      torch._subclasses.FakeTensor)
    assert all(m.training for m in model.modules())
    ops = [e.op for e in trace]
    assert ops.count("F.batch_norm") == 2 and ops.count("F.dropout2d") == 1 and ops.count("F.dropout") == 2
    # BatchNorm's num_batches_tracked += 1 is bookkeeping, not an op of the forward
    assert not any(e.op.endswith("add_") for e in trace)


def _after_seed(seed: int) -> int:
    torch.manual_seed(seed)
    return torch.randint(0, 2**31, (1,)).item()


def test_eval_mode_stays_eval_and_train_mode_stays_train():
    model = M.TinyResNet()
    model.train()
    model.layer1.eval()  # mixed modes survive as they were
    tensorsight.trace(model, (1, 3, 16, 16))
    assert model.training and model.layer2.training and model.stem.training
    assert not model.layer1.training and not model.layer1.bn1.training


def test_meta_model_stays_on_meta_and_trace_reports_cpu():
    with torch.device("meta"):
        model = M.MetaMLP()
    trace = tensorsight.trace(model, (2, 4, 10))
    assert all(p.device.type == "meta" for p in model.parameters())
    assert [tuple(m.shape) for m in trace.outputs] == [(2, 3)]
    assert {m.device for e in trace for m in e.outputs} == {"cpu"}
    assert any(e.op == "torch.gru" or e.op.endswith("gru") for e in trace)


def test_weights_are_marked_apart_from_activations():
    trace = tensorsight.trace(M.TinyResNet().eval(), (1, 3, 16, 16))
    conv = trace.find("conv2d")[0]
    assert [m.role for m in conv.inputs] == ["input", "weight", "bias"]
    bn = trace.find("batch_norm")[0]
    assert [m.role for m in bn.inputs].count("buffer") == 2  # running_mean, running_var
    adds = [e for e in trace if e.op in ("Tensor.add_", "Tensor.__iadd__")]  # out += shortcut(x)
    assert [e.module for e in adds] == ["layer1", "layer2"]
    assert [e.where.code for e in adds] == ["out += self.shortcut(x)"] * 2
    # layer1's shortcut is an empty Sequential: the skip carries the stem's output itself
    assert [trace[p].module for p in adds[0].producers] == ["layer1.bn2", "stem"]
    assert [trace[p].module for p in adds[1].producers] == ["layer2.bn2", "layer2.shortcut.1"]
    assert trace.module_call("layer1.shortcut").start == trace.module_call("layer1.shortcut").end


def test_forward_error_matches_real_run_up_to_the_failing_op(capsys):
    """examples/cnn_16_400.py: view(16, 400) on 16·24·5·5 elements fails the same way for real."""
    cnn = example("cnn_16_400")
    torch.manual_seed(0)
    model = cnn.ConvNet()
    before = Snapshot.take(model)
    with pytest.raises(ForwardError) as info:
        tensorsight.trace(model, (2, 3, 64, 64))
    before.check(model)
    fake = info.value.trace
    with pytest.raises(RuntimeError, match="invalid for input of size 1200"):
        real_trace(copy.deepcopy(model), (torch.randn(2, 3, 64, 64),))
    last = fake.events[-1]
    assert last.op == "Tensor.view" and "invalid for input of size 1200" in last.error
    assert last.where.code == "x = x.view(x.size(0), 5 * 5 * 16)"
    assert "1200" in fake.error and fake.error_type == "RuntimeError"
    assert [tuple(m.shape) for m in last.inputs] == [(2, 24, 5, 5)]
    # the partial fake trace is the real run's, op for op (the real recorder saw the same ops)
    from tensorsight.capture.recorder import Recorder
    roles = {id(t): ("weight", n) for n, t in model.named_parameters()}
    rec = Recorder(roles=roles, root=model)
    x = torch.randn(2, 3, 64, 64)
    with pytest.raises(RuntimeError), rec:
        model(x)
    assert [(e.op, [tuple(m.shape) for m in e.outputs]) for e in rec.trace] == \
           [(e.op, [tuple(m.shape) for m in e.outputs]) for e in fake]
    capsys.readouterr()  # the model prints its shapes
