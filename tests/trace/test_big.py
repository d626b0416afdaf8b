"""Real architectures: GPT-2 small from a transformers config (nothing downloaded) compared op by
op with a real forward pass, and a Llama-2-70B-shaped model built on the meta device traced
without allocating its 69 billion weights."""
from __future__ import annotations

import os
import resource

import pytest
import torch

import tensorsight

from . import models as M
from .helpers import Snapshot, assert_same_events, real_trace, shapes

LLAMA2_70B_PARAMS = 68_976_648_192  # 32000 vocab, 8192 wide, 80 layers, 8 KV heads, 28672 MLP


@pytest.fixture(scope="module")
def transformers():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return pytest.importorskip("transformers")


def test_gpt2_small_matches_a_real_forward(transformers):
    with torch.device("meta"):  # 124M parameters: built in no time, no memory
        model = transformers.GPT2LMHeadModel(transformers.GPT2Config()).eval()
    assert sum(p.numel() for p in model.parameters()) == 124_439_808
    before = Snapshot.take(model)
    trace = tensorsight.trace(model, "1x16:long")
    before.check(model)
    assert [tuple(m.shape) for m in trace.outputs][0] == (1, 16, 50257)
    assert len(trace) > 300
    assert all(p.device.type == "meta" for p in model.parameters())

    # the real run: the same model with real (uninitialised) CPU weights; values do not matter
    model.to_empty(device="cpu")
    ids = torch.randint(0, 50257, (1, 16))
    with torch.no_grad():
        real, out = real_trace(model, (ids,))
    assert_same_events(trace, real)
    assert shapes(out.logits) == [(1, 16, 50257)]
    embedding = trace.find("embedding")[0]
    assert embedding.where.file.endswith(os.path.join("gpt2", "modeling_gpt2.py"))
    assert embedding.module == "transformer.wte"
    assert len({e.module for e in trace if e.module.endswith("attn.c_attn")}) == 12
    sdpa = trace.find("scaled_dot_product_attention")
    assert len(sdpa) == 12 and tuple(sdpa[0].outputs[0].shape) == (1, 12, 16, 64)


def test_llama_70b_on_meta_traces_without_allocating():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    with torch.device("meta"):
        model = M.Llama()
    assert sum(p.numel() for p in model.parameters()) == LLAMA2_70B_PARAMS
    trace = tensorsight.trace(model, "1x16:long")
    assert all(p.device.type == "meta" for p in model.parameters())
    assert tuple(trace.outputs[0].shape) == (1, 16, 32000)
    assert 2000 < len(trace) < 10000  # ~45 ops per layer, 80 layers
    layers = [m for m in trace.modules if m.type == "LlamaBlock"]
    assert len(layers) == 80 and layers[-1].path == "layers.79"
    sdpa = trace.find("scaled_dot_product_attention")
    assert len(sdpa) == 80 and tuple(sdpa[0].outputs[0].shape) == (1, 64, 16, 128)
    gate = trace.find("linear")[4]
    assert tuple(gate.inputs[1].shape) == (28672, 8192) and gate.inputs[1].role == "weight"
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 2**20
    assert grown < 2, f"peak memory grew by {grown:.1f} GiB: weights were allocated"  # 276 GB if they were


def test_small_llama_matches_a_real_forward():
    torch.manual_seed(0)
    model = M.Llama(vocab=64, dim=32, layers=2, heads=4, kv_heads=2, hidden=48)
    before = Snapshot.take(model)
    trace = tensorsight.trace(model, "2x8:long")
    before.check(model)
    real, out = real_trace(model, (torch.randint(0, 64, (2, 8)),))
    assert_same_events(trace, real)
    assert shapes(out) == [(2, 8, 64)]
