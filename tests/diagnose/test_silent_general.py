"""Silent-bug checks that must hold however the code is written (issue 13): the same bug by hand
instead of through a library call, in a helper, or fed from another op family. Each script runs
to the end; tensorsight warns at the line to change, and its fix makes the script run quiet."""
from __future__ import annotations

from .helpers import assert_clean, describe, diagnose, fix_until_clean


def completed(run):
    r = run.report
    assert r.status == "completed" and r.exit_code == 0 and r.exception is None, (r.status, r.exception)


def test_l2_normalisation_by_hand_over_the_batch(tmp_path):
    run = diagnose("silent_hand_l2_over_batch.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")   # the data columns scaled over samples are left alone
    assert f.line == run.line("return z / torch.linalg.vector_norm(z, dim=0, keepdim=True)")
    assert "L2 normalisation written by hand over dim 0 of [30,16]" in f.message, f.message
    assert "dim=1" in f.message
    assert [fx.new.strip() for fx in f.fixes] == [
        "return z / torch.linalg.vector_norm(z, dim=1, keepdim=True).clamp(min=1e-6)"]
    assert_clean(fix_until_clean(run))


def test_softmax_by_hand_over_the_batch(tmp_path):
    run = diagnose("silent_hand_softmax_over_batch.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")
    assert f.line == run.line("p = e / e.sum(0, keepdim=True)")
    assert "softmax written by hand over dim 0 of [10,5]" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["p = e / e.sum(1, keepdim=True)"]
    assert_clean(fix_until_clean(run))


def test_heads_merged_without_transpose_after_weights_at_v(tmp_path):
    # (a @ v) is [N, heads, T, d]: its heads are a digit of v's features, so the transpose that
    # puts heads next to d makes the merge read v's feature axis again
    run = diagnose("silent_merge_heads_no_transpose.py", tmp_path)
    completed(run)
    f = run.one("view_reshape", "warning")
    assert f.line == run.line("return self.out((a @ v).reshape(n, t, c))")
    assert "[6,3,10,8]" in f.message and "[6,10,24]" in f.message, f.message
    assert len(f.fixes) == 1 and "transpose(1, 2)" in f.fixes[0].new, describe(run.findings)
    assert_clean(fix_until_clean(run))


def test_rnn_input_features_standardised_per_time_step(tmp_path):
    run = diagnose("silent_rnn_data_standardized_over_features.py", tmp_path)
    completed(run)
    hits = run.of("normalization_axis", "warning")
    assert hits and {f.line for f in hits} == {run.line("seqs = (seqs - seqs.mean(-1, keepdim=True))")}
    assert "dim 2 is feature (F=5)" in hits[0].message and "dim=1" in hits[0].message, hits[0].message
    # the mean and the std of one standardisation move together
    assert [fx.new.strip() for fx in hits[0].fixes] == [
        "seqs = (seqs - seqs.mean(1, keepdim=True)) / (seqs.std(dim=1, keepdim=True) + 1e-5)"]
    assert_clean(fix_until_clean(run))


def test_noop_permute_gets_the_one_other_order(tmp_path):
    run = diagnose("silent_noop_permute_fixed.py", tmp_path)
    completed(run)
    f = run.one("permute_noop", "warning")
    assert f.line == run.line("x = frames[i:i + 12].permute(0, 1, 2)")
    assert "permute(0, 2, 1)" in f.message
    assert [fx.new.strip() for fx in f.fixes] == [
        "x = frames[i:i + 12].permute(0, 2, 1)              # meant: features onto the channel axis"]
    assert_clean(fix_until_clean(run))


def test_loss_broadcast_with_a_call_as_prediction_is_squeezed_not_repeated(tmp_path):
    run = diagnose("silent_loss_broadcast_call_argument.py", tmp_path)
    completed(run)
    f = run.one("loss_target_shape", "warning")
    assert f.line == run.line("loss = loss_fn(net(x), t)")
    assert [fx.new.strip() for fx in f.fixes] == ["loss = loss_fn(net(x).squeeze(-1), t)"], "net(x) runs once"
    assert_clean(fix_until_clean(run))


def test_patch_tokens_by_one_reshape_are_cut_into_patches(tmp_path):
    run = diagnose("silent_patchify_reshape.py", tmp_path)
    completed(run)
    f = run.one("view_reshape", "warning")
    assert f.line == run.line("return x.reshape(n, (h // p) * (w // p), c * p * p)")
    assert "[5,2,8,12]" in f.message and "[5,6,32]" in f.message and "4×4 patches" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == [
        "return x.reshape(-1, 2, 2, 4, 3, 4).permute(0, 2, 4, 1, 3, 5).reshape(n, (h // p) * (w // p), c * p * p)"
        "       # a patch needs its rows and colours"]
    assert_clean(fix_until_clean(run))


def test_bptt_windows_of_a_batchified_stream_are_time(tmp_path):
    # columns[i:i + 14] cuts the time digit of a stream viewed as [6, T] and transposed: a window
    # in time, not a batch, so the time-major RNN reading it is right even with no initial state
    run = diagnose("ok_bptt_batchified_no_hidden.py", tmp_path)
    completed(run)
    assert not run.problems, describe(run.findings)


def test_frames_folded_without_moving_time_when_sizes_divide(tmp_path):
    run = diagnose("silent_frames_folded_divisible_sizes.py", tmp_path)
    completed(run)
    f = run.one("view_reshape", "warning")
    assert f.line == run.line("per_frame = frame_cnn(clip.reshape(n * t, c, h, w))")
    assert "[4,2,4,10,10]" in f.message and "[16,2,10,10]" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == [
        "per_frame = frame_cnn(clip.transpose(1, 2).reshape(n * t, c, h, w))    "
        "# C = 2 divides T = 4: no row straddles"]
    assert_clean(fix_until_clean(run))


def test_softmax_read_only_by_the_loss_and_argmax_is_dropped_where_written(tmp_path):
    run = diagnose("silent_softmax_in_forward_then_ce.py", tmp_path)
    completed(run)
    f = run.one("loss_input_type", "warning")
    assert f.line == run.line("return torch.softmax(self.body(x), dim=1)")
    assert [fx.new.strip() for fx in f.fixes] == ["return self.body(x)"]
    assert_clean(fix_until_clean(run))


def test_softmax_layer_before_cross_entropy_is_taken_out_of_its_sequential(tmp_path):
    run = diagnose("silent_softmax_layer_in_sequential.py", tmp_path)
    completed(run)
    f = run.one("loss_input_type", "warning")
    assert f.line == run.line("nn.Softmax(dim=-1),")
    assert [(fx.old.strip(), fx.new.strip()) for fx in f.fixes] == [("nn.Softmax(dim=-1),", "")], f.fixes
    assert_clean(fix_until_clean(run))


def test_sigmoid_reshaped_before_a_logits_loss_is_dropped_where_written(tmp_path):
    run = diagnose("silent_sigmoid_squeezed_then_bce_logits.py", tmp_path)
    completed(run)
    f = run.one("loss_input_type", "warning")
    assert f.line == run.line("return self.fc(x).sigmoid().squeeze(-1)")
    assert [fx.new.strip() for fx in f.fixes] == ["return self.fc(x).squeeze(-1)"]
    assert_clean(fix_until_clean(run))


def test_views_of_a_cat_of_equal_batches_read_as_batch_first(tmp_path):
    # cat([x, flip(x), flip(x)]) is [3·N]: (view, image) with the view outermost
    run = diagnose("silent_flip_tta_view_batch_first.py", tmp_path)
    completed(run)
    f = run.one("view_reshape", "warning")
    assert f.line == run.line("avg = net(both).view(x.shape[0], 3, -1).mean(1)")
    assert "[21,3]" in f.message and "[7,3,3]" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["avg = net(both).view(3, x.shape[0], -1).transpose(0, 1).mean(1)"]
    assert_clean(fix_until_clean(run))


def test_heads_split_from_flattened_grid_tokens(tmp_path):
    # the token axis is itself H·W merged by flatten: the fix splits the features, not the tokens
    run = diagnose("silent_heads_split_of_grid_tokens.py", tmp_path)
    completed(run)
    hits = run.of("view_reshape", "warning")
    assert hits and {f.line for f in hits} == {run.line("q = q.reshape(4, 2, 16, 8)")}
    assert any("reshape(4, 16, 2, 8).transpose(1, 2)" in fx.new for f in hits for fx in f.fixes), describe(hits)
    assert_clean(fix_until_clean(run))


def test_hand_written_loss_on_a_column_and_sliced_targets(tmp_path):
    # the targets are cut from the data like the batch (y_all[i:i + 30]) but never enter the model
    run = diagnose("silent_manual_mse_column_vs_rows.py", tmp_path)
    completed(run)
    f = run.one("broadcasting", "warning")
    assert f.line == run.line("loss = (pred - target).abs().mean()")
    assert "[30,1]" in f.message and "[30]" in f.message and "[30,30]" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["loss = (pred.squeeze(1) - target).abs().mean()"]
    assert_clean(fix_until_clean(run))


def test_rnn_whose_output_is_pooled_batch_first_gets_batch_first(tmp_path):
    # nothing reads the output time-first, so batch_first=True fixes it; transposing the input
    # where it is made would hand the code after it [time, batch, …]
    run = diagnose("silent_gru_no_batch_first_pooled.py", tmp_path)
    completed(run)
    f = run.one("rnn_layout", "warning")
    assert f.line == run.line("self.gru = nn.GRU(8, 8)")
    assert [fx.new.strip() for fx in f.fixes] == ["self.gru = nn.GRU(8, 8, batch_first=True)"]
    assert_clean(fix_until_clean(run))


def test_softmax_in_a_method_other_callers_use_is_kept_and_the_loss_call_is_fixed(tmp_path):
    # `probabilities()` is an API (reporting, inference): dropping its softmax would change it for
    # every caller, so the fix goes where the loss is handed the probabilities
    run = diagnose("silent_predict_proba_into_ce.py", tmp_path)
    completed(run)
    f = run.one("loss_input_type", "warning")
    assert f.line == run.line("val = loss_fn(p, y)")
    assert_clean(fix_until_clean(run))


def test_sigmoid_packed_into_a_head_output_then_sliced_for_a_logits_loss(tmp_path):
    # cat([boxes, sigmoid(...)])[:, 4:] holds the sigmoid's values only; [:, :4] never reads them
    run = diagnose("silent_packed_head_sigmoid_logits_loss.py", tmp_path)
    completed(run)
    f = run.one("loss_input_type", "warning")
    assert f.line == run.line("scores = torch.sigmoid(h[:, 4:])")
    assert "packed by cat at" in f.message and "sliced back out at" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["scores = h[:, 4:]"]
    assert_clean(fix_until_clean(run))


def test_argmax_without_dim_on_a_batch_gives_one_index_for_all_samples(tmp_path):
    run = diagnose("silent_argmax_without_dim_on_batch.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")   # the batch-of-one argmax at the end is left alone
    assert f.line == run.line("pred = logits.argmax()")
    assert "flattens all of [32,5]" in f.message and "below 160" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["pred = logits.argmax(dim=1)"]
    assert_clean(fix_until_clean(run))


def test_softmax_over_an_axis_of_size_one(tmp_path):
    # the decoder's softmax over one key at its first step (more later) is left alone
    run = diagnose("silent_softmax_over_unit_axis.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")
    assert f.line == run.line("probs = torch.softmax(policy(context), dim=0)")
    assert "dim 0 of [1,3], an axis of size 1" in f.message and "use dim=1" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["probs = torch.softmax(policy(context), dim=1)"]
    assert_clean(fix_until_clean(run))


def test_rnn_fix_that_breaks_the_conv_before_it_falls_back_to_batch_first(tmp_path):
    # the re-run with the batches made time-major crashes in the conv: the constructor changes
    run = diagnose("silent_conv_then_gru_no_batch_first.py", tmp_path)
    completed(run)
    f = run.one("rnn_layout", "warning")
    assert f.line == run.line("self.rnn = nn.GRU(16, 24)")
    assert "re-run with this fix: it runs and this warning is gone" in f.message, f.message
    assert "tried first: with the edit at line" in f.message and "expected input[3, 16, 30]" in f.message
    assert [fx.new.strip() for fx in f.fixes] == ["self.rnn = nn.GRU(16, 24, batch_first=True)"]
    assert_clean(fix_until_clean(run))


def test_a_fix_is_kept_when_the_rerun_reports_only_the_other_warning_on_its_line(tmp_path):
    # log_softmax and softmax both over the batch on one line: fixing the first leaves the second,
    # which is another warning, not the first one unfixed
    run = diagnose("silent_two_softmaxes_over_batch_one_line.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")
    assert "re-run with this fix: it runs and this warning is gone" in f.message, f.message
    assert f.fixes and "dim=1" in f.fixes[0].new
    assert_clean(fix_until_clean(run))


def test_the_reruns_that_check_a_fix_write_none_of_the_scripts_files(tmp_path):
    import torch
    run = diagnose("silent_softmax_over_batch_then_saves.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")
    assert "re-run with this fix: it runs and this warning is gone" in f.message, f.message
    folder = run.path.parent
    # the real run: 2 epochs of 6 batches; a re-run sees 3 batches a pass and must not write here
    assert (folder / "train.log").read_text() == "epoch 0 steps 6\nepoch 1 steps 12\n"
    assert torch.load(folder / "ckpt.pt")["steps"] == 12


def test_a_norm_without_dim_over_a_batch_of_embeddings_is_taken_per_sample(tmp_path):
    run = diagnose("silent_norm_without_dim_over_batch.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")
    assert f.line == run.line("x = x / torch.norm(x)"), describe(run.findings)
    assert "over all of [12,16], dim 0 the batch among them" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["x = x / torch.norm(x, dim=1, keepdim=True)"]
    assert_clean(fix_until_clean(run))


def test_an_index_that_drops_the_hidden_units_instead_of_the_steps(tmp_path):
    # seq[..., -1] keeps the 24 steps; the head's Linear(24, 12) contracts them as features
    run = diagnose("silent_lstm_index_hidden_not_step.py", tmp_path)
    completed(run)
    f = run.one("rnn_layout", "warning")
    assert f.line == run.line("last = seq[..., -1]")
    assert "indexes [8,24,24] with [:, :, -1]" in f.message and "dim 1 is time (T=24)" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["last = seq[:, -1, :]"]
    assert_clean(fix_until_clean(run))


def test_an_rnn_whose_batch_varies_like_a_length_reads_its_axes_swapped(tmp_path):
    run = diagnose("silent_gru_sensor_axes_swapped.py", tmp_path)
    completed(run)
    f = run.one("rnn_layout", "warning")
    assert f.line == run.line("self.gru = nn.GRU(9, 32)")
    assert "its time dim 0 is 3 every time, while its batch dim 1 takes" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["self.gru = nn.GRU(9, 32, batch_first=True)"]
    assert_clean(fix_until_clean(run))


def test_a_regression_loss_that_stretches_one_target_over_the_hidden_units(tmp_path):
    # no batch axis anywhere: the shapes alone say the target is copied over 16 outputs
    run = diagnose("silent_mse_hidden_vector_vs_scalar_target.py", tmp_path)
    completed(run)
    f = run.one("broadcasting", "warning")
    assert f.line == run.line("loss = loss + nn.functional.mse_loss(h, series[t + 1:t + 2])")
    assert "mse_loss(input [16], target [1]) broadcasts to [16]" in f.message, f.message
    assert "each target is compared with 16 predictions" in f.message, f.message


def test_l2_normalisation_without_dim_over_a_batch_folded_from_episodes(tmp_path):
    # the encoder's batch is ways·shots (nothing names either axis): its outer part is the samples
    run = diagnose("silent_norm_whole_batch_of_folded_episodes.py", tmp_path)
    completed(run)
    f = run.one("softmax_dim", "warning")
    assert f.line == run.line("return z / z.norm()")
    assert "over all of [20,32], dim 0 the batch among them" in f.message, f.message
    assert "from indexing [5,30] dim 0" in f.message, f.message
    assert [fx.new.strip() for fx in f.fixes] == ["return z / z.norm(dim=1, keepdim=True)"]
    assert_clean(fix_until_clean(run))
