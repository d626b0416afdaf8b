"""The shape-flow diagram: which tensors become blocks, merges, collapsing, valid SVG and PNG."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import tensorsight
from tensorsight.capture.events import Frame, OpEvent, TensorMeta, Trace
from tensorsight.errors import TensorsightError
from tensorsight.render.svg import block_size, layout, to_svg

NS = {"s": "http://www.w3.org/2000/svg"}


def boxes_of(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg)
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g") if "ts-box" in g.get("class", "")]


def texts(g: ET.Element) -> list[str]:
    return [t.text for t in g.iter("{http://www.w3.org/2000/svg}text")]


def test_lenet_has_a_block_per_tensor_with_its_size(lenet_trace):
    svg = to_svg(lenet_trace)
    assert svg.startswith("<?xml")
    gs = boxes_of(svg)
    sizes = [texts(g)[-4 if len(texts(g)) >= 4 else 0] for g in gs]
    labels = [" ".join(t for t in texts(g) if t) for g in gs]
    expected = ["1×32×32", "6×30×30", "6×15×15", "16×13×13", "16×6×6", "576", "120", "84", "10"]
    assert len(gs) == len(expected), labels
    for want, label in zip(expected, labels):
        assert want in label.split(), (want, label)
    assert "conv1" in labels[1] and "Conv2d 3×3" in labels[1] and "relu" in labels[1]
    assert "max_pool2d" in labels[2] and "2×2" in labels[2]
    assert "flatten" in labels[5]
    assert sizes  # every block has text


def test_every_block_names_its_events(lenet_trace):
    gs = boxes_of(to_svg(lenet_trace))
    assert gs[0].get("data-event") == "input"
    covered = []
    for g in gs[1:]:
        main = int(g.get("data-event"))
        events = [int(x) for x in g.get("data-events").split()]
        assert main in events
        covered += events
    assert sorted(covered) == list(range(len(lenet_trace.events)))  # relu folded, not lost


def test_layout_is_pure_data(lenet_trace):
    lay = layout(lenet_trace)
    assert [b.kind for b in lay.boxes] == ["input", "conv", "pool", "conv", "pool", "reshape",
                                           "linear", "linear", "linear"]
    assert all(not e.skip for e in lay.edges)
    assert [(e.src, e.dst) for e in lay.edges] == [(i, i + 1) for i in range(8)]
    heights = [b.h for b in lay.boxes[:5]]
    assert heights == sorted(heights, reverse=True)  # 32 > 30 > 15 > 13 > 6, on a log scale
    xs = [b.x for b in lay.boxes]
    assert xs == sorted(xs)


def test_block_size_is_logarithmic():
    w1, h1, d1 = block_size((64, 32, 32))
    w2, h2, d2 = block_size((128, 64, 64))
    w3, h3, d3 = block_size((256, 128, 128))
    assert w2 - w1 == pytest.approx(w3 - w2) and h2 - h1 == pytest.approx(h3 - h2)
    assert block_size((576,))[0] < block_size((6, 30, 30))[0] + 10  # a vector is a thin bar


def test_resnet50_collapses_repeated_blocks(resnet50_trace):
    lay = layout(resnet50_trace)
    assert len(lay.boxes) <= 14
    details = [b.detail_text for b in lay.boxes]
    for n in (3, 4, 6, 3):
        assert f"Bottleneck ×{n}" in details
    stages = [b for b in lay.boxes if b.base == "Bottleneck"]
    assert [b.size_text for b in stages] == ["256×56×56", "512×28×28", "1024×14×14", "2048×7×7"]
    assert all(b.residual for b in stages)  # the skip inside each bottleneck is drawn
    svg = to_svg(resnet50_trace)
    assert len(boxes_of(svg)) == len(lay.boxes)
    assert "layer3.0–5" in svg


def test_explicit_depth(resnet50_trace, cats_trace):
    lay = layout(resnet50_trace, depth=1)
    assert "layer1" in [b.name for b in lay.boxes]
    cats = layout(cats_trace, depth=1)
    assert [b.name for b in cats.boxes] == ["input", "features", "classifier"]
    auto = layout(cats_trace)
    assert auto.depth == 2 and len(auto.boxes) == 12
    assert [g.path for g in auto.groups] == ["features", "classifier"]


def test_residual_add_is_a_merge_with_a_skip_arc(tiny_resnet_trace):
    lay = layout(tiny_resnet_trace)
    merges = [b for b in lay.boxes if b.merge]
    assert merges and all(b.key == "add" for b in merges)
    skips = [e for e in lay.edges if e.skip]
    assert skips
    for m in merges:
        incoming = [e for e in lay.edges if e.dst == m.id]
        assert len(incoming) == 2
    assert any(g.path.startswith("layer1.") for g in lay.groups)


def test_unet_cat_is_drawn_as_a_merge(unet_trace):
    lay = layout(unet_trace)
    cats = [b for b in lay.boxes if b.key == "cat"]
    assert len(cats) == 2 and all(b.merge and b.kind == "merge" for b in cats)
    by_id = {b.id: b for b in lay.boxes}
    for c in cats:
        srcs = [by_id[e.src] for e in lay.edges if e.dst == c.id]
        assert len(srcs) == 2
        assert any(e.skip for e in lay.edges if e.dst == c.id)  # the encoder's map arrives as an arc
        assert sum(s.dims[0] for s in srcs) == c.dims[0]  # channels add up: 16 + 16 = 32
    assert [b.name for b in lay.boxes if b.name.startswith("enc")] == ["enc1.0–2", "enc2.0–2"]
    svg = to_svg(unet_trace)
    ET.fromstring(svg.split("?>", 1)[1])
    assert "<path d=" in svg  # the arcs


def test_failed_op_is_drawn_red(broken_trace):
    lay = layout(broken_trace)
    last = lay.boxes[-1]
    assert last.kind == "error" and last.error and last.no_output
    assert last.size_text == "✗ raised"
    svg = to_svg(broken_trace)
    assert "#b2182b" in svg and "raised" in svg


def test_a_changed_batch_is_called_out():
    from . import render_nets as nets
    t = tensorsight.trace(nets.BadFlatten(), (4, 1, 10, 10))
    lay = layout(t)
    notes = [(b.name, b.batch_note) for b in lay.boxes if b.batch_note]
    assert notes == [("view", "batch 4 → 16"), ("fc", "batch 16")]
    assert "batch 4 → 16" in to_svg(t)
    assert not any(b.batch_note for b in layout(tensorsight.trace(nets.LeNet(), (4, 1, 32, 32))).boxes)


def test_weight_initialisation_in_a_script_trace_is_not_drawn():
    w = TensorMeta((6, 1, 3, 3), "float32")  # a script's trace: weights carry no role
    init = OpEvent(0, "torch.nn.init.kaiming_uniform_", [w], [TensorMeta((6, 1, 3, 3), "float32", producer=0)])
    x = TensorMeta((2, 1, 8, 8), "float32", producer=None, role="input")
    conv = OpEvent(1, "F.conv2d", [x, init.outputs[0]], [TensorMeta((2, 6, 6, 6), "float32", producer=1)])
    lay = layout(Trace(events=[init, conv], inputs=[x]))
    assert [b.size_text for b in lay.boxes] == ["1×8×8", "6×6×6"]


def test_not_standalone_for_html(lenet_trace):
    svg = to_svg(lenet_trace, standalone=False)
    assert svg.startswith("<svg")
    ET.fromstring(svg)


def test_hand_made_trace_with_symbolic_sizes_and_no_modules():
    x = TensorMeta(("N", 3, 8, 8), "float32", role="input")
    e0 = OpEvent(0, "F.relu", [x], [TensorMeta(("N", 3, 8, 8), "float32", producer=0)],
                 where=Frame("m.py", 3))
    e1 = OpEvent(1, "Tensor.view", [e0.outputs[0]], [TensorMeta(("N", 192), "float32", producer=1)])
    e2 = OpEvent(2, "torch.arange", [], [TensorMeta((5,), "int64", producer=2)])
    e3 = OpEvent(3, "Tensor.item", [e1.outputs[0]], [TensorMeta((), "float32", "scalar")])
    t = Trace(events=[e0, e1, e2, e3], inputs=[x], model="f")
    lay = layout(t)
    assert [b.size_text for b in lay.boxes] == ["3×8×8", "3×8×8", "192"]  # relu on the input keeps a block
    ET.fromstring(to_svg(t).split("?>", 1)[1])


def test_empty_trace_draws():
    svg = to_svg(Trace(model="Nothing"))
    ET.fromstring(svg.split("?>", 1)[1])


def test_lazy_export(lenet_trace):
    assert tensorsight.to_svg(lenet_trace) == to_svg(lenet_trace)


def test_png_matches_the_layout(tmp_path, lenet_trace):
    Image = pytest.importorskip("PIL.Image")
    from tensorsight.render.png import to_png
    path = to_png(lenet_trace, tmp_path / "lenet.png", scale=1.0)
    img = Image.open(path).convert("RGB")
    lay = layout(lenet_trace)
    assert img.size == (round(lay.width), round(lay.height)) or abs(img.size[0] - lay.width) <= 1
    # the conv1 block's front face has the conv colour in the middle
    b = lay.boxes[1]
    r, g, bl = img.getpixel((int(b.x + b.w / 2), int(b.y + b.h / 2)))
    assert (r, g, bl) == pytest.approx((0x9e, 0xca, 0xe1), abs=12)
    assert len(img.getcolors(maxcolors=1 << 20)) > 50  # text and shading, not a blank page


def test_png_without_pillow_says_what_to_install(monkeypatch, tmp_path, lenet_trace):
    import builtins

    from tensorsight.render import png
    real = builtins.__import__

    def fake(name, *a, **kw):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no PIL")
        return real(name, *a, **kw)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(TensorsightError, match=r"pip install tensorsight\[png\]"):
        png.to_png(lenet_trace, tmp_path / "x.png")


def test_symbolic_sizes_read_unambiguously():
    from tensorsight.analysis.symbolic import symbolic
    from tensorsight.shapes import parse_shape

    from . import render_nets as nets
    t = symbolic(nets.LeNet(), parse_shape("N x 1 x H x W"))
    sizes = [b.size_text for b in layout(t).boxes]
    assert sizes[:3] == ["1×H×W", "6×(H − 2)×(W − 2)", "6×⌊(H − 2)/2⌋×⌊(W − 2)/2⌋"]
    ET.fromstring(to_svg(t).split("?>", 1)[1])
