"""The repair search: candidate edits validated by re-running the script (forked, in memory).

Each script is new (not a corpus case). The tests check the fix that is reported — its line,
its text — and that the fixed script then runs clean.
"""
from __future__ import annotations

import os

import pytest

from tensorsight.diagnose.repair import search, validate
from tensorsight.diagnose.findings import Fix

from .helpers import SCRIPTS, assert_clean, describe, diagnose, fix_until_clean, fixed_lines

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="validation forks")


def no_children_left():
    try:
        pid, _ = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return pid == 0 and not _live_children()


def _live_children() -> list[int]:
    me = os.getpid()
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                out.append(int(name))
    return out


def test_swapped_constructor_arguments_are_swapped_not_the_next_layer_shrunk(tmp_path):
    run = diagnose("repair_swapped_args.py", tmp_path)
    assert fixed_lines(run) == {(run.line("self.hidden = nn.Linear(32, 16)"), "self.hidden = nn.Linear(16, 32)")}, \
        describe(run.findings)
    assert "runs clean" in run.problems[0].message
    assert_clean(fix_until_clean(run))


def test_missing_channel_axis_is_added_to_the_data_not_to_the_layer(tmp_path):
    run = diagnose("repair_missing_channel_axis.py", tmp_path)
    fixes = fixed_lines(run)
    assert fixes == {(run.line("out = net(x)"), "out = net(x.unsqueeze(1))")}, describe(run.findings)
    assert all("Conv2d(8" not in new for _, new in fixes)
    assert_clean(fix_until_clean(run))


def test_argument_value_is_the_root_cause_and_keeps_the_users_expression(tmp_path):
    run = diagnose("repair_classes_from_labels.py", tmp_path)
    line = run.line("nn.Linear(24, int(labels.max()))")
    assert (line, "model = nn.Sequential(nn.Linear(12, 24), nn.ReLU(), nn.Linear(24, int(labels.max()) + 1))") \
        in fixed_lines(run), describe(run.findings)
    f = next(f for f in run.problems if f.line == line)
    assert "int(labels.max()) = 6" in f.message and "needs 7 where this gives 6" in f.message, f.message
    assert_clean(fix_until_clean(run))


def test_raw_scores_into_bce_get_the_missing_sigmoid_and_the_logits_loss_as_alternative(tmp_path):
    run = diagnose("repair_bce_raw_scores.py", tmp_path)
    f = run.problems[0]
    assert f.line == run.line("loss = criterion(model(x), y)"), describe(run.findings)
    assert f.fixes[0].new.strip() == "loss = criterion(torch.sigmoid(model(x)), y)"
    assert "also plausible" in f.message and "BCEWithLogitsLoss" in f.message, f.message
    assert_clean(fix_until_clean(run))


def test_pooling_window_larger_than_the_map_is_shrunk_to_it(tmp_path):
    run = diagnose("repair_pool_window.py", tmp_path)
    assert (run.line("self.final_pool = nn.MaxPool2d(8)"), "self.final_pool = nn.MaxPool2d(4)") in fixed_lines(run), \
        describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_two_coordinated_edits_the_data_layout_then_the_linear_after_it(tmp_path):
    run = diagnose("repair_two_edits.py", tmp_path)
    fixes = fixed_lines(run)
    assert (run.line("image = self.images[i]"), "image = self.images[i].permute(2, 0, 1)") in fixes, describe(run.findings)
    assert (run.line("self.fc = nn.Linear(8 * 28 * 28, 5)"), "self.fc = nn.Linear(8 * 30 * 30, 5)") in fixes
    fixed = fix_until_clean(run)
    assert_clean(fixed)
    assert len(fixed.runs) == 2, "both edits come from one diagnosis:\n" + fixed.history()


def test_model_called_with_keyword_inputs_is_repaired(tmp_path):
    run = diagnose("repair_keyword_inputs.py", tmp_path)
    assert (run.line("self.pool_proj = nn.Linear(32, 3)"), "self.pool_proj = nn.Linear(16, 3)") in fixed_lines(run), \
        describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_a_candidate_that_hangs_is_cut_off_and_leaves_no_process(tmp_path, monkeypatch):
    monkeypatch.setattr(search, "RERUN_WALL_S", 1.0)
    run = diagnose("repair_hanging_candidate.py", tmp_path)
    assert run.report.status == "crashed"
    assert not any(fx.new.strip() == "net = nn.Linear(10, 5)" for f in run.problems for fx in f.fixes), \
        "the only candidate never finished, so it is not reported as a validated fix"
    assert no_children_left()


def test_validation_never_writes_the_users_file(tmp_path):
    path = tmp_path / "orig" / "repair_swapped_args.py"
    run = diagnose("repair_swapped_args.py", tmp_path)
    assert run.problems and run.problems[0].fixes
    assert path.read_text() == (SCRIPTS / "repair_swapped_args.py").read_text()
    assert sorted(os.listdir(path.parent)) == ["repair_swapped_args.py"]
    assert no_children_left()


def test_validate_reports_the_edited_scripts_new_crash_line(tmp_path):
    script = tmp_path / "two.py"
    script.write_text("import torch\nx = torch.ones(3)\ny = x.view(2, 2)\nprint(y)\n")
    plain = validate.run_candidate(validate.Script(str(script), [], str(tmp_path), 3), [], 20.0)
    assert plain.status == "crashed" and plain.line == 3 and "invalid for input of size 3" in plain.message
    fix = Fix(str(script), 3, "y = x.view(2, 2)", "y = x.view(3, 1)")
    fixed = validate.run_candidate(validate.Script(str(script), [], str(tmp_path), 3), [fix], 20.0)
    assert fixed.status == "clean" and fixed.clean, fixed
    assert script.read_text().splitlines()[2] == "y = x.view(2, 2)"


def test_squeeze_that_eats_a_batch_of_one_names_its_axis_rather_than_dropping_data(tmp_path):
    run = diagnose("repair_squeeze_batch_of_one.py", tmp_path)
    line = run.line("y.squeeze())")
    assert (line, "loss = nn.functional.cross_entropy(model(x), y.squeeze(-1))") in fixed_lines(run), \
        describe(run.findings)
    assert not any("drop_last" in fx.new for f in run.problems for fx in f.fixes)
    assert_clean(fix_until_clean(run))


def test_variable_length_samples_get_a_padding_collate(tmp_path):
    run = diagnose("repair_variable_length_collate.py", tmp_path)
    f = run.problems[0]
    assert f.line == run.line("for tokens, label in DataLoader(")
    assert "pad_sequence" in f.fixes[0].new and "collate_fn=" in f.fixes[0].new
    assert_clean(fix_until_clean(run))


def test_dot_on_batches_becomes_a_rowwise_dot(tmp_path):
    run = diagnose("repair_batched_dot.py", tmp_path)
    assert fixed_lines(run) == {(run.line("score = torch.dot"), "score = (query(h) * enc).sum(-1)")}, \
        describe(run.findings)
    assert_clean(fix_until_clean(run))
