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


class FromItem(torch.nn.Module):
    def forward(self, x):
        n = (x > 0).sum().item()  # an int from data
        return torch.zeros(n, 2) + 1, x * 2


def test_size_from_item_on_the_real_path_uses_the_value_and_says_so():
    t = tensorsight.trace(FromItem(), (3,))
    assert t.mode == "real"
    assert [e.op for e in t] == ["Tensor.gt", "Tensor.sum", "Tensor.item", "torch.zeros", "Tensor.add",
                                 "Tensor.mul"]
    assert [e.note for e in t] == ["", "", "data-dependent", "", "", ""]
    assert t[3].outputs[0].shape == (0, 2)  # zeros in, zero positives out
    assert len(t.assumed) == 1 and t.assumed[0].startswith("#2 Tensor.item at ")
    assert "= 0: computed on zero inputs" in t.assumed[0]
    text = to_text(t.table(), width=160)
    assert "#2 Tensor.item" in text and "computed on zero inputs" in text


def test_size_from_item_on_fake_tensors_is_the_value_computed_for_real():
    t = fake_trace(FromItem(), (3,), repair=fake_repair)
    assert t.mode == "fake"
    assert [e.note for e in t] == ["", "", "data-dependent", "", "", ""]
    assert t[3].outputs[0].shape == (0, 2) == t[4].outputs[0].shape
    assert t.outputs[1].shape == (3,)
    assert "= 0: computed for real with zeros for f32[3]" in t.assumed[0]


class IntOfItem(torch.nn.Module):
    def forward(self, x):
        n = int(x.sum().item()) + 2  # a Python int needs the value itself
        return x[:n]


@pytest.mark.parametrize("path", ["default", "fake"])
def test_python_int_of_an_item_goes_on_with_the_value(path):
    run = tensorsight.trace if path == "default" else (lambda m, e: fake_trace(m, e, repair=fake_repair))
    t = run(IntOfItem(), (3,))
    assert [e.op for e in t][:2] == ["Tensor.sum", "Tensor.item"]
    assert t[1].note == "data-dependent"
    assert t.outputs[0].shape == (2,)  # 0 + 2 rows of zeros
    assert len(t.assumed) == 1


class Branch(torch.nn.Module):
    def forward(self, x, mask):
        y = x * 2
        if mask.any():  # a branch on the values of an input
            y = y + 1
        if not torch.isfinite(y).all():
            raise ValueError("not finite")
        return y


@pytest.mark.parametrize("path", ["default", "meta", "fake"])
def test_branch_on_data_is_listed_with_its_value_and_assumption(path):
    from tensorsight.capture.fake import meta_trace
    model = Branch()
    before = Snapshot.take(model)
    mask = torch.tensor([[0, 1, 1]])
    if path == "default":
        t = tensorsight.trace(model, ((1, 3), mask))
    elif path == "meta":
        t = meta_trace(model, (tensorsight.shape((1, 3)), mask), {})
    else:
        t = fake_trace(model, ((1, 3), mask), repair=fake_repair)
    before.check(model)
    reads = [e for e in t if e.op == "Tensor.__bool__"]
    assert len(reads) == 2 and all(e.note == "data-dependent" for e in reads)
    assert [e.op for e in t][:3] == ["Tensor.mul", "Tensor.any", "Tensor.__bool__"]
    assert "Tensor.add" in [e.op for e in t]  # the mask has ones: the branch was taken
    assert len(t.assumed) == 2
    assert t.assumed[0].endswith("= True: from your values" if path == "default" else "= True: computed from your values")
    assert t.outputs[0].shape == (1, 3)


def test_a_branch_on_a_zero_input_is_taken_as_zeros_give_it():
    class OnZeros(torch.nn.Module):
        def forward(self, x):
            return x + 1 if (x > 0).any() else x - 1
    for t in (tensorsight.trace(OnZeros(), (2, 3)), fake_trace(OnZeros(), (2, 3), repair=fake_repair)):
        assert [e.op for e in t] == ["Tensor.gt", "Tensor.any", "Tensor.__bool__", "Tensor.sub"]
        assert "= False" in t.assumed[0] and "zero" in t.assumed[0]


def test_fake_path_marks_too():
    t = fake_trace(M.DataDependent(), (4, 3), repair=fake_repair)
    assert [e.index for e in t if e.note == "data-dependent"] == [1, 3, 5]
