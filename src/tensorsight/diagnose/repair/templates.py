"""The library of candidate edits, kept as data: each template says which sites it applies to
and how to write the edit there. None of them knows a program: they read the failing op, the
operands' shapes, the modules' sizes and the numbers in the error.

A template's ``make(ctx, site)`` yields Candidates. Edits on an operand also say what the
failing op would then see (``effect``), so ``fit.fits`` can drop edits that cannot help before
any re-run.
"""
from __future__ import annotations

from .candidate import Candidate, Context, Template
from .templates_data import (add_axis, cast, cat_dim, drop_axis, move_axis, new_axis_dim, per_sample_flatten,
                             rowwise_dot, squeeze_dim, undo_call)
from .templates_layers import (batch_first, drop_last, input_size_for_network, logits_loss, number_from_error,
                               pad_collate, resize_to_other, set_ctor_in, set_ctor_out, smaller_window,
                               swap_ctor_args)
from .templates_producer import batch_axis, features_last, mask_values, onehot_to_ids, pack_rows, truncate_ids
from .templates_collate import resize_samples
from .templates_shift import shifted_target
from .templates_labels import shift_labels
from .templates_loss_rows import flatten_rows
from .templates_producer_sizes import input_size_at_producer, resize_before_flatten
from .templates_defaults import DEFAULTS
from .templates_origin import dtype_at_creation, in_size_from_producer
from .templates_around import transpose_around
from .templates_scale import resample_factor
from .templates_sizes import argument_from_data, size_from_data
from .templates_state import size_argument_at_call
from .templates_names import reassigned_attribute

__all__ = ["Candidate", "Context", "TEMPLATES", "generate"]


TEMPLATES = [
    Template("per_sample_flatten", "data", ("operand", "call"), per_sample_flatten),
    Template("move_axis", "data", ("operand",), move_axis),
    Template("transpose_around", "data", ("call",), transpose_around),
    Template("add_axis", "data", ("operand",), add_axis),
    Template("drop_axis", "data", ("operand",), drop_axis),
    Template("undo_call", "data", ("operand",), undo_call),
    Template("cat_dim", "data", ("operand",), cat_dim),
    Template("new_axis_dim", "data", ("operand",), new_axis_dim),
    Template("cast", "data", ("operand",), cast),
    Template("dtype_at_creation", "data", ("operand",), dtype_at_creation),
    Template("squeeze_dim", "data", ("operand",), squeeze_dim),
    Template("size_from_data", "data", ("call",), size_from_data),
    Template("size_argument_at_call", "data", ("call",), size_argument_at_call),
    Template("rowwise_dot", "data", ("call",), rowwise_dot),
    Template("set_ctor_in", "layer", ("ctor",), set_ctor_in),
    Template("in_size_from_producer", "layer", ("ctor",), in_size_from_producer),
    Template("swap_ctor_args", "layer", ("ctor",), swap_ctor_args),
    Template("set_ctor_out", "layer", ("ctor",), set_ctor_out),
    Template("resample_factor", "layer", ("ctor",), resample_factor),
    Template("batch_first", "layer", ("ctor",), batch_first),
    Template("reassigned_attribute", "layer", ("ctor",), reassigned_attribute),
    Template("logits_loss", "loss", ("ctor", "call"), logits_loss),
    Template("drop_last", "loader", ("loader",), drop_last),
    Template("pad_collate", "loader", ("loader",), pad_collate),
    Template("resize_samples", "data", ("loader",), resize_samples),
    Template("shifted_target", "data", ("call",), shifted_target),
    Template("shift_labels", "data", ("operand",), shift_labels),
    Template("flatten_rows", "data", ("operand",), flatten_rows),
    Template("smaller_window", "layer", ("ctor", "call"), smaller_window),
    Template("resize_to_other", "data", ("call",), resize_to_other),
    Template("number_from_error", "number", ("constant",), number_from_error),
    Template("argument_from_data", "data", ("constant",), argument_from_data),
    Template("input_size", "number", ("constant",), input_size_for_network),
    Template("batch_axis", "data", ("operand",), batch_axis),
    Template("onehot_to_ids", "data", ("operand",), onehot_to_ids),
    Template("mask_values", "data", ("operand",), mask_values),
    Template("truncate_ids", "data", ("operand",), truncate_ids),
    Template("input_size_at_producer", "data", ("operand",), input_size_at_producer),
    Template("pack_rows", "data", ("call",), pack_rows),
    Template("features_last", "data", ("operand",), features_last),
    Template("resize_before_flatten", "data", ("call",), resize_before_flatten),
    *DEFAULTS,
]


def generate(ctx: Context) -> list[Candidate]:
    out: list[Candidate] = []
    seen: set[tuple] = set()
    for site in ctx.sites:
        for t in TEMPLATES:
            if site.kind not in t.sites:
                continue
            try:
                for c in t.make(ctx, site) or ():
                    key = tuple(sorted((f.file, f.line, f.new) for f in c.fixes))
                    if key not in seen:
                        seen.add(key)
                        out.append(c)
            except Exception:  # noqa: BLE001 - a template that does not apply here
                import os
                if os.environ.get("TENSORSIGHT_DEBUG"):
                    raise
    return out
