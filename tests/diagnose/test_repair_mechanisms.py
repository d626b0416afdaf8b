"""Repair mechanisms that are not one message's rule (issue 13): axis provenance on the crash's
slice, a size read off the wrong axis, a config value fixed where it is set.

Each script is new (not a corpus case); the fix must be on the line where the bug is and the
fixed script must run clean.
"""
from __future__ import annotations

import os

import pytest

from .helpers import assert_clean, describe, diagnose, fix_until_clean, fixed_lines

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="validation forks")


def test_a_view_that_folds_the_batch_into_the_features_keeps_the_batch_on_its_own_axis(tmp_path):
    # [6, 24].view(1, 1, -1) is [1, 1, 144]: provenance says axis 2 is batch·embedding, so the
    # unit axis the view wrote gets the batch (not the batch size set to 1, which also runs)
    run = diagnose("repair_view_folds_batch.py", tmp_path)
    line = run.line("emb = self.embed(token).view(1, 1, -1)")
    assert fixed_lines(run) == {(line, "emb = self.embed(token).view(1, token.size(0), -1)")}, describe(run.findings)
    assert "6 samples of the batch" in run.problems[0].message
    assert not any("batch = 1" in fx.new for f in run.problems for fx in f.fixes)
    assert_clean(fix_until_clean(run))


def test_a_cat_without_upsampling_is_not_explained_as_a_skip_connection(tmp_path):
    run = diagnose("repair_view_folds_batch.py", tmp_path)
    assert not any("pooling floors odd sizes" in f.message for f in run.findings), describe(run.findings)


def test_sizes_read_off_the_feature_axis_are_read_off_the_time_axis_on_both_lines(tmp_path):
    # q, k are [3, 7, 20]; the mask is built from q.size(2), k.size(2) = 20 where 7 is needed;
    # q.size(-1) (the scale, which sizes nothing) stays as it is
    run = diagnose("repair_size_from_wrong_axis.py", tmp_path)
    assert fixed_lines(run) == {(run.line("t_q = q.size(2)"), "t_q = q.size(1)"),
                                (run.line("t_k = k.size(2)"), "t_k = k.size(1)")}, describe(run.findings)
    assert "[3, 7, 20]" in run.problems[0].message
    assert_clean(fix_until_clean(run))


def test_a_config_value_one_short_is_fixed_where_it_is_set_not_at_its_use(tmp_path):
    # ids go up to 40, N_TOKENS = 40: `N_TOKENS = 41` (the origin), not `Tagger(N_TOKENS + 1, …)`
    run = diagnose("repair_config_constant_at_use.py", tmp_path)
    assert fixed_lines(run) == {(run.line("N_TOKENS = 40"), "N_TOKENS = 41")}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_target_with_an_extra_unit_axis_is_squeezed_where_the_loss_is_called(tmp_path):
    # the masks come out of a dict batch ([4, 1, 16, 16]); the loss's own call is a site, so the
    # squeeze goes on its argument, not on the DataLoader line the batch was hoisted to
    run = diagnose("repair_mask_channel_at_loss.py", tmp_path)
    line = run.line("return self.loss_fn(self.net(pixels), labels)")
    assert fixed_lines(run) == {(line, "return self.loss_fn(self.net(pixels), labels.squeeze(1))")}, \
        describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_class_ids_below_zero_are_shifted_where_the_dataset_makes_them(tmp_path):
    # ratings -2 … 2 for 5 classes: no output layer fits negative ids, so no layer edit; the
    # label is shifted by 2 in __getitem__, the element of the returned tuple that is the label
    run = diagnose("repair_labels_below_zero.py", tmp_path)
    line = run.line("return features, torch.tensor(stars - 3)")
    assert fixed_lines(run) == {(line, "return features, torch.tensor(stars - 3) + 2")}, describe(run.findings)
    assert "-2 to 2" in run.problems[0].message
    assert_clean(fix_until_clean(run))


def test_a_model_output_of_several_tensors_given_to_a_loss_takes_the_main_one_where_assigned(tmp_path):
    # TypeError "must be Tensor, not tuple": (logits, aux) from a model with an auxiliary head
    run = diagnose("repair_tuple_output_to_loss.py", tmp_path)
    line = run.line("out = net(x)")
    assert fixed_lines(run) == {(line, "out = net(x)[0]")}, describe(run.findings)
    assert "[16,4]" in run.problems[0].message
    assert_clean(fix_until_clean(run))


def test_an_input_too_small_for_a_window_gets_the_size_the_network_arithmetic_gives(tmp_path):
    # 24 → 3x3 after three stride-2 stages (÷8); AvgPool2d(4) needs a 4x4 map: 4·8 = 32, not a
    # round-number guess (48, 96). A model in train mode keeps the window fix first
    # (test_repair_origin), and the input size is named as the alternative
    run = diagnose("repair_input_size_for_window.py", tmp_path)
    assert fixed_lines(run) == {(run.line("self.pool = nn.AvgPool2d(4)"), "self.pool = nn.AvgPool2d(3)")}, \
        describe(run.findings)
    assert "input size 24 → 32" in run.problems[0].message, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_pairwise_loss_on_sequences_compares_rows_on_every_call_of_it(tmp_path):
    # CosineEmbeddingLoss wants [N, D]: [4, 9, 16] becomes 36 rows, on both calls of the loss
    run = diagnose("repair_pairwise_loss_on_sequences.py", tmp_path)
    assert fixed_lines(run) == {
        (run.line("loss = align(proj_a(a), proj_t(t), same)"),
         "loss = align(proj_a(a).flatten(0, -2), proj_t(t).flatten(0, -2), same)"),
        (run.line("loss = loss + align(a, t, same)"), "loss = loss + align(a.flatten(0, -2), t.flatten(0, -2), same)")}, \
        describe(run.findings)
    assert all(f.category == "loss_input_type" for f in run.problems if f.fixes)
    assert_clean(fix_until_clean(run))


def test_a_pooling_window_read_off_the_channel_axis_is_read_off_the_time_axis(tmp_path):
    # h is [5, 32, 20]; kernel_size=h.size(1) = 32 > 20 ("Invalid computed output size: 0")
    run = diagnose("repair_pool_window_from_channels.py", tmp_path)
    line = run.line("h = F.max_pool1d(h, kernel_size=h.size(1)).squeeze(2)")
    assert fixed_lines(run) == {(line, "h = F.max_pool1d(h, kernel_size=h.size(2)).squeeze(2)")}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_formula_passed_to_a_layer_is_replaced_where_it_is_passed(tmp_path):
    # NodeLayer(N_NODES * BATCH, 16) builds Linear(36, …) for rows of one value: no single name
    # in the formula can make 9·4 equal 1, so the argument itself is set (not the data
    # transposed into one sample of 36 features, which also runs)
    run = diagnose("repair_formula_passed_to_layer.py", tmp_path)
    assert fixed_lines(run) == {(run.line("self.layer = NodeLayer(N_NODES * BATCH, 16)"),
                                 "self.layer = NodeLayer(1, 16)")}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_an_axis_added_on_the_wrong_side_of_the_batch_in_a_helper_is_fixed_in_the_helper(tmp_path):
    # with_channel(images) makes [1, 6, 12, 12] from [6, 12, 12]; the helper's own line is a
    # site (not only the call `x = with_channel(images)`), and its unsqueeze gets dim 1 (no
    # transpose added after it)
    run = diagnose("repair_axis_added_in_helper.py", tmp_path)
    assert fixed_lines(run) == {(run.line("return images.unsqueeze(0)"), "return images.unsqueeze(1)")}, \
        describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_batchnorm1d_on_features_last_moves_them_for_that_layer_only(tmp_path):
    # BatchNorm1d(30) would run too, normalising over frames; the layout is wrong for this layer only
    run = diagnose("crash_batchnorm1d_on_features_last.py", tmp_path)
    f = run.one("batchnorm_features", "error")
    assert [fx.new.strip() for fx in f.fixes] == [
        "h = self.norm(torch.relu(self.proj(x)).transpose(1, 2)).transpose(1, 2)"], describe(run.findings)
    assert "[10,30,48] has its 48 features last" in f.message, f.message
    assert_clean(fix_until_clean(run))


def test_an_input_size_takes_the_name_the_layer_before_it_uses_for_its_output(tmp_path):
    # hidden = 48 in the config would run too, and change the LSTM's hidden size and the head
    run = diagnose("crash_lstm_input_named_after_hidden.py", tmp_path)
    f = run.problems[0]
    assert [(fx.line, fx.new.strip()) for fx in f.fixes] == [
        (run.line('self.lstm = nn.LSTM(cfg["hidden"]'), 'self.lstm = nn.LSTM(cfg["emb"], cfg["hidden"], batch_first=True)')], \
        describe(run.findings)
    assert 'the Embedding before it makes cfg["emb"] = 48 features (dim -1 of [8,15,48])' in f.message, f.message
    assert_clean(fix_until_clean(run))


def test_an_input_size_the_network_cannot_take_is_fixed_where_it_is_set_not_inside_the_network(tmp_path):
    # interpolating the up-convolution's output to the skip's size runs too: it hides the size
    run = diagnose("crash_unet_input_not_multiple_of_its_stride.py", tmp_path)
    f = run.problems[0]
    assert [(fx.line, fx.new.strip()) for fx in f.fixes] == [(run.line("IMAGE_SIZE = 50"), "IMAGE_SIZE = 48")], \
        describe(run.findings)
    assert_clean(fix_until_clean(run))
