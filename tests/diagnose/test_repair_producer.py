"""Data edits placed where the data is produced (repair/producers.py, templates_producer.py).

Each script is new (not a corpus case): a right model fed wrong data. The fix reported must be
on the line that makes the data — not the layer or the call that reads it — and the fixed
script must run clean.
"""
from __future__ import annotations

import os

import pytest

from .helpers import assert_clean, describe, diagnose, fix_until_clean, fixed_lines

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="validation forks")


def test_one_sample_gets_its_batch_axis_where_the_script_makes_it(tmp_path):
    run = diagnose("producer_sample_without_batch.py", tmp_path)
    line = run.line("obs = torch.tensor(reading)")
    assert fixed_lines(run) == {(line, "obs = torch.tensor(reading).unsqueeze(0)")}, describe(run.findings)
    assert "without its batch axis" in run.problems[0].message
    assert_clean(fix_until_clean(run))


def test_one_hot_labels_become_class_ids_in_the_helper_that_encodes_them(tmp_path):
    run = diagnose("producer_onehot_labels.py", tmp_path)
    line = run.line("return F.one_hot(")
    assert fixed_lines(run) == {(line, "return torch.tensor(KINDS.index(kind))")}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_mask_stored_as_0_255_is_divided_where_the_dataset_reads_it(tmp_path):
    run = diagnose("producer_mask_0_255.py", tmp_path)
    line = run.line("target = torch.from_numpy(self.masks[i]).long()")
    assert fixed_lines(run) == {(line, "target = torch.from_numpy(self.masks[i]).long() // 255")}, \
        describe(run.findings)
    assert "0 and 255" in run.problems[0].message
    assert_clean(fix_until_clean(run))


def test_ids_longer_than_the_position_table_are_cut_in_the_programs_name_for_its_size(tmp_path):
    run = diagnose("producer_ids_too_long.py", tmp_path)
    line = run.line("tokens = torch.randint(")
    assert fixed_lines(run) == {(line, "tokens = torch.randint(0, 10, (1, 100))[:, :TABLE]")}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_an_image_the_network_cannot_round_trip_is_resized_in_the_dataset(tmp_path):
    run = diagnose("producer_image_not_multiple.py", tmp_path)
    line = run.line("image = self.images[i]")
    fixes = fixed_lines(run)
    assert {ln for ln, _ in fixes} == {line}, describe(run.findings)
    assert "size=(20, 20)" in next(iter(fixes))[1]     # 18 → the next multiple of the total stride 4
    assert_clean(fix_until_clean(run))


def test_region_features_are_packed_into_rows_for_a_block_that_starts_with_batchnorm1d(tmp_path):
    run = diagnose("producer_regions_into_batchnorm.py", tmp_path)
    line = run.line("regions = self.embed(regions)")
    assert fixed_lines(run) == {(line, "regions = self.embed(regions.reshape(-1, regions.size(-1)))"
                                       ".view(*regions.shape[:-1], -1)")}, describe(run.findings)
    assert "BatchNorm1d" not in "".join(fx.new for f in run.problems for fx in f.fixes)
    assert_clean(fix_until_clean(run))


def test_a_conv_output_is_put_back_in_the_rnns_order_where_it_is_made(tmp_path):
    run = diagnose("producer_conv_into_gru.py", tmp_path)
    line = run.line("x = self.expand(x)")
    assert fixed_lines(run) == {(line, "x = self.expand(x).transpose(1, 2)")}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_prediction_coarser_than_its_labels_is_resized_where_it_is_flattened(tmp_path):
    run = diagnose("producer_pixel_loss_coarse.py", tmp_path)
    line = run.line("flat = scores.permute(")
    assert fixed_lines(run) == {(line, "flat = F.interpolate(scores, size=(rows, cols), mode='bilinear', "
                                       "align_corners=False).permute(0, 2, 3, 1).reshape(-1, c)")}, describe(run.findings)
    assert "10×14" in run.problems[0].message and "11×14" in run.problems[0].message
    assert_clean(fix_until_clean(run))
