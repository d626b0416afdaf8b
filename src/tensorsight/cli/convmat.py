"""``tensorsight convmat "Conv2d(3, 16, 3, padding=1)" --input 3x32x32``: a conv as its matrix.

Prints the shape, nnz, density and bytes of the exact matrix ``B`` with
``conv(x).flatten() == B @ x.flatten() + bias``, the build time, and for small matrices a text
picture of the sparsity pattern. ``--save`` writes it (torch.save, or scipy's .npz).
torch is imported inside ``run`` so that ``tensorsight --help`` stays fast.
"""
from __future__ import annotations

import ast

from ..errors import TensorsightError

LAYERS = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
PICTURE_MAX = 64          # the picture has at most this many rows and columns of characters
PICTURE_LIMIT = 4096      # no picture for matrices with more rows or columns than this
DENSE_LIMIT = 2 * 2 ** 30  # --dense refuses matrices above 2 GiB
_SHADES = "·░▒▓█"


def register(sub) -> None:
    p = sub.add_parser(
        "convmat", help="a convolution as its exact (sparse) matrix: shape, nnz, sparsity picture",
        description="Build the exact matrix B of a convolution layer, such that "
                    "conv(x).flatten() == B @ x.flatten() + bias, and print its shape, nnz, density, "
                    "bytes, build time and (for small inputs) a picture of its sparsity pattern. "
                    "Weights are random (seed 0): the pattern does not depend on them.")
    p.add_argument("layer", help='the layer as you would write it, e.g. "Conv2d(3, 16, 3, padding=1)" '
                                 "(Conv1d/2d/3d, ConvTranspose1d/2d/3d with literal arguments)")
    p.add_argument("--input", "-i", required=True, metavar="SHAPE",
                   help="input shape C x spatial (a leading batch size is ignored), e.g. 3x32x32")
    p.add_argument("--dense", action="store_true", help="build the dense matrix instead of CSR")
    p.add_argument("--save", metavar="FILE",
                   help="save the matrix: FILE.npz via scipy.sparse.save_npz (numpy.savez with "
                        "--dense), anything else via torch.save of {matrix, bias, ...}")
    p.set_defaults(func=run)


def _name_of(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    dotted = ".".join(reversed(parts))
    for prefix in ("torch.nn.", "nn."):
        if dotted.startswith(prefix):
            dotted = dotted[len(prefix):]
    return dotted


def parse_layer(text: str) -> tuple[str, list, dict]:
    """``"Conv2d(3, 16, 3, padding=1)"`` -> ``("Conv2d", [3, 16, 3], {"padding": 1})``, safely:
    only a call of a conv layer name with literal arguments is accepted."""
    example = 'e.g. "Conv2d(3, 16, 3, padding=1)"'
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise TensorsightError(f"cannot read the layer {text!r}; write a conv layer call, {example}") from None
    call = tree.body
    if not isinstance(call, ast.Call):
        raise TensorsightError(f"the layer {text!r} is not a call; write a conv layer call, {example}")
    name = _name_of(call.func)
    if name not in LAYERS:
        raise TensorsightError(f"the layer {text!r} is not one of {', '.join(LAYERS)}; {example}")
    args, kwargs = [], {}
    for node in call.args:
        if isinstance(node, ast.Starred):
            raise TensorsightError(f"the layer {text!r} uses *args; write the arguments out")
        args.append(_literal(node, text))
    for kw in call.keywords:
        if kw.arg is None:
            raise TensorsightError(f"the layer {text!r} uses **kwargs; write the arguments out")
        kwargs[kw.arg] = _literal(kw.value, text)
    for key in ("device", "dtype"):
        if key in kwargs:
            raise TensorsightError(f"the layer {text!r}: {key}= is not supported here; drop it")
    return name, args, kwargs


def _literal(node, text):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError):
        raise TensorsightError(f"the layer {text!r} has a non-literal argument "
                               f"{ast.unparse(node)!r}; only numbers, strings, tuples, True/False/None "
                               f"are allowed") from None


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def sparsity_picture(B) -> list[str]:
    """Text picture of B's nonzero pattern, at most PICTURE_MAX x PICTURE_MAX characters; each
    character covers a block of entries, shaded by the fraction of them that is stored."""
    import math

    import torch
    rows, cols = B.shape
    rb, cb = math.ceil(rows / PICTURE_MAX), math.ceil(cols / PICTURE_MAX)
    nr, nc = math.ceil(rows / rb), math.ceil(cols / cb)
    if B.layout == torch.strided:
        r, c = (B != 0).nonzero(as_tuple=True)
    else:
        csr = B if B.layout == torch.sparse_csr else B.to_sparse_csr()
        crow, c = csr.crow_indices(), csr.col_indices()
        r = torch.repeat_interleave(torch.arange(rows, dtype=crow.dtype), crow.diff(),
                                    output_size=c.numel())
    counts = torch.bincount((r.long() // rb) * nc + c.long() // cb, minlength=nr * nc).view(nr, nc)
    height = torch.full((nr,), rb)
    height[-1] = rows - rb * (nr - 1)
    width = torch.full((nc,), cb)
    width[-1] = cols - cb * (nc - 1)
    frac = counts / (height[:, None] * width[None, :])
    level = torch.where(counts == 0, 0, 1 + (frac * 4).clamp(max=3.999).long()).clamp(max=4)
    if rb == 1 and cb == 1:
        level = torch.where(counts > 0, 4, 0)
    return ["".join(_SHADES[v] for v in row) for row in level.tolist()]


def run(args) -> int:
    import math
    import time

    from ..shapes import parse_shape

    from .outputs import resolve_outputs
    resolve_outputs(args, ("--save",))
    name, cargs, ckwargs = parse_layer(args.layer)       # user mistakes first, before torch loads
    spec = parse_shape(args.input)
    if spec.symbolic:
        raise TensorsightError(f"--input {args.input!r} has symbolic sizes; give numbers, e.g. 3x32x32")

    import torch
    from torch import nn

    from ..algebra.conv_matrix import matrix_from_plan, plan_conv
    from ..limits import fmt_bytes, max_bytes
    try:
        with torch.device("meta"):  # its size first: Conv2d(99999, 99999, 99) must not allocate
            probe = getattr(nn, name)(*cargs, **ckwargs)
        weight_bytes = sum(p.numel() * p.element_size() for p in probe.parameters())
        if weight_bytes > max_bytes():
            raise TensorsightError(f"{args.layer} has {fmt_bytes(weight_bytes)} of weights; the limit is "
                                   f"{fmt_bytes(max_bytes())} (docs/limits.md)")
        torch.manual_seed(0)
        layer = getattr(nn, name)(*cargs, **ckwargs)
    except (TypeError, ValueError, RuntimeError, OverflowError) as exc:
        if isinstance(exc, TensorsightError):
            raise
        raise TensorsightError(f"cannot build {args.layer}: {(str(exc).splitlines() or [''])[0]}") from None
    plan = plan_conv(layer, spec.dims)
    rows, cols = plan.matrix_shape
    if args.dense and rows * cols * 4 > DENSE_LIMIT:
        raise TensorsightError(f"the dense {rows} x {cols} matrix would take "
                               f"{_fmt_bytes(rows * cols * 4)}; drop --dense for the sparse one")
    start = time.perf_counter()
    B, b = matrix_from_plan(plan, "dense" if args.dense else "sparse")
    seconds = time.perf_counter() - start

    if args.dense:
        nnz = int((B != 0).sum())
        nbytes = B.numel() * B.element_size()
        kind = f"dense {str(B.dtype).removeprefix('torch.')}"
    else:
        nnz = B._nnz()
        parts = (B.crow_indices(), B.col_indices(), B.values())
        nbytes = sum(t.numel() * t.element_size() for t in parts)
        kind = f"sparse CSR {str(B.dtype).removeprefix('torch.')}, int64 indices"
    shape_in = "x".join(map(str, plan.input_shape))
    shape_out = "x".join(map(str, plan.output_shape))
    density = nnz / (rows * cols) if rows * cols else 0.0
    print(f"{args.layer} on input {shape_in} -> output {shape_out}")
    print(f"matrix B: {rows} x {cols} ({kind}); conv(x).flatten() == B @ x.flatten() + bias")
    print(f"nnz:      {nnz:,}" + ("  (nonzero entries)" if args.dense else "  (stored entries)"))
    print(f"density:  {density:.4%}")
    print(f"bytes:    {_fmt_bytes(nbytes)}" +
          ("" if args.dense else f"  (dense would take {_fmt_bytes(rows * cols * B.element_size())})"))
    if b is not None:
        print(f"bias:     vector of {b.numel()} ({plan.out_channels} channel biases, each repeated "
              f"over {math.prod(plan.out_spatial)} output positions)")
    else:
        print("bias:     none")
    print(f"built in: {seconds * 1e3:.1f} ms")
    if rows <= PICTURE_LIMIT and cols <= PICTURE_LIMIT:
        rb, cb = math.ceil(rows / PICTURE_MAX), math.ceil(cols / PICTURE_MAX)
        print()
        if rb == 1 and cb == 1:
            print("sparsity pattern (█ stored entry, · zero; rows = outputs, columns = inputs):")
        else:
            print(f"sparsity pattern (each character = {rb} x {cb} block; ░▒▓█ up to 25/50/75/100% "
                  f"stored, · none):")
        for line in sparsity_picture(B):
            print("  " + line)
    else:
        print(f"(no sparsity picture: the matrix is larger than {PICTURE_LIMIT} x {PICTURE_LIMIT})")
    if args.save:
        try:
            _save(args.save, B, b, plan, args.layer)
        except OSError as exc:
            raise TensorsightError(f"cannot write --save {args.save}: {exc.strerror or exc}") from None
        import os
        print(f"saved to {os.path.relpath(args.save)}")
    return 0


def _save(path: str, B, b, plan, text: str) -> None:
    import torch
    if path.endswith(".npz"):
        if B.layout == torch.strided:
            import numpy as np
            arrays = {"matrix": B.numpy()}
            if b is not None:
                arrays["bias"] = b.numpy()
            np.savez(path, **arrays)
            return
        try:
            import scipy.sparse
        except ImportError:
            raise TensorsightError("saving .npz needs scipy (pip install scipy); "
                                   "or give a file name ending in .pt for torch.save") from None
        m = scipy.sparse.csr_matrix((B.values().numpy(), B.col_indices().numpy(),
                                     B.crow_indices().numpy()), shape=tuple(B.shape))
        scipy.sparse.save_npz(path, m)
        if b is not None:
            print("note: scipy's .npz holds the matrix only; save to a .pt file to keep the bias")
        return
    torch.save({"matrix": B, "bias": b, "layer": text, "input_shape": plan.input_shape,
                "output_shape": plan.output_shape}, path)
