"""Sizes that come from values (nonzero, boolean masks, .item()): the trace goes on and says so."""
from __future__ import annotations

import pytest
import torch

import tensorsight
from tensorsight.capture.fake import fake_repair
from tensorsight.capture.fake import trace as fake_trace
from tensorsight.errors import ForwardError
from tensorsight.render.text import to_text

from . import models as M
from .helpers import Snapshot, real_trace


def test_nonzero_mask_and_item_are_marked_and_the_trace_goes_on():
    torch.manual_seed(0)
    model = M.DataDependent()
    before = Snapshot.take(model)
    t = tensorsight.trace(model, (4, 3))
    before.check(model)
    ops = [e.op for e in t]
    assert ops == ["F.linear", "Tensor.nonzero", "Tensor.gt", "Tensor.__getitem__", "Tensor.sum",
                   "Tensor.item", "Tensor.mul", "Tensor.add"]
    notes = {e.op: e.note for e in t}
    assert notes["Tensor.nonzero"] == "data-dependent"
    assert notes["Tensor.__getitem__"] == "data-dependent"  # h[h > 0]
    assert notes["Tensor.item"] == "data-dependent"
    marked = [e.index for e in t if e.note]
    assert marked == [1, 3, 5]  # only the ops that make a size (or value) from data
    nz, mask = t.find("nonzero")[0], t.find("Tensor.__getitem__")[0]
    assert nz.outputs[0].shape[1] == 2 and isinstance(nz.outputs[0].shape[0], str)
    assert len(mask.outputs[0].shape) == 1 and isinstance(mask.outputs[0].shape[0], str)
    assert not nz.outputs[0].known
    # ops after them still run: the doubled mask keeps the unknown size, h + total keeps [4,3]
    assert t[6].outputs[0].shape == mask.outputs[0].shape
    assert t[7].outputs[0].shape == (4, 3)
    assert len(t.outputs) == 3 and t.outputs[2].shape == (4, 3)
    text = to_text(t.table(), width=140)
    assert text.count("(data-dependent)") == 3
    # unknown sizes are printed, not swallowed as rich markup tags ([u0,2] looks like one)
    u0, u1 = nz.outputs[0].shape[0], mask.outputs[0].shape[0]
    assert f"f32[4,3] → i64[{u0},2]" in text and f"→ f32[{u1}]" in text
    tree = to_text(t.tree(), width=140)
    assert f"i64[{u0},2] f32[{u1}] f32[4,3]" in tree


def test_same_ops_as_a_real_run():
    torch.manual_seed(0)
    model = M.DataDependent()
    t = tensorsight.trace(model, (4, 3))
    real, out = real_trace(model, (torch.randn(4, 3),))
    assert [e.op for e in t] == [e.op for e in real]
    for f, r in zip(t, real):  # known sizes agree; unknown ones are the data-dependent ones
        for a, b in zip(f.outputs, r.outputs):
            assert len(a.shape) == len(b.shape)
            assert all(x == y for x, y in zip(a.shape, b.shape) if isinstance(x, int))


def test_size_from_item_marks_the_op_that_uses_it():
    class FromItem(torch.nn.Module):
        def forward(self, x):
            n = (x > 0).sum().item()  # an int from data: torch carries it as a symbol
            return torch.zeros(n, 2) + 1, x * 2

    t = tensorsight.trace(FromItem(), (3,))
    assert [e.op for e in t] == ["Tensor.gt", "Tensor.sum", "Tensor.item", "torch.zeros", "Tensor.add",
                                 "Tensor.mul"]
    assert [e.note for e in t] == ["", "", "data-dependent", "data-dependent", "", ""]
    n = t[3].outputs[0].shape[0]
    assert isinstance(n, str) and t[3].outputs[0].shape == (n, 2) == t[4].outputs[0].shape
    assert t.outputs[1].shape == (3,)


def test_python_int_of_a_float_item_stops_with_the_partial_trace():
    class IntOfItem(torch.nn.Module):
        def forward(self, x):
            n = int(x.sum().item())  # a Python int needs the value itself
            return x[:n]

    with pytest.raises(ForwardError) as info:
        tensorsight.trace(IntOfItem(), (3,))
    t = info.value.trace
    assert [e.op for e in t] == ["Tensor.sum", "Tensor.item"]
    assert t[1].note == "data-dependent"
    assert "data-dependent" in str(info.value)


def test_branch_on_data_raises_forward_error_with_partial_trace():
    class Branch(torch.nn.Module):
        def forward(self, x):
            y = x * 2
            if (y > 0).any():  # needs a value a fake tensor does not have
                y = y + 1
            return y

    with pytest.raises(ForwardError) as info:
        tensorsight.trace(Branch(), (2, 3))
    t = info.value.trace
    assert [e.op for e in t] == ["Tensor.mul", "Tensor.gt", "Tensor.any"]
    assert "data-dependent" in str(info.value)


def test_fake_path_marks_too():
    t = fake_trace(M.DataDependent(), (4, 3), repair=fake_repair)
    assert [e.index for e in t if e.note == "data-dependent"] == [1, 3, 5]
