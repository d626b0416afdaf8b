"""The arguments of ``tensorsight.summary``: torchinfo's (input_size, batch_dim, dtypes,
input_data, mode, row_settings) turned into the call the trace makes, and the guards the forward
runs under."""
from __future__ import annotations

import contextlib

import torch

from ..errors import TensorsightError

ROW_SETTINGS = ("depth", "var_names", "ascii_only", "hide_recursive_layers")


def check_depth(depth) -> int | None:
    if depth is None or (isinstance(depth, (int, float)) and depth == float("inf")):
        return None
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise TensorsightError(f"depth must be a whole number >= 0 (or None for every level), got {depth!r}")
    return depth


def check_row_settings(settings) -> tuple[str, ...]:
    if settings is None:
        return ("depth",)
    if isinstance(settings, str):
        settings = [s for s in settings.replace(" ", ",").split(",") if s]
    out = tuple(str(getattr(s, "value", s)).lower() for s in settings)
    bad = [s for s in out if s not in ROW_SETTINGS]
    if bad:
        raise TensorsightError(f"unknown row setting {bad[0]!r}; choose from {', '.join(ROW_SETTINGS)}")
    return out


def _dtype_name(dtype) -> str:
    if isinstance(dtype, torch.dtype):
        return str(dtype).removeprefix("torch.")
    from ..shapes import DTYPE_ALIASES
    key = str(dtype).lower().removeprefix("torch.")
    if key not in DTYPE_ALIASES:
        raise TensorsightError(f"unknown dtype {dtype!r} in dtypes; use torch dtypes such as torch.long")
    return DTYPE_ALIASES[key]


def _input_size_args(input_size, batch_dim, dtypes) -> tuple:
    """torchinfo's ``input_size`` (one size, or a list/tuple of sizes) as shape specs; with
    ``batch_dim`` a batch axis of 1 is inserted there; ``dtypes`` one per input (float32 default)."""
    from ..capture.inputs import is_shape
    from ..shapes import ShapeSpec
    if isinstance(input_size, torch.Size) or is_shape(input_size):
        sizes = [tuple(input_size)]
    elif isinstance(input_size, (list, tuple)) and input_size and all(
            isinstance(s, torch.Size) or is_shape(s) for s in input_size):
        sizes = [tuple(s) for s in input_size]
    else:
        raise TensorsightError(f"input_size must be a size such as (1, 3, 224, 224) or a list of sizes, "
                               f"got {input_size!r}")
    if any(d <= 0 for s in sizes for d in s):
        raise TensorsightError(f"input_size has a size <= 0: {input_size!r}")
    names = [_dtype_name(d) for d in dtypes] if dtypes is not None else ["float32"] * len(sizes)
    if len(names) < len(sizes):
        raise TensorsightError(f"dtypes gives {len(names)} dtype(s) for {len(sizes)} inputs; give one per input")
    specs = []
    for size, dt in zip(sizes, names):
        dims = list(size)
        if batch_dim is not None:
            dims.insert(batch_dim if batch_dim >= 0 else len(dims) + 1 + batch_dim, 1)
        specs.append(ShapeSpec(tuple(int(d) for d in dims), dt))
    return tuple(specs)


def call_arguments(example, input_size, input_data, batch_dim, dtypes, kwargs) -> tuple[tuple, dict, bool]:
    """(positional args, keyword args, whether a forward runs at all)."""
    from ..capture.inputs import normalize_example
    given = [n for n, v in (("example", example), ("input_size", input_size), ("input_data", input_data))
             if v is not None]
    if len(given) > 1:
        raise TensorsightError(f"give the input once: {' and '.join(given)} were both given")
    kwargs = dict(kwargs)
    if input_size is not None:
        return _input_size_args(input_size, batch_dim, dtypes), kwargs, True
    if input_data is not None:  # torchinfo: a dict is keyword arguments, a list/tuple positional ones
        if isinstance(input_data, dict):
            return (), {**input_data, **kwargs}, True
        args = tuple(input_data) if isinstance(input_data, (list, tuple)) else (input_data,)
        return _with_batch_dim(args, batch_dim), kwargs, True
    if example is None:
        return (), kwargs, bool(kwargs)
    return _with_batch_dim(normalize_example(example), batch_dim), kwargs, True


def _with_batch_dim(args: tuple, batch_dim) -> tuple:
    if batch_dim is None:
        return args
    return tuple(a.unsqueeze(batch_dim) if isinstance(a, torch.Tensor) else a for a in args)


@contextlib.contextmanager
def forward_mode(model: torch.nn.Module, mode):
    """torchinfo's ``mode``: the forward runs in train or eval mode; the flags are put back."""
    if mode is None or str(mode).lower() == "same":
        yield
        return
    mode = str(getattr(mode, "value", mode)).lower()
    if mode not in ("train", "eval"):
        raise TensorsightError(f"mode must be 'train' or 'eval', got {mode!r}")
    flags = [(m, m.training) for m in model.modules()]
    try:
        model.train(mode == "train")
        yield
    finally:
        for m, flag in flags:
            m.training = flag


@contextlib.contextmanager
def numpy_rng_kept():
    """A forward that draws from ``np.random`` (augmentation in train mode) leaves numpy's global
    RNG where it was (capture's guard restores torch's and Python's)."""
    import sys
    random_module = sys.modules.get("numpy.random")  # not imported yet: no state anyone has seen
    state = random_module.get_state() if random_module is not None else None
    try:
        yield
    finally:
        if state is not None:
            random_module.set_state(state)
