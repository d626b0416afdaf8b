"""Bad API calls raise the one error type (TensorsightError, a ValueError) naming what was
called, what it got and why — never an AttributeError/TypeError from inside tensorsight."""
from __future__ import annotations

import pytest
import torch
from torch import nn

import tensorsight as ts
from tensorsight.errors import TensorsightError


@pytest.fixture(scope="module")
def model():
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU())


@pytest.fixture(scope="module")
def tr(model):
    return ts.trace(model, (1, 4))


def _reg(model):
    return ts.regularize(model, {"0.weight": ts.L1(0.1)})


CALLS = {
    "trace negative size": lambda m, t: ts.trace(m, (-1, 4)),
    "trace overflowing size": lambda m, t: ts.trace(m, (2 ** 62, 2 ** 62)),
    "trace 70 dims": lambda m, t: ts.trace(m, (1,) * 70),
    "trace 5000 digits": lambda m, t: ts.trace(m, (1, 10 ** 5000)),
    "trace None model": lambda m, t: ts.trace(None, (1, 4)),
    "summary columns=123": lambda m, t: ts.summary(m, (1, 4), columns=123),
    "summary depth": lambda m, t: ts.summary(m, (1, 4), depth="x"),
    "summary negative": lambda m, t: ts.summary(m, (-2, 4)),
    "summary optimizer": lambda m, t: ts.summary(m, (1, 4), optimizer=5),
    "to_svg(None)": lambda m, t: ts.to_svg(None),
    "to_svg(str)": lambda m, t: ts.to_svg("trace"),
    "to_svg depth": lambda m, t: ts.to_svg(t, depth="a"),
    "to_svg depth 0": lambda m, t: ts.to_svg(t, depth=0),
    "to_svg max_boxes": lambda m, t: ts.to_svg(t, max_boxes=-1),
    "to_svg title": lambda m, t: ts.to_svg(t, title=5),
    "to_html(None)": lambda m, t: ts.to_html(None),
    "to_html findings=5": lambda m, t: ts.to_html(t, findings=5),
    "to_html findings=str": lambda m, t: ts.to_html(t, findings="x"),
    "table max_rows": lambda m, t: t.table(max_rows="x"),
    "conv_matrix None shape": lambda m, t: ts.conv_matrix(nn.Conv2d(1, 1, 3), None),
    "conv_matrix negative": lambda m, t: ts.conv_matrix(nn.Conv2d(1, 1, 3), (1, -5, 5)),
    "conv_matrix terabytes": lambda m, t: ts.conv_matrix(nn.Conv2d(1, 1, 3), (1, 10 ** 6, 10 ** 6)),
    "conv_matrix dense terabytes": lambda m, t: ts.conv_matrix(nn.Conv2d(1, 1, 3), (1, 10 ** 4, 10 ** 4), "dense"),
    "conv_matrix Linear": lambda m, t: ts.conv_matrix(nn.Linear(2, 2), (1, 5, 5)),
    "conv_matrix layout": lambda m, t: ts.conv_matrix(nn.Conv2d(1, 1, 3), (1, 5, 5), "blocked"),
    "solve range=5": lambda m, t: ts.solve(m, "1xN", range=5),
    "solve range floats": lambda m, t: ts.solve(m, "1xN", range=(1.5, 3)),
    "solve range 10^12": lambda m, t: ts.solve(m, "Nx4", range=(1, 10 ** 12)),
    "solve budget": lambda m, t: ts.solve(m, "Nx4", budget="x"),
    "symbolic no names": lambda m, t: ts.symbolic(m, None),
    "regularize(None)": lambda m, t: ts.regularize(None, {}),
    "regularize spec=5": lambda m, t: ts.regularize(m, 5),
    "regularize unknown name": lambda m, t: ts.regularize(m, {"nope": ts.L1(0.1)}),
    "regularize mode": lambda m, t: ts.regularize(m, {"0.weight": ts.L1(0.1)}, mode="x"),
    "regularize value": lambda m, t: ts.regularize(m, {"0.weight": 0.1}),
    "reg.step(None)": lambda m, t: _reg(m).step(None),
    "reg.attach(None)": lambda m, t: _reg(m).attach(None),
    "reg.record('x')": lambda m, t: _reg(m).record("x"),
    "reg.plot(None)": lambda m, t: _reg(m).plot(None),
    "reg.plot('x.png')": lambda m, t: _reg(m).plot("x.png"),
    "L1(-1)": lambda m, t: ts.L1(-1),
    "L1('a')": lambda m, t: ts.L1("a"),
    "L2(nan)": lambda m, t: ts.L2(float("nan")),
    "ElasticNet ratio": lambda m, t: ts.ElasticNet(0.1, l1_ratio=2),
    "GroupLasso dim": lambda m, t: ts.GroupLasso(0.1, dim="x"),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_bad_api_call_raises_the_one_error_type(name, model, tr):
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(TensorsightError) as info:
        CALLS[name](model, tr)
    message = str(info.value)
    assert message and "\n" not in message.strip(), message
    assert len(message) < 400, message
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_the_error_type_is_a_value_error():
    assert issubclass(TensorsightError, ValueError)
