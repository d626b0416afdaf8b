"""The Python API: ``with tensorsight.explain(): ...`` and ``with tensorsight.watch() as s: ...``."""
from __future__ import annotations

import inspect
import io
import warnings

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import tensorsight


def here(marker: str) -> int:
    """Line number (in this file) of the unique line containing ``marker``."""
    lines = inspect.getsource(inspect.getmodule(here)).split("\n")
    hits = [i + 1 for i, text in enumerate(lines) if marker in text and "here(" not in text]
    assert len(hits) == 1, (marker, hits)
    return hits[0]


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 10, 3)
        self.fc = nn.Linear(10 * 5 * 5, 4)  # API-FC

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return self.fc(x.flatten(1))


def test_explain_reraises_the_original_exception_with_a_note():
    torch.manual_seed(0)
    stream = io.StringIO()
    with pytest.raises(RuntimeError) as info:
        with tensorsight.explain(stream=stream):
            model = Pooler()
            model(torch.randn(2, 3, 16, 16))
    exc = info.value
    assert type(exc) is RuntimeError
    assert str(exc) == "mat1 and mat2 shapes cannot be multiplied (2x490 and 250x4)"
    notes = "\n".join(getattr(exc, "__notes__", []))
    assert "[linear_in_features]" in notes
    assert f"test_api.py:{here('# API-FC')}:" in notes, notes
    assert "490 = 10·7·7" in notes
    assert "nn.Linear(10 * 7 * 7, 4)" in notes, notes
    assert "[linear_in_features]" not in stream.getvalue(), "explain() leaves the printing to the traceback"


def test_explain_model_built_before_the_block():
    torch.manual_seed(0)
    model = Pooler()
    with pytest.raises(RuntimeError) as info:
        with tensorsight.explain(stream=io.StringIO()):
            model(torch.randn(2, 3, 16, 16))
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert f"test_api.py:{here('# API-FC')}:" in notes, notes
    assert "nn.Linear(10 * 7 * 7, 4)" in notes, notes


def test_explain_passes_other_exceptions_through_untouched():
    with pytest.raises(KeyError) as info:
        with tensorsight.explain(stream=io.StringIO()):
            nn.Linear(3, 3)(torch.ones(1, 3))
            {}["lr"]
    assert not getattr(info.value, "__notes__", None)


def test_explain_without_an_exception_is_silent():
    stream = io.StringIO()
    with tensorsight.explain(stream=stream) as session:
        y = nn.Linear(4, 2)(torch.ones(3, 4))
    assert y.shape == (3, 2)
    assert stream.getvalue() == ""
    assert not [f for f in session.findings if f.severity == "error"]


def _one_photo():
    return torch.rand(3, 20, 20)


def test_explain_missing_batch_axis_fix_lands_in_the_with_block():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    net.eval()
    with pytest.raises(ValueError) as info:
        with tensorsight.explain(stream=io.StringIO()):
            image = _one_photo()  # API-PHOTO
            net(image)
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "[batch_dim_changed]" in notes
    assert f"test_api.py:{here('# API-PHOTO')}" in notes, notes
    assert "_one_photo().unsqueeze(0)" in notes, notes


def test_watch_collects_silent_findings():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(12, 5), torch.randn(12)
    stream = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with tensorsight.watch(stream=stream) as session:
            for _ in range(2):
                loss = F.mse_loss(model(x), y)  # API-MSE
                opt.zero_grad()
                loss.backward()
                opt.step()
    hits = [f for f in session.findings if f.category == "loss_target_shape"]
    assert len(hits) == 1, session.findings
    f = hits[0]
    assert f.severity == "warning" and f.line == here("# API-MSE")
    assert "[12,1]" in f.message and "[12]" in f.message and "[12,12]" in f.message
    # model(x) is an expression: squeezing it runs it once (view_as(model(x)) would run it twice)
    assert f.fixes and "F.mse_loss(model(x).squeeze(-1), y)" in f.fixes[0].new
    assert "loss_target_shape" in stream.getvalue()


def test_watch_on_clean_training_has_no_findings():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 3))
    opt = torch.optim.Adam(model.parameters())
    x, y = torch.randn(12, 5), torch.randint(0, 3, (12,))
    stream = io.StringIO()
    with tensorsight.watch(stream=stream) as session:
        for _ in range(3):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    assert not [f for f in session.findings if f.severity in ("error", "warning")], session.findings
    assert stream.getvalue() == ""


def test_watch_max_steps_stops_the_loop():
    from tensorsight.diagnose.run.watch import StopRun
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    steps = 0
    try:
        with tensorsight.watch(max_steps=3, stream=io.StringIO()):
            for _ in range(100):
                opt.zero_grad()
                model(torch.ones(4, 2)).sum().backward()
                opt.step()
                steps += 1
    except StopRun:  # today it escapes the with block (a BaseException, so `except Exception` cannot eat it)
        pass
    assert steps == 2  # the third step stops from its post-hook


def test_watch_prints_only_to_its_stream(capsys):
    model = nn.Linear(3, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(6, 3), torch.randn(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with tensorsight.watch(stream=io.StringIO()):
            opt.zero_grad()
            F.mse_loss(model(x), y).backward()
            opt.step()
    assert "tensorsight" not in capsys.readouterr().err
