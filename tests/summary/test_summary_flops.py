"""FLOPs counted from the Trace's shapes equal torch's FlopCounterMode on a real forward (given
the formulas for the CPU kernels it lacks), op family by op family; ops without a formula make
the total 'estimated' and are named."""
from __future__ import annotations

import os
import sys

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from tensorsight import summary
from tensorsight.analysis.summary_flops import EXTRA_FLOP_FORMULAS, event_flops, trace_flops
from tensorsight.capture.events import OpEvent, TensorMeta, TensorRef, Trace

sys.path.insert(0, os.path.dirname(__file__))
from flop_zoo import ZOO, build, inputs_for  # noqa: E402


def flopcounter(model, *xs, train=False) -> int:
    # train mode for the reference where eval takes a fused fast path FlopCounterMode counts as 0
    was = model.training
    model.train(train)
    try:
        with FlopCounterMode(display=False, custom_mapping=EXTRA_FLOP_FORMULAS) as fc, torch.no_grad():
            model(*xs)
    finally:
        model.train(was)
    return fc.get_total_flops()


ZEROS = {"einsum_outer", "einsum_trace_sum"}  # products without a sum: multiplications
COUNTED = [z for z in ZOO if z[0] not in ZEROS | {"bilinear"}]


@pytest.mark.parametrize("name,factory,spec", COUNTED, ids=[z[0] for z in COUNTED])
def test_equals_flopcounter(name, factory, spec):
    model = build(name, factory)
    xs = inputs_for(name, spec)
    s = summary(model, xs if len(xs) > 1 else xs[0])
    assert s.flops == flopcounter(model, *xs, train=name == "transformer_layer") > 0
    assert s.quantity("flops").exact
    assert s.macs == s.flops // 2


def test_einsum_without_contraction_is_zero():
    for name in sorted(ZEROS):
        model = build(name, dict((z[0], z[1]) for z in ZOO)[name])
        xs = inputs_for(name, dict((z[0], z[2]) for z in ZOO)[name])
        assert summary(model, xs[0]).flops == 0 == flopcounter(model, *xs)


def test_bilinear_counts_its_multiply_adds():
    model = nn.Bilinear(4, 5, 3)
    s = summary(model, ((6, 4), (6, 5)))
    assert s.flops == 2 * 6 * 3 * 4 * 5 and s.quantity("flops").exact


def _event(op, inputs, outputs, args=()):
    return OpEvent(index=0, op=op, inputs=[TensorMeta(tuple(s), "float32") for s in inputs],
                   outputs=[TensorMeta(tuple(s), "float32") for s in outputs], args=args)


def test_grouped_mm_formula():
    # MoE experts: tokens [M, K] against G expert matrices [G, K, N], offsets cut M into groups
    e = _event("torch._grouped_mm", [(96, 64), (8, 64, 32), (8,)], [(96, 32)],
               (TensorRef(0), TensorRef(1)))
    assert event_flops(e) == 2 * 96 * 64 * 32
    e = _event("torch._grouped_mm", [(8, 12, 64), (8, 64, 32)], [(8, 12, 32)])
    assert event_flops(e) == 2 * 8 * 12 * 64 * 32
    e = _event("torch._grouped_mm", [(12, 80), (80, 16), (4,)], [(4, 12, 16)])  # K cut into groups
    assert event_flops(e) == 2 * 12 * 16 * 80


def test_grouped_mm_in_a_real_forward_when_torch_runs_it():
    if not hasattr(torch, "_grouped_mm"):
        pytest.skip("torch without _grouped_mm")

    class Experts(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(4, 16, 8, dtype=torch.bfloat16))

        def forward(self, x):
            offs = torch.tensor([8, 16, 24, 32], dtype=torch.int32)
            return torch._grouped_mm(x, self.w, offs=offs)

    model = Experts()
    x = torch.randn(32, 16, dtype=torch.bfloat16)
    try:
        model(x)
    except Exception as exc:  # noqa: BLE001 - no CPU kernel in this build
        pytest.skip(f"_grouped_mm does not run here: {exc}")
    s = summary(model, x)
    assert s.flops == 2 * 32 * 16 * 8 == flopcounter(model, x)


def test_op_without_formula_makes_total_estimated_and_named():
    class Dist(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            return torch.cdist(self.fc(x), x)  # cdist: composite, no formula

    s = summary(Dist(), (3, 4))
    q = s.quantity("flops")
    assert not q.exact and "torch.cdist" in q.note
    assert s.flops == 2 * 3 * 4 * 4  # the linear still counts
    assert any("estimated" in n and "cdist" in n for n in s.notes)
    assert not s.quantity("macs").exact
    assert "estimated" in str(s)


def test_symbolic_size_is_unknown_not_zero():
    e = _event("F.linear", [("s0", 4), (5, 4)], [("s0", 5)], (TensorRef(0), TensorRef(1)))
    assert event_flops(e) is None
    flops, unknown = trace_flops(Trace(events=[e]))
    assert flops == [0] and unknown == {"F.linear": 1}


def test_elementwise_and_views_are_exact_zero():
    class Elementwise(nn.Module):
        def forward(self, x):
            y = torch.sigmoid(x) * x + 1
            return torch.softmax(y.view(2, -1).transpose(0, 1).reshape(-1), 0).cumsum(0)

    s = summary(Elementwise(), (2, 3, 4))
    assert s.flops == 0 and s.quantity("flops").exact
