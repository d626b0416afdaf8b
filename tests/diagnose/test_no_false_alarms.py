"""Correct code must run with zero error or warning findings."""
from __future__ import annotations

import pytest

from .helpers import describe, diagnose

CORRECT = [
    "ok_attention_mask.py",      # padding mask [B, 1, 1, T] broadcast over heads and queries
    "ok_keepdim.py",             # x - x.mean(1, keepdim=True), per-feature gain/bias
    "ok_pairwise.py",            # (a[:, None, :] - b[None, :, :]).norm(dim=-1), unsqueeze version
    "ok_seq_flat_ce.py",         # logits [B, T, V] -> [B*T, V] for cross_entropy
    "ok_seg_ce.py",              # CrossEntropyLoss on [N, C, H, W] vs [N, H, W]
    "ok_bce_logits.py",          # BCEWithLogits [N, 1] vs [N, 1], accuracy on equal shapes
    "ok_resnet_block.py",        # stride-2 projection shortcut added to the residual
    "ok_gan.py",                 # two models, two optimizers, alternating steps
    "ok_frozen_embedding.py",    # requires_grad=False embedding handed to the optimizer
    "ok_lazylinear.py",          # nn.LazyLinear materialised by a dry run
    "ok_soft_labels.py",         # cross_entropy with float probability targets; log_softmax + nll_loss
    "ok_partial_batch.py",       # last partial batch of 4 with a per-sample flatten
    "ok_rnn_time_major.py",      # LSTM without batch_first fed x.transpose(0, 1)
    "ok_episode_regroup.py",     # z.view(n_way, n_shot, dim): whole samples grouped into episodes
    "ok_pixel_shuffle_manual.py",  # view/permute/reshape regrouping axes the code split itself
    "ok_contrastive_logits.py",  # [N, N] similarities: softmax/argmax across samples; (z - z.mean(0)) / z.std(0)
    "ok_batch1_squeeze.py",      # batch 1 by design: squeeze() of the batch is harmless
    "ok_pad_collate_partial.py",  # padding collate_fn, last batch of 2, size-agnostic model
    "ok_unused_by_design.py",    # head unused while fine-tuning, detached embedding, stochastic depth
    "ok_time_major_manual.py",   # hand-made [T, B, F] for an LSTM without batch_first
    "ok_heads_split_merge.py",   # view(B, T, H, D).transpose(1, 2) and transpose before the merge
    "ok_generate_length_equals_batch.py",  # sampling from [1, t]: t reaches the batch size, still time
    "ok_linear_over_time_after_transpose.py",  # Linear over time moved last on purpose; seq[:, -1, :]
    "ok_sentence_batches_of_each_document.py",  # time-major GRU, a batch of 5..12 sentences of 30 words
]


@pytest.mark.parametrize("name", CORRECT)
def test_correct_script_has_no_findings(name, tmp_path):
    run = diagnose(name, tmp_path)
    r = run.report
    assert r.status == "completed" and r.exit_code == 0 and r.exception is None, (r.exception, run.stderr)
    assert not run.problems, describe(run.findings)
