"""The tutorial LeNet (examples/lenet.py): every size of the seed question with its arithmetic
and the example file's source line."""
from __future__ import annotations

import linecache
import os

import pytest
import torch

import tensorsight
from tensorsight.analysis.explain import explain_shape
from tensorsight.render.text import to_text

from .test_models import EXAMPLES, example

LENET = os.path.join(EXAMPLES, "lenet.py")


def lenet_line(text: str) -> int:
    """The line number of ``text`` in examples/lenet.py (so the test survives edits around it)."""
    with open(LENET) as f:
        hits = [i for i, line in enumerate(f, 1) if line.strip() == text]
    assert len(hits) == 1, text
    return hits[0]


@pytest.fixture(scope="module")
def lenet_trace():
    torch.manual_seed(0)
    return tensorsight.trace(example("lenet").Net(), (1, 1, 32, 32))


def test_the_seed_question_sizes(lenet_trace):
    t = lenet_trace
    assert [e.op for e in t] == ["F.conv2d", "F.relu", "F.max_pool2d", "F.conv2d", "F.relu", "F.max_pool2d",
                                 "Tensor.view", "F.linear", "F.relu", "F.linear", "F.relu", "F.linear"]
    out = [tuple(e.outputs[0].shape) for e in t]
    assert out[0] == (1, 6, 30, 30)
    assert out[2] == (1, 6, 15, 15)
    assert out[3] == (1, 16, 13, 13)
    assert out[5] == (1, 16, 6, 6)
    assert out[6] == (1, 576)  # 16 * 6 * 6: the number the question asks about
    assert out[-1] == (1, 10)
    assert [m.path for m in t.modules] == ["", "conv1", "conv2", "fc1", "fc2", "fc3"]
    assert [e.module for e in t] == ["conv1", "", "", "conv2", "", "", "", "fc1", "", "fc2", "", "fc3"]


def _why(trace, i: int) -> str:
    ex = explain_shape(trace[i], trace)
    assert ex is not None, trace[i]
    return "\n".join(ex.lines())


def test_each_size_with_its_formula(lenet_trace):
    t = lenet_trace
    conv1 = _why(t, 0)
    assert "conv 3×3, stride 1, padding 0: 1×32×32 → 6×30×30" in conv1
    assert "H: ⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30" in conv1
    assert "C: out_channels = 6" in conv1
    pool1 = _why(t, 2)
    assert "H: ⌊(30 − 2)/2⌋ + 1 = 15" in pool1 and "W: ⌊(30 − 2)/2⌋ + 1 = 15" in pool1
    conv2 = _why(t, 3)
    assert "H: ⌊(15 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 13" in conv2 and "C: out_channels = 16" in conv2
    pool2 = _why(t, 5)
    assert "H: ⌊(13 − 2)/2⌋ + 1 = 6" in pool2 and "13 is odd" in pool2
    view = _why(t, 6)
    assert "view(-1, 576): [1,16,6,6] → [1,576]" in view
    assert "1·16·6·6 = 576" in view and "dim 1: 16·6·6 = 576" in view
    fc1 = _why(t, 7)
    assert "linear 576 → 120" in fc1


def test_source_lines_are_the_example_files(lenet_trace):
    t = lenet_trace
    first = lenet_line("x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))")
    second = lenet_line("x = F.max_pool2d(F.relu(self.conv2(x)), 2)")
    view = lenet_line("x = x.view(-1, self.num_flat_features(x))")
    fc3 = lenet_line("x = self.fc3(x)")
    assert [e.where.line for e in t[:7]] == [first] * 3 + [second] * 3 + [view]
    assert t[11].where.line == fc3
    for e in t:
        assert os.path.realpath(e.where.file) == os.path.realpath(LENET)
        assert e.where.function == "forward"
        assert e.where.code == linecache.getline(e.where.file, e.where.line).strip()
    assert t[6].where.code == "x = x.view(-1, self.num_flat_features(x))"
    # x.size() inside num_flat_features reads metadata only: no op of its own
    assert not any(e.where.function == "num_flat_features" for e in t)


def test_the_table_shows_sizes_formulas_and_lines(lenet_trace):
    text = to_text(lenet_trace.table(), width=140)
    for size in ("f32[1,6,30,30]", "f32[1,6,15,15]", "f32[1,16,13,13]", "f32[1,16,6,6]", "f32[1,576]"):
        assert size in text
    assert "⌊(13 − 2)/2⌋ + 1 = 6" in text
    assert "⌊(32 + 2·0 − 1·(3−1) − 1)/1⌋ + 1 = 30" in text
    assert f"lenet.py:{lenet_line('x = x.view(-1, self.num_flat_features(x))')}" in text
    assert "16·6·6 = 576" in text
    assert str(lenet_trace).startswith("Net: 12 ops, input f32[1,1,32,32]")


def test_batch_of_16_and_json_round_trip(lenet_trace):
    import json
    t16 = tensorsight.trace(example("lenet").Net(), (16, 1, 32, 32))
    assert tuple(t16[6].outputs[0].shape) == (16, 576)
    data = json.loads(lenet_trace.to_json())
    assert len(data["events"]) == 12
    assert data["events"][6]["op"] == "Tensor.view" and data["events"][6]["outputs"][0]["shape"] == [1, 576]
    assert data["events"][6]["where"]["code"] == "x = x.view(-1, self.num_flat_features(x))"
    assert data["events"][0]["args"][0] == {"tensor": 0}
