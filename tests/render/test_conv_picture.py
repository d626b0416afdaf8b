"""The picture of one conv or pooling layer: the numbers it states and what it draws."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tensorsight.errors import TensorsightError
from tensorsight.render.conv_picture import (Axis, conv_canvas, conv_picture, is_windowed, make_params,
                                             params_from_event)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.split("?>", 1)[1])


def all_text(svg: str) -> str:
    """Every text of the picture, wrapped lines joined back into one (whitespace normalised)."""
    return " ".join(" ".join(t.text or "" for t in parse(svg).iter(SVG + "text")).split())


def test_3x3_kernel_turns_32_into_30():
    svg = conv_picture(size=32, kernel=3)
    text = all_text(svg)
    assert "32×32 → 30×30" in text
    assert "= ⌊29 / 1⌋ + 1 = 30" in text
    assert "fits at 30 places in 32 cells" in text
    assert "last start 29" in text


def test_32_is_drawn_cropped():
    root = parse(conv_picture(size=32, kernel=3))
    rects = list(root.iter(SVG + "rect"))
    assert len(rects) < 250  # not 32×32 + 30×30 cells
    labels = [t.text for t in root.iter(SVG + "text")]
    assert "…" in labels and "31" in labels and "29" in labels  # the ends are shown


def test_13_pools_to_6_and_the_last_cell_is_dropped():
    svg = conv_picture(size=13, kernel=2, stride=2, kind="max_pool")
    text = all_text(svg)
    assert "13×13 → 6×6" in text
    assert "= ⌊11 / 2⌋ + 1 = 6" in text
    assert "cell 12 never reaches the output" in text
    assert "ceil_mode=True would give 7" in text
    assert "dropped" in text
    # 13 cells fit: the grid is drawn whole, the dropped row and column crossed out (2 lines each)
    crossed = [p for p in parse(svg).iter(SVG + "polyline") if p.get("stroke") == "#cb181d"]
    assert len(crossed) == 2 * (13 + 12)


def test_padding_is_shaded_and_counted():
    svg = conv_picture(size=7, kernel=3, stride=2, padding=1)
    text = all_text(svg)
    assert "7×7 → 4×4" in text and "padding" in text
    assert "(padding 1 on each side makes 9)" in text
    assert "#e3e3e3" in svg


def test_from_lenet_events(lenet_trace):
    conv, pool = lenet_trace[0], lenet_trace[5]
    assert is_windowed(conv) and is_windowed(pool) and not is_windowed(lenet_trace[7])
    p = params_from_event(conv)
    assert (p.kind, p.axes[0].out, p.in_channels, p.out_channels, p.name) == ("conv", 30, 1, 6, "conv1")
    text = all_text(conv_picture(conv, lenet_trace))
    assert "conv1 · Conv2d: 32×32 → 30×30" in text
    assert "1→6 channels" in text
    q = params_from_event(pool)
    assert (q.kind, q.axes[0].size, q.axes[0].out) == ("max_pool", 13, 6)
    assert "op #5 · max_pool2d: 13×13 → 6×6" in all_text(conv_picture(pool))


def test_not_a_window_op(lenet_trace):
    with pytest.raises(TensorsightError, match="not a convolution or a pooling"):
        conv_picture(lenet_trace[7])
    with pytest.raises(TensorsightError):
        make_params(kind="linear")
    with pytest.raises(TensorsightError):
        make_params(size=8, kernel=0)


def test_too_small_input_says_so():
    text = all_text(conv_picture(size=2, kernel=3))
    assert "does not fit" in text


def test_conv_png(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    from tensorsight.render.png import conv_png
    path = conv_png(None, tmp_path / "c.png", size=13, kernel=2, stride=2, kind="max_pool")
    img = Image.open(path)
    cv = conv_canvas(None, size=13, kernel=2, stride=2, kind="max_pool")
    assert abs(img.size[0] - 2 * cv.width) <= 2


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3))
def test_axis_matches_torch_conv(n, k, s, p, d):
    a = Axis(n, k, s, p, d)
    x = torch.empty(1, 1, n, device="meta")
    w = torch.empty(1, 1, k, device="meta")
    if n + 2 * p < d * (k - 1) + 1:
        assert a.out == 0
        return
    assert a.out == F.conv1d(x, w, stride=s, padding=p, dilation=d).shape[-1]
    # every real cell is either read by some window or listed as dropped
    read = {a.start(i) + j * d for i in range(a.out) for j in range(k)}
    assert {c for c in range(n) if c not in read and c >= a.covered_end} == set(a.dropped)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(2, 40), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3),
       ceil=st.booleans())
def test_axis_matches_torch_max_pool(n, k, s, p, ceil):
    if p > k // 2 or n + 2 * p < k:
        return  # torch refuses these
    a = Axis(n, k, s, p, 1, ceil)
    x = torch.empty(1, 1, n)
    assert a.out == F.max_pool1d(x, k, s, p, ceil_mode=ceil).shape[-1]


def test_worked_formula_numbers_are_right():
    for n, k, s, p in [(32, 3, 1, 0), (13, 2, 2, 0), (224, 7, 2, 3), (15, 3, 1, 1)]:
        a = Axis(n, k, s, p)
        worked = a.formula()[1]
        assert worked.endswith(f"= {a.out}")
        num = int(re.search(r"⌊(-?\d+) / ", worked.split("= ")[2]).group(1))
        assert num == n + 2 * p - (k - 1) - 1
