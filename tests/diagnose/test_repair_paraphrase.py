"""Repairs that must not depend on how a program is spelled (issue 13, paraphrase robustness).

Each script is new (not a corpus case) and writes a bug the corpus has in another style: the
value built in a helper called from a dict, a config value, a builder function. The fix must be
on the line where the bug is, and the fixed script must run clean.
"""
from __future__ import annotations

import os

import pytest

from .helpers import assert_clean, describe, diagnose, fix_until_clean, fixed_lines

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="validation forks")


def test_a_float64_class_weight_made_in_a_helper_is_cast_there_not_the_targets(tmp_path):
    # "expected scalar type Float but found Double": the targets are int64, the logits float32;
    # the double operand is the class weight, made by torch.from_numpy inside a helper that is
    # called from a dict literal (no tensor method may be appended to the dict)
    run = diagnose("repair_weight_dtype_in_helper.py", tmp_path)
    line = run.line("return torch.from_numpy(1.0 / np.maximum(freq, 1e-3))")
    assert fixed_lines(run) == {(line, "return torch.from_numpy(1.0 / np.maximum(freq, 1e-3)).float()")}, \
        describe(run.findings)
    assert "class weight" in run.problems[0].message
    assert all("}" not in fx.new for f in run.problems for fx in f.fixes)
    assert_clean(fix_until_clean(run))


def test_samples_of_different_sizes_are_resized_where_the_dataset_returns_them(tmp_path):
    # the default collate cannot stack [1, 70, 52] and [1, 58, 77]: every sample is brought to
    # one size in __getitem__, the picture bilinearly and its label map by nearest neighbour
    run = diagnose("repair_variable_size_samples.py", tmp_path)
    line = run.line("return picture, label_map")
    new = ("return F.interpolate(picture[None], size=(64, 64), mode='bilinear', align_corners=False)[0], "
           "F.interpolate(label_map[None], size=(64, 64), mode='nearest')[0]")
    assert fixed_lines(run) == {(line, new)}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_teacher_forced_target_is_shifted_like_the_decoder_input(tmp_path):
    # the decoder gets caption[:, :-1] and predicts 10 steps of 11: 60 predictions for 66
    # targets; the target is shifted by the same one step, not the prediction reshaped
    run = diagnose("repair_shifted_target.py", tmp_path)
    line = run.line("loss = F.cross_entropy(")
    new = "loss = F.cross_entropy(logits.reshape(-1, V), caption[:, 1:].reshape(-1))"
    assert fixed_lines(run) == {(line, new)}, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_cat_along_the_batch_axis_inside_a_helper_is_fixed_in_the_helper(tmp_path):
    # the operand is hoisted to `both = self.join(xa, xb)`; the dim to change is the cat's own
    run = diagnose("repair_cat_in_helper.py", tmp_path)
    line = run.line("return torch.cat([self.a(xa), self.b(xb)], 0)")
    assert fixed_lines(run) == {(line, "return torch.cat([self.a(xa), self.b(xb)], 1)")}, describe(run.findings)
    assert_clean(fix_until_clean(run))
