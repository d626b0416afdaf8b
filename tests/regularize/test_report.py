"""History, table and picture."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from regularize_seed import make, train
from rich.console import Console

import tensorsight
from tensorsight import L1, L2, GroupLasso


def trained():
    model, opt = make()
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(0.1), "mlp.0": L2(1)})
    train(model, opt, epochs=2, reg=reg)
    return reg


def test_history_rows():
    model, opt = make()
    reg = tensorsight.regularize(model, {"mlp.0.weight": GroupLasso(100, dim=1)})
    train(model, opt, epochs=1, reg=reg)
    hist = reg.history["mlp.0.weight"]
    assert [r.step for r in hist] == list(range(11))  # step 0 is the start
    assert hist[0].sparsity == 0 and hist[-1].sparsity == 1 and hist[-1].zero_groups == 1
    assert hist[-1].lr == 0.02 and hist[-1].momentum == pytest.approx(0.82)
    assert set(hist[1].as_dict()) >= {"norm", "sparsity", "sign_flips", "step_size"}


def test_report_table():
    reg = trained()
    console = Console(record=True, width=120)
    console.print(reg.report())
    text = console.export_text()
    assert "mlp.0.weight (1×5)" in text and "L1(0.1)" in text and "proximal mode, 20 steps" in text
    assert "→" in text


def test_plot_is_valid_svg(tmp_path):
    reg = trained()
    path = reg.plot(tmp_path / "sub" / "reg.svg")
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    lines = root.findall(".//{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 2  # norm and sparsity for the one parameter
    assert len(lines[0].get("points").split()) == 21
    assert "mlp.0.weight" in open(path, encoding="utf-8").read()
    with pytest.raises(tensorsight.TensorsightError, match="SVG"):
        reg.plot(tmp_path / "reg.png")


def test_value_logs_the_penalty_in_either_mode():
    model, opt = make()
    reg = tensorsight.regularize(model, {"mlp.0.weight": L1(2)})
    assert reg.value() == pytest.approx(2 * float(model.mlp[0].weight.detach().abs().sum()))
