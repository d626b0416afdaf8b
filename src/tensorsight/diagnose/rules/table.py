"""The crash rules, most specific first. Each takes a Crash and returns findings or None.

They live by theme in rules_layers.py (layer sizes), rules_data.py (targets and dtypes) and
rules_batch.py (the batch axis and ops that join tensors).
"""
from __future__ import annotations

from .batch import (batch_mismatch, batch_of_one, bmm_rank, cat_mismatch, missing_batch,
                          partial_batch)
from .data import (classes_not_at_dim1, input_dtype, loss_size_mismatch, spatial_target_channel,
                         target_column, target_dtype, target_out_of_bounds)
from .layers import (embedding_index, layer_mismatch, missing_flatten, rnn_input_size,
                           view_not_contiguous)

from .outputs import tuple_output
from .sharding import sharding_crash  # sharded programs (DTensor): local shards vs global sizes

RULES = [sharding_crash, tuple_output, partial_batch, missing_flatten, layer_mismatch, view_not_contiguous, input_dtype, batch_of_one, missing_batch,
         target_column, spatial_target_channel, classes_not_at_dim1, target_dtype, target_out_of_bounds,
         batch_mismatch, loss_size_mismatch, rnn_input_size, cat_mismatch, bmm_rank, embedding_index]
