"""The seed examples of the repository, diagnosed and fixed in-process (on copies).

Each example is run once per round (module-scoped fixtures); the tests read those runs."""
from __future__ import annotations

import pytest

from .helpers import EXAMPLES, assert_clean, describe, diagnose, fix_until_clean


@pytest.fixture(scope="module")
def cnn(tmp_path_factory):
    return fix_until_clean(diagnose("cnn_16_400.py", tmp_path_factory.mktemp("cnn"), source_dir=EXAMPLES))


@pytest.fixture(scope="module")
def cats(tmp_path_factory):
    return fix_until_clean(diagnose("cats_dogs.py", tmp_path_factory.mktemp("cats"), source_dir=EXAMPLES))


def test_cnn_16_400_view_and_fc1(cnn):
    run = cnn.first
    r = run.report
    assert r.status == "crashed" and r.exception["message"] == "shape '[16, 400]' is invalid for input of size 9600"
    view = run.one("view_reshape", "error")
    assert view.line == run.line("x = x.view(x.size(0), 5 * 5 * 16)")
    assert "600 = 24·5·5" in view.message and "9600" in view.message
    assert [fx.new.strip() for fx in view.fixes] == ["x = x.view(x.size(0), -1)"]
    fc1 = run.one("linear_in_features", "error")
    assert fc1.line == run.line("self.fc1 = nn.Linear(16 * 5 * 5, 120)")
    assert [fx.new.strip() for fx in fc1.fixes] == ["self.fc1 = nn.Linear(24 * 5 * 5, 120)"]


def test_cnn_16_400_fixed_in_one_round(cnn):
    assert_clean(cnn)
    assert len(cnn.runs) == 2, cnn.history()
    assert "torch.Size([16, 120])" in cnn.last.stdout


def test_cats_dogs_view_and_fc1_in_one_run(cats):
    run = cats.first
    assert run.report.status == "crashed"
    view = run.one("view_reshape", "error")
    assert view.line == run.line("x = x.view(-1, self._num_channels*4*8*8)")
    assert "[16,128,6,6]" in view.message and "[9,8192]" in view.message and "4608 = 128·6·6" in view.message
    assert [fx.new.strip() for fx in view.fixes] == ["x = x.view(x.size(0), -1)"]
    fc1 = run.one("linear_in_features", "error")
    assert fc1.line == run.line("self.fc1 = nn.Linear(self._num_channels*4*8*8, self._num_channels*8)")
    assert [fx.new.strip() for fx in fc1.fixes] == [
        "self.fc1 = nn.Linear(self._num_channels*4*6*6, self._num_channels*8)"]


def test_cats_dogs_accuracy_comparison_found_by_the_search_in_the_same_run(cats):
    # the layer fixes alone move the crash to the accuracy line; the repair search re-runs the
    # script with them, finds that second crash and validates the three edits together
    run = cats.first
    cmp = run.one("broadcasting", "error")
    assert cmp.line == run.line("running_acc.update(torch.sum(preds == targets).float(), BATCH_SIZE)")
    assert "[16]" in cmp.message and "[16,2]" in cmp.message
    assert [fx.new.strip() for fx in cmp.fixes] == [
        "running_acc.update(torch.sum(preds == targets.argmax(1)).float(), BATCH_SIZE)"]
    assert "runs clean" in cmp.message


def test_cats_dogs_runs_clean_after_fixing(cats):
    assert_clean(cats)
    assert len(cats.runs) == 2, cats.history()
    assert "Acc:" in cats.last.stdout


def test_cats_dogs_fixed_reports_mse_on_softmax_as_info(cats):
    last = cats.last
    info = last.one("loss_input_type", "info")
    assert info.line == last.line("loss = loss_function(outputs, targets)")
    assert "MSE" in info.message
