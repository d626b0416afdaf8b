"""Where meta and fake kernels differ from eager PyTorch, and the FLOPs torch does not count.

* Narrower than eager: ``torch._grouped_mm`` (MoE experts in transformers) has a meta kernel that
  accepts only bfloat16, while float32 runs on CPU. Its output shape does not depend on the dtype,
  so the meta kernel runs on bfloat16 twins and the output gets the dtype eager gives it.
* Wider than eager: the meta kernels of ``F.linear`` and ``matmul`` skip the check that both
  operands have one dtype, so a ``Linear`` fed ``long`` (or complex, or float16 into float32)
  would trace where the real run raises. Here it raises eager's own message.
* Slow on meta: the meta kernels of ``relu`` and ``batch_norm`` are torch's Python references
  (batch_norm's runs a dozen of them), most of a ResNet's meta trace. On meta tensors they are
  computed from cheaper ops, with eager's checks and messages and the output's shape, dtype,
  strides and autograd as eager gives: ``empty_like`` (a C++ kernel) where no gradient flows,
  else ``clamp_min(x, 0)`` and ``x·w + b``. Anything a rule does not know (mixed dtypes, odd
  layouts) runs torch's meta kernel as it is.
* FLOPs: ``EXTRA_FLOPS`` maps an op name of the trace to a function of its OpEvent, for ops
  torch's FLOP counter has no formula for; ``flops_of_event(event)`` reads it.
"""
from __future__ import annotations

from typing import Callable

import torch

from .events import OpEvent

_NARROW_DTYPE = torch.bfloat16


def _grouped_mm_meta(func, args, kwargs):
    """Run the bf16-only meta kernel on bf16 twins; the output keeps eager's dtype."""
    tensors = [a for a in args[:2] if isinstance(a, torch.Tensor)]
    if len(tensors) < 2 or all(t.dtype == _NARROW_DTYPE for t in tensors):
        return None
    out_dtype = kwargs.get("out_dtype") or tensors[0].dtype
    _same_dtype(func, tensors[0], tensors[1])
    cast = [a.to(_NARROW_DTYPE) if isinstance(a, torch.Tensor) and i < 2 else a for i, a in enumerate(args)]
    kw = {k: v for k, v in kwargs.items() if k != "out_dtype"}
    return func(*cast, **kw).to(out_dtype)


_TYPE_NAMES: dict = {}


def _scalar_type(dtype: torch.dtype) -> str:
    """torch's C++ name of a dtype, as eager's messages say it: Long, Float, Half, ComplexFloat."""
    name = _TYPE_NAMES.get(dtype)
    if name is None:
        try:
            name = torch.empty(0, dtype=dtype).type().removeprefix("torch.").removesuffix("Tensor")
        except Exception:  # noqa: BLE001
            name = str(dtype).removeprefix("torch.")
        _TYPE_NAMES[dtype] = name
    return name


def _same_dtype(func, a, b) -> None:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and a.dtype != b.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_scalar_type(a.dtype)} and {_scalar_type(b.dtype)}")


def _linear_check(func, args, kwargs):
    x = args[0] if args else kwargs.get("input")
    w = args[1] if len(args) > 1 else kwargs.get("weight")
    _same_dtype(func, x, w)
    b = args[2] if len(args) > 2 else kwargs.get("bias")
    if isinstance(b, torch.Tensor) and isinstance(x, torch.Tensor) and b.dtype != x.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{_scalar_type(x.dtype)} and {_scalar_type(b.dtype)}")
    return None


def _matmul_check(func, args, kwargs):
    a = args[0] if args else kwargs.get("input")
    b = args[1] if len(args) > 1 else kwargs.get("other", kwargs.get("mat2"))
    _same_dtype(func, a, b)
    return None


def _addmm_check(func, args, kwargs):
    mats = [a for a in args[:3] if isinstance(a, torch.Tensor)]
    for m in mats[1:]:
        _same_dtype(func, mats[0], m)
    return None


def _arg(args, kwargs, i: int, name: str, default=None):
    return args[i] if len(args) > i else kwargs.get(name, default)


def _all_meta(*ts) -> bool:
    return all(t is None or (isinstance(t, torch.Tensor) and t.is_meta) for t in ts)


def _dense_layout(x: torch.Tensor) -> bool:
    """Layouts where empty_like and elementwise ops give the output strides eager gives."""
    return x.is_contiguous() or (x.dim() == 4 and x.is_contiguous(memory_format=torch.channels_last))


def _grad_flows(*ts) -> bool:
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in ts)


def _relu_meta(func, args, kwargs):
    x = _arg(args, kwargs, 0, "input")
    if not isinstance(x, torch.Tensor) or not x.is_meta or not _dense_layout(x):
        return None
    if x.dtype == torch.bool:
        raise RuntimeError("Boolean inputs not supported for relu")
    inplace = func in _RELU_INPLACE or (func is torch.nn.functional.relu and _arg(args, kwargs, 1, "inplace", False))
    if inplace:
        return x.clamp_min_(0) if _grad_flows(x) else x  # clamp_min_ keeps autograd's in-place checks
    return torch.clamp_min(x, 0) if _grad_flows(x) else torch.empty_like(x)


def _batch_norm_meta(func, args, kwargs):
    x = _arg(args, kwargs, 0, "input")
    stats = _arg(args, kwargs, 1, "running_mean"), _arg(args, kwargs, 2, "running_var")
    w, b = _arg(args, kwargs, 3, "weight"), _arg(args, kwargs, 4, "bias")
    training = _arg(args, kwargs, 5, "training", False)
    if not isinstance(x, torch.Tensor) or x.dim() < 2 or not _all_meta(x, *stats, w, b) or not _dense_layout(x):
        return None
    if any(t is not None and t.dtype != x.dtype for t in (w, b)):
        return None  # mixed precision: torch's own meta kernel
    if not training and any(t is None for t in stats):
        return None  # torch raises its own message
    if training:
        torch.nn.functional._verify_batch_size(x.size())
    channels = x.shape[1]
    for name, t in zip(("running_mean", "running_var", "weight", "bias"), (*stats, w, b)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    if not _grad_flows(x, w, b):
        return torch.empty_like(x)
    view = (1, channels) + (1,) * (x.dim() - 2)
    out = x * w.reshape(view) if w is not None else x.clone()
    return out + b.reshape(view) if b is not None else out


_RELU_INPLACE = (torch.relu_, torch.Tensor.relu_)

# func -> rule(func, args, kwargs): raises as eager would, returns an output to use instead of
# the meta kernel's, or None to run the meta kernel as it is
META_RULES: dict[Callable, Callable] = {
    torch.nn.functional.linear: _linear_check,
    torch.nn.functional.relu: _relu_meta, torch.relu: _relu_meta, torch.Tensor.relu: _relu_meta,
    torch.relu_: _relu_meta, torch.Tensor.relu_: _relu_meta,
    torch.nn.functional.batch_norm: _batch_norm_meta,
    torch.matmul: _matmul_check, torch.Tensor.matmul: _matmul_check,
    torch.Tensor.__matmul__: _matmul_check, torch.mm: _matmul_check, torch.Tensor.mm: _matmul_check,
    torch.addmm: _addmm_check, torch.Tensor.addmm: _addmm_check,
}
if hasattr(torch, "_grouped_mm"):
    META_RULES[torch._grouped_mm] = _grouped_mm_meta
if hasattr(torch.nn.functional, "grouped_mm"):
    META_RULES[torch.nn.functional.grouped_mm] = _grouped_mm_meta
META_RULES[torch.Tensor.__rmatmul__] = lambda f, a, k: _matmul_check(f, (a[1], a[0]) if len(a) > 1 else a, k)


# -- FLOPs ------------------------------------------------------------------------------------------
def _numel(shape) -> int | None:
    n = 1
    for d in shape:
        if not isinstance(d, int):
            return None
        n *= d
    return n


def grouped_mm_flops(e: OpEvent) -> int | None:
    """2·(output elements)·K: each row of the output is one row of ``mat_a`` times its group's
    matrix; with two 2-D operands the groups split K, so each output element sums K/G of it."""
    if len(e.inputs) < 2 or not e.outputs:
        return None
    a, b, out = e.inputs[0], e.inputs[1], e.outputs[0]
    n, k = _numel(out.shape), a.shape[-1] if a.shape else None
    if n is None or not isinstance(k, int):
        return None
    if len(a.shape) == 2 and len(b.shape) == 2:
        groups = out.shape[0]
        return 2 * n * k // groups if isinstance(groups, int) and groups else None
    return 2 * n * k


EXTRA_FLOPS: dict[str, Callable[[OpEvent], int | None]] = {
    "torch._grouped_mm": grouped_mm_flops,
    "F.grouped_mm": grouped_mm_flops,
}


def flops_of_event(event: OpEvent) -> int | None:
    """FLOPs of an op torch's counter has no formula for (MoE expert matmuls), else None."""
    rule = EXTRA_FLOPS.get(event.op)
    return rule(event) if rule is not None else None
