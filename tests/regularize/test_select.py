"""Choosing parameters: names, globs, modules; the errors for names that match nothing."""
from __future__ import annotations

import importlib

import pytest
import torch
from torch import nn

import tensorsight
from tensorsight import L1, L2, ElasticNet, GroupLasso, TensorsightError


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                                      nn.Conv2d(4, 8, 3))
        self.mlp = nn.Sequential(nn.Linear(8, 5), nn.ReLU(), nn.Linear(5, 1, bias=False))

    def forward(self, x):
        return self.mlp(self.features(x).mean((2, 3)))


def names(reg):
    return {t.name: t.penalty for t in reg.targets}


def test_globs_names_and_bias_rule():
    net = Net()
    reg = tensorsight.regularize(net, {"mlp.0.weight": L1(1e-3),
                                       "features.*.weight": GroupLasso(1e-4)})
    assert names(reg) == {"features.0.weight": GroupLasso(1e-4),
                          "features.1.weight": GroupLasso(1e-4),  # a glob takes what it says
                          "features.3.weight": GroupLasso(1e-4),
                          "mlp.0.weight": L1(1e-3)}
    reg = tensorsight.regularize(net, {"mlp.*": L2(1)})  # biases only if the pattern says so
    assert set(names(reg)) == {"mlp.0.weight", "mlp.2.weight"}
    reg = tensorsight.regularize(net, {"mlp.*.bias": L1(1), "mlp.0.bias": L2(1)})
    assert names(reg) == {"mlp.0.bias": L2(1)}  # an exact name beats a glob


def test_modules_mean_their_weights_without_norm_scales():
    net = Net()
    assert set(names(tensorsight.regularize(net, {"features": L1(1)}))) == {
        "features.0.weight", "features.3.weight"}
    assert set(names(tensorsight.regularize(net, {net.mlp: L1(1)}))) == {
        "mlp.0.weight", "mlp.2.weight"}
    assert set(names(tensorsight.regularize(net, L2(1)))) == {
        "features.0.weight", "features.3.weight", "mlp.0.weight", "mlp.2.weight"}
    reg = tensorsight.regularize(net, {net.mlp[0].weight: L1(1), "mlp": L2(1)})
    assert names(reg) == {"mlp.0.weight": L1(1), "mlp.2.weight": L2(1)}


def test_unknown_names_suggest_near_ones():
    net = Net()
    with pytest.raises(TensorsightError, match=r"mlp\.0\.weight") as exc:
        tensorsight.regularize(net, {"mlp.0.weigth": L1(1)})
    assert "\n" not in str(exc.value)
    with pytest.raises(TensorsightError, match="glob 'feature.*.weight' matches no parameter"):
        tensorsight.regularize(net, {"feature.*.weight": L1(1)})
    with pytest.raises(TensorsightError, match="not part of the model"):
        tensorsight.regularize(net, {nn.Linear(2, 2): L1(1)})
    with pytest.raises(TensorsightError, match="no weights"):
        tensorsight.regularize(net, {"mlp.1": L1(1)})


def test_other_mistakes():
    net = Net()
    with pytest.raises(TensorsightError, match="selected by both"):
        tensorsight.regularize(net, {"mlp.*.weight": L1(1), "mlp.0.*": L2(1)})
    with pytest.raises(TensorsightError, match="must be L1, L2, ElasticNet or GroupLasso"):
        tensorsight.regularize(net, {"mlp.0.weight": 0.1})
    with pytest.raises(TensorsightError, match="mode="):
        tensorsight.regularize(net, {"mlp.0.weight": L1(1)}, mode="prox")
    with pytest.raises(TensorsightError, match="momentum_step"):
        tensorsight.regularize(net, {"mlp.0.weight": L1(1)}, momentum_step="nesterov")
    with pytest.raises(TensorsightError, match="GroupLasso"):
        tensorsight.regularize(net, {"mlp.0.bias": GroupLasso(1, dim=1)})
    with pytest.raises(TensorsightError, match="nn.Module"):
        tensorsight.regularize(torch.zeros(3), {"x": L1(1)})
    reg = tensorsight.regularize(net, {"mlp.0.weight": ElasticNet(1)})
    with pytest.raises(TensorsightError, match="twice"):
        reg.penalty()  # proximal mode: the prox applies it
    opt = torch.optim.SGD(net.features.parameters(), lr=0.1)
    with pytest.raises(TensorsightError, match="does not update 'mlp.0.weight'"):
        reg.step(opt)


def test_package_and_function_are_both_callable():
    mod = importlib.import_module("tensorsight.regularize")
    net = Net()
    assert callable(mod) and tensorsight.regularize(net, {"mlp.0.weight": L1(1)}).names == [
        "mlp.0.weight"]
    from tensorsight import regularize
    assert regularize(net, {"mlp.0.weight": L1(1)}, mode="penalty").mode == "penalty"
