"""Replays keep keyword inputs, the crash line is reported with its root cause, and the repair
templates for modes, loaders and squeezes (templates_defaults.py).

Each script is new (not a corpus case): the tests check the finding's line, the fix's text and
that the fixed script then runs clean.
"""
from __future__ import annotations

import os

import pytest

from .helpers import assert_clean, describe, diagnose, fix_until_clean, fixed_lines

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="validation forks")


def test_last_batch_rehearsal_passes_the_keyword_inputs(tmp_path):
    run = diagnose("defaults_kwargs_rehearsal.py", tmp_path, max_steps=1)
    f = run.one("last_partial_batch", "warning")
    assert f.line == run.line("loader = DataLoader(")
    assert "batch of 2" in f.message and "[4, 8]" in f.message, describe(run.findings)
    assert [fx.new.strip() for fx in f.fixes] == [
        "loader = DataLoader(TensorDataset(ids, mask, labels), batch_size=BATCH, drop_last=True)"]


def test_layer_repair_replays_the_keyword_inputs_and_finds_every_wrong_layer(tmp_path):
    run = diagnose("defaults_kwargs_two_layers.py", tmp_path)
    lines = {f.line for f in run.of("linear_in_features", "error") if f.fixes}
    assert {run.line("self.proj = nn.Linear(10, 16)"), run.line("self.head = nn.Linear(20, 2)")} <= lines, \
        describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_the_crash_line_is_reported_with_the_root_cause_line(tmp_path):
    run = diagnose("defaults_kwargs_two_layers.py", tmp_path)
    crash = run.line("return self.head(torch.relu(self.proj(h.mean(1))))")
    at_crash = [f for f in run.problems if f.line == crash]
    assert len(at_crash) == 1 and at_crash[0].severity == "error", describe(run.findings)
    msg = at_crash[0].message
    assert "f32[4,12]" in msg and "12 ≠ 10" in msg, msg
    assert f"root cause: line {run.line('self.proj = nn.Linear(10, 16)')}" in msg, msg
    assert at_crash[0].fixes == []   # fix --write applies only the root cause's fix


def test_one_sample_inference_in_train_mode_gets_eval_where_the_model_is_bound(tmp_path):
    run = diagnose("defaults_eval_single_sample.py", tmp_path)
    assert fixed_lines(run) == {(run.line("clf = build_classifier(4)"), "clf = build_classifier(4).eval()")}, \
        describe(run.findings)
    crash = [f for f in run.problems if f.category == "crash_site"]
    assert [f.line for f in crash] == [run.line("scores = clf(sample)")]
    assert_clean(fix_until_clean(run))


def test_a_squeeze_that_drops_the_batch_of_one_is_removed_where_it_is_written(tmp_path):
    run = diagnose("defaults_squeeze_batch_of_one.py", tmp_path)
    line = run.line("pooled = self.proj(x).max(dim=1).values.squeeze(0)")
    assert fixed_lines(run) == {(line, "pooled = self.proj(x).max(dim=1).values")}, describe(run.findings)
    assert not any("drop_last" in fx.new for f in run.problems for fx in f.fixes)
    assert_clean(fix_until_clean(run))


def test_a_view_with_the_batch_constant_takes_the_batch_the_data_has(tmp_path):
    # the view's leading size is the batch constant: the data's own size keeps all 13 samples;
    # drop_last on the loader whose batch crashed (not the training one) is the runner-up
    run = diagnose("defaults_loader_batch_constant.py", tmp_path)
    assert fixed_lines(run) == {(run.line("z = enc(clips.reshape(-1, 6)).reshape(BATCH"),
                                 "z = enc(clips.reshape(-1, 6)).reshape(clips.size(0), FRAMES * 4)")}, describe(run.findings)
    msg = run.problems[0].message
    assert f"drop_last=True: the crash is on this loader's last batch, 5 of 8 samples" in msg, msg
    assert f"defaults_loader_batch_constant.py:{run.line('val = DataLoader(')}" in msg, msg
    assert_clean(fix_until_clean(run))


def test_a_fixed_pooling_window_before_a_per_channel_flatten_becomes_global_pooling(tmp_path):
    run = diagnose("defaults_global_pool.py", tmp_path)
    assert fixed_lines(run) == {(run.line("self.pool = nn.AvgPool2d(8)"), "self.pool = nn.AdaptiveAvgPool2d(1)")}, \
        describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_top_level_regroup_after_training_is_seen_and_split_in_memory_order(tmp_path):
    # model.eval() after the warm-up steps records the evaluation phase, so the fold of views
    # into the batch (before the model call) is in the trace; the fix splits the folded axis in
    # its memory order instead of moving the feature axis
    run = diagnose("defaults_silent_views_regrouped.py", tmp_path)
    f = run.one("view_reshape", "warning")
    assert f.line == run.line("mean = out.reshape(v, n, -1).mean(0)"), describe(run.findings)
    assert [fx.new.strip() for fx in f.fixes] == ["mean = out.reshape(n, v, -1).transpose(0, 1).mean(0)"]
    assert_clean(fix_until_clean(run))


def test_a_data_flag_that_gives_targets_another_resolution_than_the_prediction_is_flipped(tmp_path):
    run = diagnose("defaults_data_flag.py", tmp_path)
    assert fixed_lines(run) == {(run.line("prep = TargetPrep(coarse=True)"), "prep = TargetPrep(coarse=False)")}, \
        describe(run.findings)
    assert_clean(fix_until_clean(run))
