"""The paths that keep a first call cheap give what the slow paths give.

* A small model built on the meta device runs on CPU zeros (the real path): same shapes as the
  meta path, the model stays on meta, value reads say they were taken on zeros, and no Python
  meta kernel runs (their first use imports torch._dynamo, ~1 s).
* The meta-tensor rules of capture.kernels for relu and batch_norm: eager's output layout,
  autograd and error messages.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import tensorsight
from tensorsight.capture.fake import meta_trace
from tensorsight.capture.inputs import normalize_example
from tensorsight.capture.kernels import META_RULES

ROOT = Path(__file__).resolve().parents[2]  # the subprocess runs where pytest does


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 6 * 6, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
        return self.fc(x.flatten(1))


def _on_meta(cls):
    with torch.device("meta"):
        return cls()


def test_small_meta_model_takes_the_real_path_and_stays_on_meta():
    model = _on_meta(SmallCNN)
    tr = tensorsight.trace(model, (2, 1, 14, 14))
    assert tr.mode == "real"
    assert all(p.is_meta for p in model.parameters()) and all(b.is_meta for b in model.buffers())
    meta = meta_trace(model, normalize_example((2, 1, 14, 14)), {})
    assert [(e.op, [m.shape for m in e.outputs]) for e in tr] == [(e.op, [m.shape for m in e.outputs]) for e in meta]
    assert {m.device for e in tr for m in e.outputs} == {"cpu"}


def test_value_read_on_meta_weights_says_zeros():
    class Gate(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            if self.lin.weight.abs().sum() > 0:  # zeros in place of meta weights: not taken
                return self.lin(x) * 2
            return self.lin(x)
    tr = tensorsight.trace(_on_meta(Gate), (1, 3))
    assert tr.mode == "real" and tr.outputs[0].shape == (1, 3)
    assert tr.assumed and all("zero" in a for a in tr.assumed)
    assert not any(e.op == "Tensor.__mul__" for e in tr)


def test_first_trace_and_summary_of_a_small_meta_model_import_no_dynamo():
    code = textwrap.dedent("""
        import sys, torch, torch.nn as nn
        import tensorsight
        with torch.device("meta"):
            model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                  nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
        tensorsight.trace(model, (2, 1, 14, 14))
        tensorsight.summary(model, (2, 1, 14, 14))
        print("dynamo" if "torch._dynamo" in sys.modules else "no dynamo")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=str(ROOT))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "no dynamo"


# -- the meta rules against eager ------------------------------------------------------------------
def _bn(x_shape, c_stats=4, c_w=4, c_b=4, training=False, grad=False, channels_last=False, stats=True):
    def run(d):
        x = torch.zeros(*x_shape, device=d)
        if channels_last:
            x = x.to(memory_format=torch.channels_last)
        rm = torch.zeros(c_stats, device=d) if stats else None
        rv = torch.ones(c_stats, device=d) if stats else None
        w = torch.ones(c_w, device=d, requires_grad=grad)
        return F.batch_norm(x, rm, rv, w, torch.zeros(c_b, device=d), training)
    return run


CASES = {
    "relu": lambda d: F.relu(torch.zeros(2, 4, device=d)),
    "relu long": lambda d: F.relu(torch.zeros(2, 4, device=d, dtype=torch.long)),
    "relu bool": lambda d: F.relu(torch.zeros(2, 4, device=d, dtype=torch.bool)),
    "relu grad": lambda d: F.relu(torch.zeros(2, 4, device=d, requires_grad=True)),
    "relu transposed": lambda d: F.relu(torch.zeros(4, 2, device=d).t()),
    "relu in place on a leaf": lambda d: F.relu(torch.zeros(2, 4, device=d, requires_grad=True), inplace=True),
    "relu in place": lambda d: F.relu(torch.zeros(2, 4, device=d, requires_grad=True) * 2, inplace=True),
    "Tensor.relu_": lambda d: torch.zeros(2, 4, device=d).relu_(),
    "batch_norm": _bn((2, 4, 3, 3)),
    "batch_norm 2-D": _bn((2, 4)),
    "batch_norm grad channels_last": _bn((2, 4, 3, 3), grad=True, channels_last=True),
    "batch_norm running_mean": _bn((2, 4, 3, 3), c_stats=5),
    "batch_norm weight": _bn((2, 4, 3, 3), c_w=5),
    "batch_norm bias": _bn((2, 4, 3, 3), c_b=5),
    "batch_norm training, one value": _bn((1, 4), training=True),
    "batch_norm eval, no stats": _bn((2, 4, 3), stats=False),
}


def _outcome(fn, device: str, rules: bool) -> str:
    class Rules(torch.overrides.TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            rule = META_RULES.get(func)
            out = rule(func, args, kwargs or {}) if rule is not None else None
            return out if out is not None else func(*args, **(kwargs or {}))
    try:
        if rules:
            with Rules():
                out = fn(device)
        else:
            out = fn(device)
    except Exception as exc:  # noqa: BLE001 - the message is what is compared
        return f"{type(exc).__name__}: {exc}"
    return f"{tuple(out.shape)} {out.dtype} {out.stride()} requires_grad={out.requires_grad}"


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("grad_mode", [True, False])
def test_meta_rules_match_eager(case, grad_mode):
    with torch.set_grad_enabled(grad_mode):
        assert _outcome(CASES[case], "meta", rules=True) == _outcome(CASES[case], "cpu", rules=False)
