"""Golden tables (torchinfo style): ``to_text(trace.table(), width=140)`` of a few models, with
paths made relative and trailing spaces dropped. Regenerate with ``pytest tests/trace --update-golden``."""
from __future__ import annotations

import os
import re

import pytest
import torch

import tensorsight
from tensorsight.errors import ForwardError
from tensorsight.render.text import to_text

from . import models as M
from .buggy_net import Buggy
from .test_models import ROOT, example

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def seeded(factory):
    torch.manual_seed(0)
    return factory()


def traced(model, example_, **kwargs):
    try:
        return tensorsight.trace(model, example_, **kwargs)
    except ForwardError as exc:  # a failing model's golden table is its partial trace
        return exc.trace


MODELS = {
    "lenet": lambda: traced(seeded(lambda: example("lenet").Net()), (1, 1, 32, 32)),
    "cats_dogs": lambda: traced(seeded(lambda: example("cats_dogs").Net(num_channels=32)), (16, 1, 50, 50)),
    "resnet_block": lambda: traced(seeded(lambda: M.TinyResNet().eval()), (2, 3, 16, 16)),
    "unet_cat": lambda: traced(seeded(M.UNetish), (1, 1, 16, 16)),
    "lstm_tagger": lambda: traced(seeded(M.LSTMTagger), "7:long"),
    "transformer_encoder": lambda: traced(seeded(lambda: M.Encoder(True).eval()), (2, 5, 16)),
    "forward_kwargs": lambda: traced(seeded(M.KwargsForward), (2, 4, 8), mask=tensorsight.shape((2, 4, 4)), scale=0.5),
    "dict_input": lambda: traced(seeded(M.DictInput), {"image": (2, 3, 8, 8), "tokens": "2x5:long"}),
    "data_dependent": lambda: traced(seeded(M.DataDependent), (4, 3)),
    "buggy": lambda: traced(seeded(Buggy), (2, 8)),
}


def normalize(text: str) -> str:
    """Machine-independent: no absolute paths, no trailing spaces."""
    for prefix in (ROOT + os.sep, os.path.dirname(torch.__file__) + os.sep):
        text = text.replace(prefix, "")
    text = re.sub(r"0x[0-9a-f]{6,}", "0x…", text)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_golden_table(name, update_golden):
    text = normalize(to_text(MODELS[name]().table(), width=140))
    path = os.path.join(GOLDEN, f"{name}.txt")
    if update_golden or not os.path.exists(path):
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if not update_golden:
            pytest.fail(f"wrote missing golden file {os.path.relpath(path, ROOT)}; check it and run again")
        return
    with open(path, encoding="utf-8") as f:
        want = f.read()
    assert text == want, (f"{name}: the table differs from {os.path.relpath(path, ROOT)}; if the change is "
                          f"intended, run pytest tests/trace --update-golden and review the diff")


def test_golden_files_have_no_absolute_paths():
    for name in sorted(MODELS):
        path = os.path.join(GOLDEN, f"{name}.txt")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            assert ROOT not in text and "site-packages" not in text and "/home/" not in text


def test_no_stale_golden_files():
    if os.path.isdir(GOLDEN):
        assert sorted(f[:-4] for f in os.listdir(GOLDEN) if f.endswith(".txt")) == sorted(MODELS)
