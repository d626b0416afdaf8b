"""What we know about layers: which constructor argument is which size, and how to write a
new size in the user's own style (a product stays a product: ``32*4*8*8`` → ``32*4*6*6``)."""
from __future__ import annotations

import ast

from ...capture.events import OpEvent, TensorMeta, Trace
from . import edits

# layer type -> {role: (position, keyword)}
ARGS = {
    "Linear": {"in": (0, "in_features"), "out": (1, "out_features")},
    "Bilinear": {"in": (0, "in1_features"), "out": (2, "out_features")},
    "Embedding": {"num": (0, "num_embeddings"), "out": (1, "embedding_dim")},
    "EmbeddingBag": {"num": (0, "num_embeddings"), "out": (1, "embedding_dim")},
    "LayerNorm": {"in": (0, "normalized_shape"), "out": (0, "normalized_shape")},
    "GroupNorm": {"in": (1, "num_channels"), "out": (1, "num_channels")},
}
for _n in ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"):
    ARGS[_n] = {"in": (0, "in_channels"), "out": (1, "out_channels")}
for _n in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
           "SyncBatchNorm"):
    ARGS[_n] = {"in": (0, "num_features"), "out": (0, "num_features")}
for _n in ("LSTM", "GRU", "RNN"):
    ARGS[_n] = {"in": (0, "input_size"), "out": (1, "hidden_size")}

# ops that keep the channel/feature count: walk through them to find the layer that set it
PASS_THROUGH = {"relu", "relu_", "leaky_relu", "gelu", "silu", "tanh", "sigmoid", "dropout", "dropout2d",
                "batch_norm", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
                "avg_pool3d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "adaptive_avg_pool1d", "elu",
                "layer_norm", "group_norm", "instance_norm", "contiguous", "clone", "hardtanh", "relu6",
                "interpolate", "upsample", "pad", "softplus", "mish", "max_pool2d_with_indices", "selu",
                "prelu", "__add__", "__iadd__", "add", "__mul__", "mul"}
LAYER_OPS = {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
             "linear", "embedding", "lstm", "gru", "rnn_tanh", "rnn_relu", "bilinear"}


def arg_spec(module_type: str, role: str):
    return ARGS.get(module_type, {}).get(role)


def ctor_arg_text(site, module_type: str, role: str, module=None) -> str | None:
    spec = arg_spec(module_type, role)
    if site is None or spec is None:
        return None
    return edits.arg_text(site.file, site.line, (module_type,), spec[0], spec[1],
                          index=call_index(site, module_type, module))


def replace_ctor_arg(site, module_type: str, role: str, new_text: str, module=None):
    spec = arg_spec(module_type, role)
    if site is None or spec is None:
        return None
    return edits.replace_arg(site.file, site.line, (module_type,), spec[0], spec[1], new_text,
                             index=call_index(site, module_type, module))


_SIZE_ATTRS = {"in": ("in_features", "in_channels", "num_features", "input_size", "num_embeddings", "num_channels"),
               "out": ("out_features", "out_channels", "hidden_size", "embedding_dim")}


def call_index(site, module_type: str, module) -> int | None:
    """Which of the ``module_type(...)`` calls on the site's line built ``module`` (a line such as
    ``nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, n))`` builds several)."""
    if module is None:
        return None
    src = edits.load(site.file)
    if src is None:
        return None
    calls = edits.calls_at(src, site.line, module_type) or edits.calls_covering(src, site.line, module_type)
    if len(calls) < 2:
        return None
    for i, call in enumerate(calls):
        ok = True
        for role in ("in", "out"):
            spec = arg_spec(module_type, role)
            if spec is None:
                continue
            arg = edits.arg_node(call.node, spec[0], spec[1])
            value = _eval_int(src.code(arg.value).strip()) if arg is not None else None
            actual = next((getattr(module, a) for a in _SIZE_ATTRS.get(role, ()) if isinstance(getattr(module, a, None), int)),
                          None)
            if value is not None and actual is not None and value != actual:
                ok = False
        if ok:
            return i
    return None


def feeding_layer(trace: Trace, meta: TensorMeta) -> OpEvent | None:
    """The layer op (conv/linear/...) whose output size ``meta``'s channels come from."""
    cur = meta
    for _ in range(50):
        if cur.producer is None:
            return None
        ev = trace.events[cur.producer]
        if ev.name in LAYER_OPS:
            return ev
        if ev.name not in PASS_THROUGH or not ev.activations:
            return None
        cur = ev.activations[0]
    return None


def module_of(trace: Trace, watcher, path: str):
    """The nn.Module at ``path`` in ``trace`` (a fake re-trace keeps its own path map)."""
    table = getattr(trace, "_modules", None)
    if table is not None and path in table:
        return table[path]()
    return watcher.module(path) if watcher is not None else None


def size_text_from_producer(trace: Trace, meta: TensorMeta, watcher, value: int) -> str | None:
    """The text the user wrote for the size ``value`` at the layer that produced it."""
    ev = feeding_layer(trace, meta)
    if ev is None or watcher is None:
        return None
    module = module_of(trace, watcher, ev.module)
    if module is None:
        return None
    text = ctor_arg_text(watcher.site(module), type(module).__name__, "out", module)
    if text is None:
        return None
    try:
        if _eval_int(text) not in (None, value):
            return None
    except Exception:  # noqa: BLE001 - the text uses names: trust the layer's actual size
        pass
    if getattr(module, "out_channels", getattr(module, "out_features", getattr(module, "embedding_dim", None))) != value:
        return None
    return text


def _eval_int(text: str) -> int | None:
    try:
        value = eval(compile(ast.parse(text, mode="eval"), "<size>", "eval"), {"__builtins__": {}}, {})
    except Exception:  # noqa: BLE001 - names we cannot evaluate
        return None
    return value if isinstance(value, int) else None


def product_in_style(old_text: str | None, old_value: int | None, factors: list[int]) -> str:
    """Write ``prod(factors)`` like the user wrote ``old_text``.

    ``factors`` are the per-sample dims (C, H, W). A product keeps its leading terms when they
    still equal C: ``self._num_channels*4*8*8`` with factors (128, 6, 6) and old value 8192
    becomes ``self._num_channels*4*6*6``; a bare number becomes ``32 * 7 * 7``.
    """
    if len(factors) <= 1:
        return str(factors[0] if factors else 1)
    sep = " * "
    if old_text and "*" in old_text and " * " not in old_text:
        sep = "*"
    tail = [str(f) for f in factors[1:]]
    head = str(factors[0])
    if old_text and old_value:
        parts = _product_parts(old_text)
        if parts and len(parts) > len(tail):
            lits = [_eval_int(p) for p in parts[-len(tail):]]
            if all(isinstance(v, int) and v > 0 for v in lits):
                denom = 1
                for v in lits:
                    denom *= v
                if old_value % denom == 0 and old_value // denom == factors[0]:
                    head = sep.join(parts[:-len(tail)])
    return sep.join([head, *tail])


def _product_parts(text: str) -> list[str] | None:
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return None
    parts: list[ast.AST] = []

    def walk(node):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            walk(node.left)
            walk(node.right)
        else:
            parts.append(node)
    walk(tree)
    return [ast.get_source_segment(text.strip(), p) for p in parts]


def per_sample_factors(trace: Trace, meta: TensorMeta) -> list[int]:
    """For a flattened [N, F] tensor, the per-sample dims before flattening ([C, H, W])."""
    cur = meta
    for _ in range(20):
        if cur.producer is None:
            break
        ev = trace.events[cur.producer]
        if ev.name in ("view", "reshape", "flatten", "Flatten") and ev.activations:
            src = ev.activations[0]
            if src.known and len(src.shape) >= 2:
                dims = list(src.shape[1:])
                if len(dims) >= 2:
                    return [int(d) for d in dims]
            break
        if ev.name in PASS_THROUGH and ev.activations:
            cur = ev.activations[0]
            continue
        break
    last = meta.shape[-1] if meta.shape else 1
    return [int(last)] if isinstance(last, int) else []
