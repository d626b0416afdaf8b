"""PNG pictures with Pillow (an optional dependency: ``pip install tensorsight[png]``).

It paints the same ``Canvas`` that ``render.svg`` writes as SVG, so the PNG and the SVG are one
picture. No system binary is needed: Pillow's wheels bring their own FreeType, and the font is
DejaVu Sans where the system has it, else the font Pillow ships.
"""
from __future__ import annotations

import math
import os

from ..errors import TensorsightError
from .svg import Canvas, Shape, draw, layout

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
              "/Library/Fonts", "C:/Windows/Fonts")
_FONT_FILES = {
    ("sans", "normal"): ("DejaVuSans.ttf", "Verdana.ttf", "verdana.ttf", "Arial.ttf", "arial.ttf"),
    ("sans", "bold"): ("DejaVuSans-Bold.ttf", "Verdana Bold.ttf", "verdanab.ttf", "Arial Bold.ttf", "arialbd.ttf"),
    ("mono", "normal"): ("DejaVuSansMono.ttf", "Menlo.ttc", "consola.ttf", "Courier New.ttf"),
    ("mono", "bold"): ("DejaVuSansMono-Bold.ttf", "Menlo.ttc", "consolab.ttf", "Courier New Bold.ttf"),
}
_font_cache: dict = {}


def _pil():
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise TensorsightError("writing PNG pictures needs Pillow: pip install tensorsight[png] "
                               "(or write SVG with --svg)") from None
    return Image, ImageDraw, ImageFont


def _font(family: str, weight: str, size: float):
    _, _, ImageFont = _pil()
    key = (family, weight, round(size * 4))
    f = _font_cache.get(key)
    if f is not None:
        return f
    for name in _FONT_FILES.get((family, weight), ()) + _FONT_FILES[("sans", "normal")]:
        for d in _FONT_DIRS:
            path = os.path.join(d, name)
            if os.path.exists(path):
                try:
                    f = ImageFont.truetype(path, max(1, round(size)))
                    break
                except OSError:
                    continue
        if f is not None:
            break
    if f is None:
        f = ImageFont.load_default(size=max(1, round(size)))
    _font_cache[key] = f
    return f


def _rgb(color: str | None):
    if not color or color == "none":
        return None
    c = color.lstrip("#")
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def _bezier(p0, p1, p2, p3, n: int = 40):
    pts = []
    for k in range(n + 1):
        t = k / n
        u = 1 - t
        pts.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
                    u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1]))
    return pts


def _dashed(points, dash):
    """Split a polyline into the segments of a dash pattern."""
    on, off = dash[0], dash[1] if len(dash) > 1 else dash[0]
    out, cur, left, drawing = [], [points[0]], on, True
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        seg = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while seg - pos > left:
            pos += left
            t = pos / seg
            p = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            if drawing:
                cur.append(p)
                out.append(cur)
            cur = [p]
            drawing = not drawing
            left = on if drawing else off
        left -= seg - pos
        if drawing:
            cur.append((x1, y1))
    if drawing and len(cur) > 1:
        out.append(cur)
    return out


def canvas_image(cv: Canvas, scale: float = 2.0):
    """Paint a canvas into a Pillow image (drawn at twice the size and scaled down: smooth edges)."""
    Image, ImageDraw, _ = _pil()
    ss = 2.0  # supersampling
    k = scale * ss
    W, H = max(1, int(math.ceil(cv.width * k))), max(1, int(math.ceil(cv.height * k)))
    img = Image.new("RGB", (W, H), _rgb(cv.background) or (255, 255, 255))
    d = ImageDraw.Draw(img)

    def P(pts):
        return [(x * k, y * k) for x, y in pts]

    for s in cv.items:
        if s.kind in ("open", "close", "hit"):
            continue
        sw = max(1, round(s.width * k)) if s.stroke else 0
        if s.opacity < 1.0 and s.fill and s.kind in ("poly", "rect"):  # translucent: blend its box
            pts = P(s.points)
            bx0 = max(0, int(min(x for x, _ in pts)))
            by0 = max(0, int(min(y for _, y in pts)))
            bx1 = min(W, int(math.ceil(max(x for x, _ in pts))) + 1)
            by1 = min(H, int(math.ceil(max(y for _, y in pts))) + 1)
            if bx1 > bx0 and by1 > by0:
                region = img.crop((bx0, by0, bx1, by1)).convert("RGBA")
                layer = Image.new("RGBA", region.size, (0, 0, 0, 0))
                ld = ImageDraw.Draw(layer)
                rgba = _rgb(s.fill) + (round(255 * s.opacity),)
                local = [(x - bx0, y - by0) for x, y in pts]
                if s.kind == "poly":
                    ld.polygon(local, fill=rgba)
                else:
                    ld.rounded_rectangle([local[0], local[1]], radius=s.radius * k, fill=rgba)
                img.paste(Image.alpha_composite(region, layer).convert("RGB"), (bx0, by0))
            if not s.stroke:
                continue
            s = Shape(s.kind, s.points, None, s.stroke, s.width, s.dash, radius=s.radius)
        if s.kind == "poly":
            pts = P(s.points)
            if s.fill:
                d.polygon(pts, fill=_rgb(s.fill))
            if s.stroke and s.width > 0:
                d.line(pts + [pts[0]], fill=_rgb(s.stroke), width=sw, joint="curve")
        elif s.kind == "rect":
            (x0, y0), (x1, y1) = P(s.points)
            if s.dash and s.stroke:
                if s.fill:
                    d.rounded_rectangle([x0, y0, x1, y1], radius=s.radius * k, fill=_rgb(s.fill))
                for seg in _dashed([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
                                   [v * k for v in s.dash]):
                    d.line(seg, fill=_rgb(s.stroke), width=sw)
            else:
                d.rounded_rectangle([x0, y0, x1, y1], radius=s.radius * k, fill=_rgb(s.fill),
                                    outline=_rgb(s.stroke), width=sw if s.stroke else 0)
        elif s.kind in ("line", "curve"):
            pts = P(_bezier(*s.points) if s.kind == "curve" else s.points)
            segs = _dashed(pts, [v * k for v in s.dash]) if s.dash else [pts]
            for seg in segs:
                d.line(seg, fill=_rgb(s.stroke), width=sw, joint="curve")
        elif s.kind == "text":
            (x, y), = P(s.points)
            font = _font(s.family, s.weight, s.size * k)
            anchor = {"start": "ls", "middle": "ms", "end": "rs"}[s.anchor]
            try:
                d.text((x, y), s.text, fill=_rgb(s.fill), font=font, anchor=anchor)
            except ValueError:  # a bitmap font without anchors
                d.text((x, y - s.size * k), s.text, fill=_rgb(s.fill), font=font)
    return img.resize((max(1, round(W / ss)), max(1, round(H / ss))), Image.LANCZOS)


def canvas_png(cv: Canvas, path, scale: float = 2.0) -> str:
    """Write a canvas as a PNG file; returns the path."""
    img = canvas_image(cv, scale)
    try:
        img.save(os.fspath(path), format="PNG")
    except OSError as exc:
        raise TensorsightError(f"cannot write {path}: {exc.strerror or exc}") from None
    return os.fspath(path)


def to_png(trace, path, *, scale: float = 2.0, depth: int | None = None, max_boxes: int = 28,
           max_width: float = 1800, title: str | None = None) -> str:
    """Write the shape-flow diagram of ``trace`` (the picture ``to_svg`` draws) as a PNG file."""
    from .args import check_number, check_path, check_trace
    check_trace("to_png(trace, path)", trace)
    check_path("to_png(trace, path)", path)
    check_number("to_png(scale=...)", "scale", scale)
    _pil()
    lay = layout(trace, depth=depth, max_boxes=max_boxes, max_width=max_width, title=title)
    return canvas_png(draw(lay), path, scale)


def conv_png(event_or_params=None, path="conv.png", *, scale: float = 2.0, trace=None, **params) -> str:
    """Write the picture of one conv or pooling layer (see ``render.conv_picture``) as PNG."""
    from .args import check_number, check_path
    from .conv_picture import conv_canvas
    check_path("conv_png(..., path)", path)
    check_number("conv_png(scale=...)", "scale", scale)
    _pil()
    return canvas_png(conv_canvas(event_or_params, trace=trace, **params), path, scale)


__all__ = ["to_png", "conv_png", "canvas_png", "canvas_image", "Shape"]
