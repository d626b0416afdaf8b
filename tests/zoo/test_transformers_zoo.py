"""Trace real transformers architectures (small configs, padded batches) on every path — the
real copy, meta twins and fake twins — in eval and train mode: the trace succeeds, its output
shapes are those of a real forward, and the model comes out exactly as it went in (parameters
and their bytes, buffers, modes, torch/Python/numpy RNG, Python attributes; deepcopy and
torch.save still work)."""
from __future__ import annotations

import copy
import logging
import random
import warnings

import pytest
import torch

import tensorsight
from tensorsight.capture.fake import fake_repair, fake_trace, meta_trace

from .conftest import FULL, helpers

Snapshot, shapes = helpers.Snapshot, helpers.shapes

transformers = pytest.importorskip("transformers")
from .transformers_zoo import ARCHES, build, inputs  # noqa: E402

# one or two of each family, and every model the issue names as failing before
REPRESENTATIVE = {"bert", "distilbert", "deberta-v2", "longformer", "big_bird", "gpt2", "llama", "qwen2",
                  "bloom", "mixtral", "qwen2_moe", "t5", "bart", "whisper", "vit", "convnext", "wav2vec2",
                  "speech_to_text", "mamba", "rwkv", "jamba"}
CHOSEN = [a for a in ARCHES if FULL or a.model_type in REPRESENTATIVE]
PATHS = ("default", "meta", "fake")


def _real_shapes(model, kwargs):
    """Output shapes of a real forward on a copy, with every RNG put back."""
    import numpy as np
    states = torch.get_rng_state(), random.getstate(), np.random.get_state()
    try:
        with torch.no_grad():
            return shapes(copy.deepcopy(model)(**kwargs))
    finally:
        torch.set_rng_state(states[0])
        random.setstate(states[1])
        np.random.set_state(states[2])


def _trace(path: str, model, kwargs):
    if path == "default":
        return tensorsight.trace(model, **kwargs)
    if path == "meta":
        tr = meta_trace(model, (), kwargs)
        assert tr is not None, "the meta path gave up"
        return tr
    return fake_trace(model, (), kwargs, repair=fake_repair)


@pytest.fixture(autouse=True)
def _quiet():
    logging.disable(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("arch", CHOSEN, ids=lambda a: a.model_type)
def test_traces_on_every_path_and_leaves_the_model_as_it_was(arch, mode):
    model, cfg = build(arch)
    model.train(mode == "train")
    kwargs = inputs(arch, cfg)
    want = _real_shapes(model, kwargs)
    for path in PATHS:
        before = Snapshot.take(model)
        tr = _trace(path, model, kwargs)
        before.check(model)
        got = [tuple(m.shape) for m in tr.outputs]
        assert got == want, f"{path} path: outputs {got}, a real forward gives {want}"
        assert tr.events and not tr.error


@pytest.mark.parametrize("mode", ["eval", "train"])
@pytest.mark.parametrize("arch", CHOSEN, ids=lambda a: a.model_type)
def test_summary_counts_every_parameter_once_and_leaves_the_model_as_it_was(arch, mode):
    model, cfg = build(arch)
    kwargs = inputs(arch, cfg)
    before = Snapshot.take(model)
    result = tensorsight.summary(model, mode=mode, **kwargs)
    before.check(model)
    # tied weights (embeddings shared with the LM head) are one tensor: counted once
    unique = sum(p.numel() for p in {id(p): p for p in model.parameters()}.values())
    assert result.to_dict()["totals"]["params"]["value"] == unique
