"""Crash diagnosis: the root-cause line, the arithmetic in the message, and a fix that makes the
script run clean. Every script is new (not one of ../shared/cases) and runs in-process."""
from __future__ import annotations

import pytest

from .helpers import assert_clean, describe, diagnose, fix_until_clean, fixed_lines


def crashed(run, exc_type: str, starts: str = ""):
    r = run.report
    assert r.status == "crashed" and r.exit_code == 1, (r.status, r.exception)
    assert r.exception["type"] == exc_type, r.exception
    assert r.exception["message"].startswith(starts), r.exception


def the_fix(finding, line: int | None = None):
    assert len(finding.fixes) == 1, describe([finding])
    fx = finding.fixes[0]
    assert fx.line == (finding.line if line is None else line), describe([finding])
    return fx


# -- layer sizes ---------------------------------------------------------------------------
def test_linear_after_conv_stack_keeps_product_style(tmp_path):
    run = diagnose("crash_linear_after_convs.py", tmp_path)
    crashed(run, "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (8x1600 and 1024x128)")
    f = run.one("linear_in_features", "error")
    assert f.line == run.line("self.head = nn.Linear(64 * 4 * 4, 128)")
    assert "1600 = 64·5·5" in f.message and "1024" in f.message
    assert the_fix(f).new == "        self.head = nn.Linear(64 * 5 * 5, 128)"
    assert [x.category for x in run.problems] == ["linear_in_features", "crash_site"], describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_linear_in_sequential_after_flatten(tmp_path):
    run = diagnose("crash_linear_sequential.py", tmp_path)
    crashed(run, "RuntimeError", "mat1 and mat2 shapes cannot be multiplied (12x400 and 256x84)")
    f = run.one("linear_in_features", "error")
    assert f.line == run.line("nn.Linear(256, 84),")
    assert "400 = 16·5·5" in f.message
    assert the_fix(f).new == "    nn.Linear(16 * 5 * 5, 84),"
    assert_clean(fix_until_clean(run))


def test_reshape_and_following_linear_fixed_in_one_pass(tmp_path):
    run = diagnose("crash_reshape_and_linear.py", tmp_path)
    crashed(run, "RuntimeError", "shape '[-1, 1152]' is invalid for input of size 4096")
    view = run.one("view_reshape", "error")
    assert view.line == run.line("x = x.reshape(-1, 32 * 6 * 6)")
    assert "512 = 32·4·4" in view.message and "4096" in view.message
    assert the_fix(view).new == "        x = x.reshape(x.size(0), -1)"
    lin = run.one("linear_in_features", "error")
    assert lin.line == run.line("self.classifier = nn.Linear(32 * 6 * 6, 5)")
    assert the_fix(lin).new == "        self.classifier = nn.Linear(32 * 4 * 4, 5)"
    result = fix_until_clean(run)
    assert_clean(result)
    assert len(result.runs) == 2, "both fixes should come from the first run:\n" + result.history()


def test_conv_in_channels_in_sequential_uses_previous_out_text(tmp_path):
    run = diagnose("crash_conv_channels_seq.py", tmp_path)
    crashed(run, "RuntimeError", "Given groups=1, weight of size [48, 24, 3, 3]")
    f = run.one("conv_channels", "error")
    assert f.line == run.line("nn.Conv2d(width * 2, 48, 3, padding=1),")
    assert "12 channels" in f.message and "24" in f.message
    assert the_fix(f).new == "    nn.Conv2d(width, 48, 3, padding=1),"
    assert_clean(fix_until_clean(run))


def test_batchnorm2d_num_features_from_producing_conv(tmp_path):
    run = diagnose("crash_batchnorm2d.py", tmp_path)
    crashed(run, "RuntimeError", "running_mean should contain 20 elements not 3")
    f = run.one("batchnorm_features", "error")
    assert f.line == run.line("self.bn = nn.BatchNorm2d(in_ch)")
    assert "20 channels" in f.message
    assert the_fix(f).new == "        self.bn = nn.BatchNorm2d(hidden)"
    assert_clean(fix_until_clean(run))


def test_batchnorm1d_num_features(tmp_path):
    run = diagnose("crash_batchnorm1d.py", tmp_path)
    crashed(run, "RuntimeError", "running_mean should contain 64 elements not 32")
    f = run.one("batchnorm_features", "error")
    assert f.line == run.line("nn.BatchNorm1d(32),")
    assert "64" in f.message and "32" in f.message
    assert the_fix(f).new == "    nn.BatchNorm1d(64),"
    assert_clean(fix_until_clean(run))


def test_layernorm_normalized_shape_uses_d_model(tmp_path):
    run = diagnose("crash_layernorm.py", tmp_path)
    crashed(run, "RuntimeError", "Given normalized_shape=[64]")
    f = run.one("layernorm_shape", "error")
    assert f.line == run.line("self.norm = nn.LayerNorm(d_ff)")
    assert "48" in f.message and "[4,9,48]" in f.message
    assert the_fix(f).new == "        self.norm = nn.LayerNorm(d_model)"
    assert_clean(fix_until_clean(run))


# -- where the data comes from ---------------------------------------------------------------
def test_channels_last_images_permuted_in_the_dataset(tmp_path):
    run = diagnose("crash_channels_last_dataset.py", tmp_path)
    crashed(run, "RuntimeError")
    f = run.one("conv_channels", "error")
    assert f.line == run.line("tile = torch.tensor(self.tiles[i]"), "fix belongs in Dataset.__getitem__"
    assert "[4,24,24,4]" in f.message and "channels-last" in f.message
    fx = the_fix(f)
    assert fx.new.rstrip().endswith(".permute(2, 0, 1)")
    assert "torch.tensor(self.tiles[i], dtype=torch.float32) / 255.0" in fx.new
    assert_clean(fix_until_clean(run))


def test_single_image_gets_batch_axis_where_the_input_is_assigned(tmp_path):
    run = diagnose("crash_single_image.py", tmp_path)
    crashed(run, "ValueError", "expected 4D input (got 3D input)")
    f = run.one("batch_dim_changed", "error")
    assert f.line == run.line("photo = load_photo(42)")
    assert "[3,48,48]" in f.message and "[1, 3, 48, 48]" in f.message
    assert the_fix(f).new == "photo = load_photo(42).unsqueeze(0)"
    result = fix_until_clean(run)
    assert_clean(result)
    assert "predicted class" in result.last.stdout


def test_cross_entropy_label_column_squeezed_where_labels_are_made(tmp_path):
    run = diagnose("crash_ce_label_column.py", tmp_path)
    crashed(run, "RuntimeError", "0D or 1D target tensor expected, multi-target not supported")
    f = run.one("loss_target_shape", "error")
    assert f.line == run.line("labels = torch.tensor(classes)")
    assert "[20,1]" in f.message and "[20,4]" in f.message
    assert the_fix(f).new == "labels = torch.tensor(classes).squeeze(1)"
    assert_clean(fix_until_clean(run))


def test_float_class_targets_converted_at_origin(tmp_path):
    run = diagnose("crash_float_target.py", tmp_path)
    crashed(run, "RuntimeError")
    f = run.one("dtype", "error")
    assert f.line == run.line("targets = torch.from_numpy(table[:, -1])")
    assert "float32" in f.message and "int64" in f.message
    assert the_fix(f).new == "targets = torch.from_numpy(table[:, -1]).long()"
    assert_clean(fix_until_clean(run))


def test_batchnorm_last_batch_of_one_drop_last_at_loader(tmp_path):
    run = diagnose("crash_bn_last_batch.py", tmp_path)
    crashed(run, "ValueError", "Expected more than 1 value per channel when training")
    f = run.one("last_partial_batch", "error")
    assert f.line == run.line("loader = DataLoader(Points(97), batch_size=32, shuffle=True)")
    assert "97 = 3·32 + 1" in f.message
    assert the_fix(f).new == "loader = DataLoader(Points(97), batch_size=32, shuffle=True, drop_last=True)"
    assert_clean(fix_until_clean(run))


def test_batchnorm_last_batch_multiline_loader_call(tmp_path):
    run = diagnose("crash_bn_loader_multiline.py", tmp_path)
    crashed(run, "ValueError", "Expected more than 1 value per channel when training")
    f = run.one("last_partial_batch", "error")
    assert f.line == run.line("loader = DataLoader(")
    assert "65 = 4·16 + 1" in f.message
    assert f.fixes and any("drop_last=True" in fx.new for fx in f.fixes), describe([f])
    assert_clean(fix_until_clean(run))


# -- shapes that meet in an op -----------------------------------------------------------------
def test_unet_odd_size_cat_interpolate(tmp_path):
    run = diagnose("crash_unet_odd.py", tmp_path)
    crashed(run, "RuntimeError", "Sizes of tensors must match except in dimension 1")
    f = run.one("cat_stack", "error")
    # the upsampled map is resized where it is made (`u2 = self.up2(b)`), to the skip's size
    assert f.line == run.line("u2 = self.up2(b)")
    assert "[2,16,24,24]" in f.message and "[2,16,25,25]" in f.message
    assert "u2 = F.interpolate(self.up2(b), size=s2.shape[2:])" in the_fix(f).new, describe([f])
    assert_clean(fix_until_clean(run))


def test_unet_skip_first_cat_uses_the_files_functional_alias(tmp_path):
    run = diagnose("crash_unet_skip_first.py", tmp_path)
    crashed(run, "RuntimeError", "Sizes of tensors must match except in dimension 1")
    f = run.one("cat_stack", "error")
    assert f.line == run.line("merged = torch.cat((b, self.up(c)), 1)")
    new = the_fix(f).new
    assert "fn.interpolate(self.up(c), size=b.shape[2:])" in new
    assert_clean(fix_until_clean(run))


def test_bmm_with_2d_weights_method_call(tmp_path):
    run = diagnose("crash_bmm_method.py", tmp_path)
    crashed(run, "RuntimeError", "batch1 must be a 3D tensor")
    f = run.one("matmul", "error")
    assert f.line == run.line("context = align.bmm(enc_out)")
    assert "[4,6]" in f.message and "[4,6,12]" in f.message
    assert the_fix(f).new == "        context = align.unsqueeze(1).bmm(enc_out)"
    assert_clean(fix_until_clean(run))


def test_bmm_with_2d_weights_function_call(tmp_path):
    run = diagnose("crash_bmm_2d.py", tmp_path)
    crashed(run, "RuntimeError", "batch1 must be a 3D tensor")
    f = run.one("matmul", "error")
    assert f.line == run.line("pooled = torch.bmm(weights, states).squeeze(1)")
    assert "torch.unsqueeze(" not in the_fix(f).new, describe([f])
    assert_clean(fix_until_clean(run))


def test_rnn_without_batch_first_crash_gets_a_working_fix(tmp_path):
    run = diagnose("crash_rnn_time_batch.py", tmp_path)
    crashed(run, "ValueError", "Expected input batch_size (25) to match target batch_size (16)")
    f = run.one("rnn_layout", "error")
    assert f.line in (run.line("self.gru = nn.GRU(hidden, hidden)"), run.line("x = self.proj(x)")), describe([f])
    assert "[16,25,32]" in f.message and "batch_first" in f.message
    assert f.fixes
    assert_clean(fix_until_clean(run))


def test_embedding_ids_sampled_from_too_wide_head(tmp_path):
    run = diagnose("crash_embedding_generate.py", tmp_path)
    crashed(run, "IndexError", "index out of range in self")
    f = run.one("embedding", "error")
    assert f.line == run.line("self.proj = nn.Linear(dim, 100)")
    assert "100" in f.message and "8 rows" in f.message
    assert the_fix(f).new == "        self.proj = nn.Linear(dim, n_tokens)"
    assert_clean(fix_until_clean(run))


def test_embedding_ids_sampled_one_token_at_a_time(tmp_path):
    run = diagnose("crash_embedding_sampled.py", tmp_path)
    crashed(run, "IndexError", "index out of range in self")
    f = run.one("embedding", "error")
    assert f.line == run.line("self.head = nn.Linear(hidden, 256)"), describe(run.findings)
    assert the_fix(f).new == "        self.head = nn.Linear(hidden, vocab_size)"
    assert_clean(fix_until_clean(run))


def test_a_squeeze_in_the_loop_before_the_model_is_recorded_on_the_new_last_batch(tmp_path):
    # the watcher has stopped recording after the first steps; the last batch's new shape turns
    # it back on where the loader hands it out, so the squeeze before the model call is traced
    run = diagnose("crash_target_squeezed_in_loop_last_batch_of_one.py", tmp_path)
    crashed(run, "ValueError", "Expected input batch_size (1) to match target batch_size (0)")
    f = run.one("batch_dim_changed", "error")
    assert f.line == run.line("target = yb.squeeze()"), describe(run.findings)
    assert the_fix(f).new.strip() == "target = yb.squeeze(-1)"
    assert_clean(fix_until_clean(run))


def test_a_stored_batch_size_is_replaced_by_the_size_of_the_data_that_reaches_the_crash(tmp_path):
    # both `val_data = batchify(..., train_data.size(1))` and `init_hidden(source.size(1))` run;
    # only the second takes its size from the data the failing GRU is given
    run = diagnose("crash_eval_hidden_from_train_batch_size.py", tmp_path)
    crashed(run, "RuntimeError", "Expected hidden size (1, 5, 24), got [1, 8, 24]")
    f = run.problems[0]
    assert f.line == run.line("hidden = model.init_hidden(TRAIN_BATCH)  # the evaluation state"), describe(run.findings)
    assert the_fix(f).new.strip() == "hidden = model.init_hidden(source.size(1))  # the evaluation state"
    assert_clean(fix_until_clean(run))


def test_a_model_told_the_batch_size_gets_the_batch_its_input_has(tmp_path):
    # the view's leading size is the stored batch size: the input it runs on has 3 samples
    run = diagnose("crash_model_told_the_loader_batch_size.py", tmp_path)
    crashed(run, "RuntimeError", "shape '[8, -1, 16]' is invalid for input of size 960")
    f = run.problems[0]
    assert f.line == run.line("logits = model(x, EVAL_BATCH)"), describe(run.findings)
    assert the_fix(f).new.strip() == "logits = model(x, x.size(0))"
    assert "drop_last" in f.message   # the workaround, named as the runner-up
    assert_clean(fix_until_clean(run))


def test_a_state_reset_that_falls_back_to_the_stored_batch_size_is_told_the_batch(tmp_path):
    # the helper already takes the size; the loop calls it without one. drop_last runs too and
    # is the runner-up; the fixed script is quiet, although the first step's rehearsal (which
    # replays the model without the loop's reset) predicted a last-batch crash: the real last
    # batch ran
    run = diagnose("crash_state_reset_to_stored_batch_size.py", tmp_path)
    crashed(run, "RuntimeError", "Expected hidden size (1, 2, 12), got [1, 16, 12]")
    f = run.problems[0]
    assert f.line == run.line("        model.reset_state()"), describe(run.findings)
    assert the_fix(f).new.strip() == "model.reset_state(batch_size=x.size(0))"
    assert "leaves batch_size at its default and builds the state with the stored 16; this batch holds 2" in f.message
    fixed = fix_until_clean(run)
    assert_clean(fixed)
    # the rehearsal's prediction is taken back in the report, not silently dropped
    taken_back = [g for g in fixed.last.findings if g.category == "last_partial_batch"]
    assert [g.severity for g in taken_back] == ["info"], describe(fixed.last.findings)
    assert "taken back: the run's model then took its last batch of 2" in taken_back[0].message


def test_a_label_past_the_class_count_in_an_unrecorded_step_sets_the_count(tmp_path):
    # the crash comes at the last batch, after recording stopped: the class count is read from the
    # loss's own frame, and the config entry that sets it is the root cause
    run = diagnose("crash_class_count_label_in_last_batch.py", tmp_path)
    crashed(run, "IndexError", "Target 12 is out of bounds")
    f = run.problems[0]
    assert f.line == run.line('CONFIG = {"classes": 12, "batch": 8}'), describe(run.findings)
    assert the_fix(f).new.strip() == 'CONFIG = {"classes": 13, "batch": 8}'
    assert_clean(fix_until_clean(run))


def test_a_head_sized_for_other_classes_is_resized_not_flattened(tmp_path):
    # view(b, 3, 9, h, w) keeps b, h, w of [2, 255, 16, 16]: the head must make 3·9 = 27 channels.
    # The per-sample flatten breaks the permute on the same line, so it is not offered
    run = diagnose("crash_detection_head_filters_for_other_classes.py", tmp_path)
    crashed(run, "RuntimeError", "shape '[2, 3, 9, 16, 16]' is invalid for input of size 130560")
    f = run.problems[0]
    assert f.line == run.line("self.pred = nn.Conv2d(16, 255, 1)"), describe(run.findings)
    assert the_fix(f).new.strip() == "self.pred = nn.Conv2d(16, 27, 1)"
    assert not any("view(p.size(0), -1)" in fx.new for g in run.problems for fx in g.fixes)
    assert_clean(fix_until_clean(run))


def test_an_attribute_assigned_twice_gets_a_name_of_its_own(tmp_path):
    # norm3 is BatchNorm2d for the conv block, then BatchNorm1d for the projection: the second
    # replaces the first. The fix renames the later one and moves the use that the re-run says
    run = diagnose("crash_attribute_assigned_twice_in_init.py", tmp_path)
    crashed(run, "ValueError", "expected 2D or 3D input (got 4D input)")
    f = run.problems[0]
    assert f.line == run.line("self.norm3 = nn.BatchNorm1d(proj)"), describe(run.findings)
    assert "assigned twice in __init__ (lines 17 and 19)" in f.message
    assert fixed_lines(run) >= {(run.line("self.norm3 = nn.BatchNorm1d(proj)"), "self.norm3_2 = nn.BatchNorm1d(proj)"),
                                (run.line("return self.act(self.norm3(self.proj(x)))"),
                                 "return self.act(self.norm3_2(self.proj(x)))")}
    assert_clean(fix_until_clean(run))


def test_a_state_reset_with_the_stored_size_is_fixed_where_that_state_was_made(tmp_path):
    # the stored 300 reaches the GRU through reset() at evaluation, not through the constructor:
    # the watcher records the reset at each of its call sites, and the edit goes to the one that
    # made the state the GRU got
    run = diagnose("crash_state_helper_called_with_training_size_at_eval.py", tmp_path)
    crashed(run, "RuntimeError", "Expected hidden size (1, 100, 16), got [1, 300, 16]")
    f = run.problems[0]
    assert f.line == run.line("    model.reset(model.batch)"), describe(run.findings)
    assert the_fix(f).new.strip() == "model.reset(test_x.size(1))"
    assert_clean(fix_until_clean(run))
