"""Fixes at the origin of a value: a size written as names is fixed where the names get their
value (a parameter default the caller left, a config class attribute, a dict entry), a float64
tensor where it is created, a literal the program names as a constant.

Each script is new (not a corpus case); each test checks the reported line and fix and that the
fixed script runs clean.
"""
from __future__ import annotations

import ast
import os

import pytest

from tensorsight.diagnose.repair import origin_values
from tensorsight.diagnose.repair.templates_origin import changed_text, wanted_dtype

from .helpers import SCRIPTS, assert_clean, describe, diagnose, fix_until_clean

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="validation forks")


def only_fix(run):
    fixes = [(fx.line, fx.new.strip()) for f in run.problems for fx in f.fixes]
    assert len(fixes) == 1, describe(run.findings)
    return fixes[0]


def test_a_default_the_caller_did_not_override_gets_a_keyword_at_the_call(tmp_path):
    run = diagnose("origin_default_param.py", tmp_path)
    line = run.line("model = ViewEncoder(feat=6)")
    assert only_fix(run) == (line, "model = ViewEncoder(feat=6, n_views=1)"), describe(run.findings)
    msg = run.problems[0].message
    assert "n_views=2 (the default" in msg and "2·6 = 12" in msg and "needs 6" in msg, msg
    assert_clean(fix_until_clean(run))


def test_a_config_class_attribute_is_fixed_where_the_class_sets_it(tmp_path):
    run = diagnose("origin_config_attr.py", tmp_path)
    assert only_fix(run) == (run.line("token_dim = 32"), "token_dim = 16"), describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_dict_entry_passed_through_a_builder_function_is_fixed_in_the_dict(tmp_path):
    run = diagnose("origin_dict_entry.py", tmp_path)
    assert only_fix(run) == (run.line('"in_dim": 12,'), '"in_dim": 10,'), describe(run.findings)
    assert "make_head(…) at line" in run.problems[0].message, run.problems[0].message
    assert_clean(fix_until_clean(run))


def test_a_float64_tensor_is_made_float32_where_it_is_created(tmp_path):
    run = diagnose("origin_dtype_weights.py", tmp_path)
    line = run.line("class_weights = torch.tensor(1.0 / freq)")
    assert only_fix(run) == (line, "class_weights = torch.tensor(1.0 / freq, dtype=torch.float32)"), \
        describe(run.findings)
    assert run.problems[0].category == "dtype"
    assert_clean(fix_until_clean(run))


def test_a_literal_written_twice_on_a_line_is_replaced_by_the_constant_at_its_own_position(tmp_path):
    run = diagnose("origin_literal_twice.py", tmp_path)
    line = run.line("block = torch.ones(idx.size(0), 4) * 4")
    assert only_fix(run) == (line, "block = torch.ones(idx.size(0), NUM_TAGS) * 4"), describe(run.findings)
    assert_clean(fix_until_clean(run))


# -- the analysis on its own ------------------------------------------------------------------
def _term(src: str, expr: str, tmp_path):
    path = tmp_path / "m.py"
    path.write_text(src)
    scope = origin_values.scope_at(str(path), len(src.splitlines()), None)
    return origin_values.resolve(ast.parse(expr, mode="eval").body, scope)


def test_names_resolve_through_module_assignments_and_unpacking(tmp_path):
    src = "A, B = 3, 4\nC = A * B\nD = 2\nX = C + D\n"
    term = _term(src, "C + D", tmp_path)
    assert origin_values.value(term) == 14
    sols = {(leaf.name, v) for leaf, v in origin_values.solve(term, 20)}
    # 3·B + 2 = 20 → B = 6; A·4 + 2 = 20 has no integer A; D = 20 − 12 = 8
    assert sols == {("B", 6), ("D", 8)}, sols


def test_floor_division_is_solved_for_the_value_nearest_the_current_one(tmp_path):
    term = _term("K = 6\n", "K // 2", tmp_path)
    assert origin_values.solve(term, 5) == [(origin_values._leaves(term)[0], 10)]


def test_a_name_bound_twice_has_no_single_origin(tmp_path):
    assert _term("N = 3\nN = 4\n", "N * 2", tmp_path) is None


def test_changed_text_widens_to_whole_names():
    assert changed_text("nn.LSTM(input_size=N_word, h)", "nn.LSTM(input_size=100, h)") == ("N_word", "100")
    assert changed_text("nn.BatchNorm1d(a * b * c)", "nn.BatchNorm1d(54)") == ("a * b * c", "54")


def test_dtype_pairs_from_messages():
    assert wanted_dtype("expected scalar type Float but found Double") == ("float32", "float64")
    assert wanted_dtype("found dtype Double but expected Float") == ("float32", "float64")
    assert wanted_dtype("size mismatch") is None


def test_a_model_in_eval_mode_gets_its_input_resized_not_its_window_shrunk(tmp_path):
    run = diagnose("origin_eval_input_size.py", tmp_path)
    assert only_fix(run) == (run.line("SIDE = 32"), "SIDE = 64"), describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_the_same_model_in_train_mode_keeps_the_window_fix(tmp_path):
    script = tmp_path / "src" / "train_mode.py"
    script.parent.mkdir()
    text = (SCRIPTS / "origin_eval_input_size.py").read_text().replace("net.eval()", "net.train()")
    script.write_text(text)
    run = diagnose("train_mode.py", tmp_path / "run", source_dir=script.parent)
    line, new = only_fix(run)
    assert "MaxPool2d(8)" in new, describe(run.findings)


def test_a_resampling_factor_is_fixed_where_it_is_set_not_papered_over_by_a_resize(tmp_path):
    run = diagnose("origin_pixel_shuffle_factor.py", tmp_path)
    f = run.one("loss_target_shape", "error")
    assert [(fx.line, fx.new.strip()) for fx in f.fixes] == [(run.line("UPSCALE = 2"), "UPSCALE = 3")], describe(run.findings)
    assert "32 × 2 = 64, but the other operand has 96 = 32 × 3" in f.message, f.message
    assert "also plausible" in f.message and "interpolate" in f.message, f.message   # the resize, as the runner-up
    assert_clean(fix_until_clean(run))


def test_an_upsample_scale_in_a_config_dict_is_fixed_in_the_dict(tmp_path):
    run = diagnose("origin_upsample_scale_in_config.py", tmp_path)
    f = run.one("loss_target_shape", "error")
    assert [(fx.line, fx.new.strip()) for fx in f.fixes] == [
        (run.line('CONFIG = {"channels": 8, "scale": 2}'), 'CONFIG = {"channels": 8, "scale": 4}')], describe(run.findings)
    assert "16 × 2 = 32, but the other operand has 64 = 16 × 4" in f.message, f.message
    assert_clean(fix_until_clean(run))
