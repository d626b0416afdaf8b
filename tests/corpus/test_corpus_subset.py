"""A fast subset of the diagnosis corpus, scored through the CLI as `make corpus` scores it all:
a crash is found at its root-cause line and `fix --write` makes the program run; a silent bug
is flagged and after the fix `run` is quiet; a correct program gets no warning. The subset is
drawn from the dev split only (the held-out split is never part of a test)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from score import score_case  # noqa: E402

SUBSET = {
    "crash": ["mlp_helper_linear_args_swapped", "conv2d_grayscale_batch_missing_channel",
              "bert_finetune_num_labels_12", "textcnn_conv1d_embedding_not_permuted"],
    "silent": ["silent_split_heads_view_heads_before_length", "silent_focal_loss_sigmoid_then_bce_with_logits"],
    "correct": ["ok_pad_sequence_collate_partial_last_batch", "ok_layerdrop_transformer_encoder"],
}


def _cmd():
    return [sys.executable, "-m", "tensorsight"]


@pytest.mark.parametrize("case", [c for ids in SUBSET.values() for c in ids])
def test_case_is_diagnosed_and_fixed(case):
    r = score_case(HERE / "dev" / case, _cmd(), sys.executable, timeout=300)
    assert r["ok"], r.get("why")
    if r["kind"] == "crash":
        assert r["root_cause"], r
