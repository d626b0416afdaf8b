"""Silent shape bugs: the script runs to the end, tensorsight warns at the root-cause line, and
after the fixes the script runs clean with no warning left."""
from __future__ import annotations

import pytest

from .helpers import assert_clean, describe, diagnose, fix_until_clean, fixed_lines


def completed(run):
    r = run.report
    assert r.status == "completed" and r.exit_code == 0 and r.exception is None, (r.status, r.exception)
    assert not [f for f in run.findings if f.severity == "error"], describe(run.findings)


def test_view_that_mixes_samples(tmp_path):
    run = diagnose("silent_view_mixes.py", tmp_path)
    completed(run)
    f = run.one("view_reshape", "warning")
    assert f.line == run.line("h = h.view(-1, 40)")
    assert "60 = 6·10" in f.message and "[32,6,10]" in f.message and "[48,40]" in f.message
    assert [fx.new.strip() for fx in f.fixes] == ["h = h.view(h.size(0), -1)"]
    # the layers after the view were sized for the mixed rows: the re-run of the view's fix
    # crashes at self.mix, and the crash repair's fix for that completes it, a finding a line
    assert "so lines 13, 14 change too" in f.message and "mat1 and mat2 shapes cannot be multiplied" in f.message
    assert fixed_lines(run) == {(run.line("h = h.view(-1, 40)"), "h = h.view(h.size(0), -1)"),
                                (run.line("self.mix = nn.Linear(40, 20)"), "self.mix = nn.Linear(6 * 10, 20)"),
                                (run.line("self.out = nn.Linear(30, 1)"), "self.out = nn.Linear(20, 1)")}
    assert "view(-1, 40) turns the batch" in run.stderr, "warned at the first step"
    result = fix_until_clean(run)
    assert_clean(result)
    fixed = result.last.path.read_text()
    assert "self.mix = nn.Linear(6 * 10, 20)" in fixed and "self.out = nn.Linear(20, 1)" in fixed, fixed


def test_view_that_moves_the_batch_axis(tmp_path):
    run = diagnose("silent_hn_view.py", tmp_path)
    completed(run)
    f = run.one("view_reshape", "warning")
    assert f.line == run.line("sentence = h_n.view(tokens.size(0), 2 * self.hidden)")
    assert "[2,12,24]" in f.message and "[12,48]" in f.message and "dim 1" in f.message
    assert [fx.new for fx in f.fixes] == [
        "        sentence = h_n.transpose(0, 1).contiguous().view(tokens.size(0), 2 * self.hidden)"]
    assert_clean(fix_until_clean(run))


def test_mse_prediction_squeezed_against_column_targets(tmp_path):
    run = diagnose("silent_mse_squeeze.py", tmp_path)
    completed(run)
    f = run.one("loss_target_shape", "warning")
    assert f.line == run.line("return self.head(self.body(x)).squeeze()"), "the squeeze made the mismatch"
    assert "[20]" in f.message and "[20,1]" in f.message and "[20,20]" in f.message
    assert [fx.new for fx in f.fixes] == ["        return self.head(self.body(x))"]
    assert_clean(fix_until_clean(run))


def test_functional_l1_with_flat_targets(tmp_path):
    run = diagnose("silent_l1_target_flat.py", tmp_path)
    completed(run)
    f = run.one("loss_target_shape", "warning")
    assert f.line == run.line("loss = F.l1_loss(pred, depth)")
    assert "[30,1]" in f.message and "[30]" in f.message and "[30,30]" in f.message
    assert len(f.fixes) == 1
    assert_clean(fix_until_clean(run))


def test_accuracy_comparison_broadcasts_to_n_by_n(tmp_path):
    run = diagnose("silent_compare_eq.py", tmp_path)
    completed(run)
    f = run.one("broadcasting", "warning")
    assert f.line == run.line("correct += (pred == yb).sum().item()")
    assert "[15]" in f.message and "[15,1]" in f.message and "[15,15]" in f.message
    assert [fx.new for fx in f.fixes] == ["    correct += (pred == yb.squeeze(1)).sum().item()"]
    result = fix_until_clean(run)
    assert_clean(result)
    accuracy = float(result.last.stdout.split("accuracy")[1])
    assert 0.0 <= accuracy <= 1.0, result.last.stdout


def test_softmax_output_into_cross_entropy_loss(tmp_path):
    run = diagnose("silent_softmax_ce.py", tmp_path)
    completed(run)
    f = run.one("loss_input_type", "warning")
    assert f.line in (run.line("loss = criterion(out, yb)"), run.line("return self.probs(self.layers(x))"),
                      run.line("self.probs = nn.Softmax(dim=1)")), describe([f])
    assert "softmax" in f.message and "[10,5]" in f.message
    assert f.fixes
    assert_clean(fix_until_clean(run))


def test_gru_without_batch_first_indexed_batch_first(tmp_path):
    run = diagnose("silent_gru_no_batch_first.py", tmp_path)
    completed(run)
    f = run.one("rnn_layout", "warning")
    assert f.line == run.line("self.gru = nn.GRU(input_size=3, hidden_size=20, num_layers=1)")
    assert "[8,30,3]" in f.message and "time=8" in f.message
    assert [fx.new for fx in f.fixes] == [
        "        self.gru = nn.GRU(input_size=3, hidden_size=20, num_layers=1, batch_first=True)"]
    assert_clean(fix_until_clean(run))


def test_lstm_without_batch_first_on_dict_batches(tmp_path):
    run = diagnose("silent_lstm_no_batch_first.py", tmp_path)
    completed(run)
    f = run.one("rnn_layout", "warning")
    assert f.line == run.line("self.lstm = nn.LSTM(9, 32, num_layers=2, dropout=0.1)")
    assert "[12,20,9]" in f.message and "batch=20" in f.message and "12 samples" in f.message
    assert [fx.new for fx in f.fixes] == [
        "        self.lstm = nn.LSTM(9, 32, num_layers=2, dropout=0.1, batch_first=True)"]
    assert_clean(fix_until_clean(run))


def test_layer_defined_but_never_called(tmp_path):
    run = diagnose("silent_unused_layer.py", tmp_path)
    completed(run)
    f = run.one("unused_parameters", "info")
    assert f.line == run.line("self.extra = nn.Linear(16, 16)")
    assert "272" in f.message  # 16·16 + 16
    assert f.fixes == []
    assert not run.problems, describe(run.findings)  # never ran: information, not a warning


def test_last_partial_batch_rehearsed_at_the_first_step(tmp_path):
    run = diagnose("silent_last_batch.py", tmp_path, max_steps=1)
    r = run.report
    assert r.status == "stopped" and r.exit_code == 0, (r.status, r.exception)
    f = run.one("last_partial_batch", "warning")
    loader_line = run.line("loader = DataLoader(TensorDataset(digits, labels), batch_size=32, shuffle=True)")
    assert f.line == loader_line
    assert "100 = 3·32 + 4" in f.message and "batch of 4" in f.message
    assert [fx.new for fx in f.fixes] == [
        "loader = DataLoader(TensorDataset(digits, labels), batch_size=32, shuffle=True, drop_last=True)"]
    assert f"silent_last_batch.py:{loader_line}" in run.stderr, "the warning is printed at the first step"


def test_last_partial_batch_fix_makes_the_full_run_clean(tmp_path):
    run = diagnose("silent_last_batch.py", tmp_path)
    assert run.report.status == "crashed", "the last batch of 4 crashes the hard-coded view"
    # the crash's validated fix (the per-sample view) removes the last-batch warning too: it is
    # said once, as information without a second fix
    assert run.one("last_partial_batch", "info").fixes == []
    assert_clean(fix_until_clean(run))


def test_last_partial_batch_crash_error_names_the_root_cause(tmp_path):
    run = diagnose("silent_last_batch.py", tmp_path)
    errors = [f for f in run.findings if f.severity == "error" and f.category != "crash_site"]
    roots = {run.line("x = x.view(32, -1)"), run.line("loader = DataLoader(")}
    assert errors and all(f.line in roots for f in errors), describe(run.findings)


def test_partial_batch_with_per_sample_flatten_is_not_reported(tmp_path):
    run = diagnose("ok_partial_batch.py", tmp_path)
    completed(run)
    assert not run.problems, describe(run.findings)


# -- bugs found by axis provenance: each is flagged at its line, and the fix makes the run clean --

PROVENANCE_CASES = [
    # script, category, the line to change, the fixed line, words the message must say
    ("silent_view_channels_time.py", "view_reshape", "h = h.view(b, t, c)",
     "        h = h.transpose(1, 2).contiguous().view(b, t, c)",
     ["[16,8,20]", "batch·channel·time", "channel 8 × time 20", "transpose(1, 2)"]),
    ("silent_heads_merged_without_transpose.py", "view_reshape", "y = (att @ v).reshape(B, T, C)",
     "        y = ((att @ v).transpose(1, 2)).reshape(B, T, C)",
     ["[16,4,12,8]", "[16,12,32]", "interleaved", "transpose(1, 2)"]),
    ("silent_softmax_over_batch.py", "softmax_dim", "w = torch.softmax(self.score(x).squeeze(-1), dim=0)",
     "        w = torch.softmax(self.score(x).squeeze(-1), dim=1)",
     ["dim 0 of [8,7]", "across the samples", "DataLoader batch", "dim=1"]),
    ("silent_sigmoid_bce_logits.py", "loss_input_type", "return torch.sigmoid(self.net(x))",
     "        return self.net(x)", ["binary_cross_entropy_with_logits", "sigmoid output [16,1]"]),
    ("silent_lstm_manual_batches.py", "rnn_layout", "self.lstm = nn.LSTM(4, 24)",
     "        self.lstm = nn.LSTM(4, 24, batch_first=True)",
     ["[24,15,4]", "time=24", "24 samples"]),
    ("silent_ce_class_axis_time.py", "loss_target_shape", "loss = nn.functional.cross_entropy(model(xb), yb)",
     "    loss = nn.functional.cross_entropy(model(xb).movedim(-1, 1), yb)",
     ["dim 1 of [8,9,9]", "time", "movedim(-1, 1)"]),
    ("silent_images_standardised_over_channels.py", "normalization_axis",
     "images = images - images.mean(dim=1, keepdim=True)",
     "images = images - images.mean(dim=(2, 3), keepdim=True)", ["[40,3,12,12]", "across the channels", "dim=(2, 3)"]),
]


@pytest.mark.parametrize("script,category,needle,fixed,words", PROVENANCE_CASES,
                         ids=[c[0] for c in PROVENANCE_CASES])
def test_provenance_finding_and_fix(script, category, needle, fixed, words, tmp_path):
    run = diagnose(script, tmp_path)
    completed(run)
    f = run.one(category, "warning")
    assert f.line == run.line(needle), describe([f])
    for w in words:
        assert w in f.message, (w, f.message)
    assert [fx.new for fx in f.fixes] == [fixed]
    assert [x.category for x in run.problems] == [category], describe(run.findings)
    assert_clean(fix_until_clean(run))
