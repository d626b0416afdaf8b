"""``tensorsight summary TARGET --input SHAPE``: modules, parameters, exact FLOPs and memory."""
from __future__ import annotations

import sys

from .common import add_target_args

_COLUMNS = "input,output,params,percent,trainable,kernel,groups,flops,macs,memory,alloc"


def register(sub) -> None:
    p = sub.add_parser(
        "summary", help="module table: output shapes, parameters, exact FLOPs and memory",
        description="Summarise a model from the forward pass tensorsight trace records (a throw-away "
                    "copy for small models, meta tensors for large ones: no weights read, any size): a "
                    "module tree with output shapes, parameters (shared ones counted once), FLOPs and "
                    "multiply-adds counted op by op as torch's FlopCounterMode counts them, output and "
                    "activation memory, and totals marked exact or estimated. Without --input: the "
                    "parameter table.")
    add_target_args(p)
    p.add_argument("--depth", "-d", default="3", metavar="N",
                   help="deepest module level shown; the model itself is 0 (default 3; 'all' for every level)")
    p.add_argument("--columns", "-c", default=None, metavar="LIST",
                   help=f"comma-separated columns out of {_COLUMNS} (default output,params,flops,memory)")
    p.add_argument("--mode", choices=("train", "eval"), default=None,
                   help="run the forward in train or eval mode (default: as the model is built)")
    p.add_argument("--format", "-f", choices=("table", "json"), default="table")
    p.add_argument("--no-collapse", action="store_true",
                   help="one row per module call, even for identical repeated blocks")
    p.add_argument("--optimizer", default="adam", metavar="NAME",
                   help="for the training memory estimate: adam, adamw, sgd, momentum, rmsprop, adagrad (default adam)")
    p.add_argument("--width", type=int, default=None, metavar="COLS", help="table width (default: as wide as needed)")
    p.set_defaults(func=run)


def _depth(text: str):
    from ..errors import TensorsightError
    if str(text).lower() in ("all", "none", "-1", "inf"):
        return None
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise TensorsightError(f"--depth takes a whole number >= 0 or 'all', got {text!r}")
    return value


def run(args) -> int:
    from ..render.summary_table import check_columns
    from .common import forward_failed, load_model_and_inputs

    depth = _depth(args.depth)  # mistakes in the arguments are reported before torch loads
    columns = check_columns(args.columns)
    model, positional, keywords = load_model_and_inputs(args, need_input=False)  # no input: the parameter table, as torchinfo
    import torch

    from ..analysis.summary import summary
    from ..errors import ForwardError
    if not isinstance(model, torch.nn.Module):
        from ..errors import TensorsightError
        raise TensorsightError(f"{args.target} is a {type(model).__name__}; summary needs an nn.Module")
    example = positional[0] if len(positional) == 1 else (positional or None)
    try:
        result = summary(model, example, depth=depth, columns=columns if args.columns else None,
                         collapse=not args.no_collapse, optimizer=args.optimizer, mode=args.mode, **keywords)
    except ForwardError as exc:
        return forward_failed(exc, args.input)
    if args.format == "json":
        sys.stdout.write(result.to_json() + "\n")
        return 0
    if sys.stdout.isatty() and args.width is None:
        import shutil
        from rich.console import Console
        Console(width=max(shutil.get_terminal_size((140, 40)).columns, 100)).print(result.table())
    else:
        from ..render.summary_table import summary_text
        sys.stdout.write(summary_text(result, width=args.width))
    return 0
