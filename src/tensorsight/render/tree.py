"""The module tree: each module call with its input and output shapes."""
from __future__ import annotations

from rich.markup import escape
from rich.tree import Tree

from ..capture.events import Trace
from .sharding import module_sharding
from .table import shapes_of


def module_tree(trace: Trace, *, depth: int | None = None) -> Tree:
    # sizes such as [u0,2] or [batch,3] would read as markup tags: escape them
    label = f"[bold]{escape(trace.model or 'model')}[/] {escape(shapes_of(trace.inputs))} → " \
            f"{escape(shapes_of(trace.outputs))}"
    root = Tree(label)
    nodes = {-1: root}
    for call in trace.modules:
        if call.path == "" and call.depth == 0:
            continue
        if depth is not None and call.depth > depth:
            continue
        parent = nodes.get(call.depth - 1, root)
        name = call.path.rsplit(".", 1)[-1] or call.type
        ops = call.end - call.start
        sharding = module_sharding(trace, call)  # '' unless the module holds DTensors
        node = parent.add(f"[cyan]{escape(name)}[/] ({escape(call.type)}) {escape(shapes_of(call.inputs))} → "
                          f"{escape(shapes_of(call.outputs))} [dim]{ops} ops[/]"
                          + (f" [magenta]{escape(sharding)}[/]" if sharding else ""))
        nodes[call.depth] = node
    return root
