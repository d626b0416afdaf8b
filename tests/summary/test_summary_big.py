"""A Llama-2-70B-shaped model, built on the meta device, summarised on a small CPU machine: no
weight memory, exact parameter count and FLOPs."""
from __future__ import annotations

import os
import resource
import sys
import time

import pytest
import torch

from tensorsight import summary

sys.path.insert(0, os.path.dirname(__file__))
from llama_like import llama_70b  # noqa: E402

LLAMA2_70B_PARAMS = 68_976_648_192  # 32000 vocab, 8192 wide, 80 layers, 8 KV heads, 28672 MLP


def expected_flops(tokens: int, seq: int, layers=80, dim=8192, kv=1024, hidden=28672, vocab=32000, heads=64):
    linear = layers * (2 * dim * dim + 2 * dim * kv + 3 * dim * hidden) + dim * vocab
    attention = layers * 2 * (2 * heads * seq * seq * (dim // heads))  # q@k and p@v, per sequence
    return 2 * tokens * linear + (tokens // seq) * attention


def test_llama_70b_on_meta():
    with torch.device("meta"):
        model = llama_70b()
    start = time.perf_counter()
    s = summary(model, "1x128:long")
    elapsed = time.perf_counter() - start
    assert s.params == LLAMA2_70B_PARAMS == sum(p.numel() for p in model.parameters())
    assert s.flops == expected_flops(128, 128)
    assert s.total("param_bytes") == 4 * LLAMA2_70B_PARAMS  # 276 GB of float32, never allocated
    layers = [r for r in s.rows if r.type == "DecoderLayer"]
    assert len(layers) == 1 and layers[0].count == 80 and layers[0].name == "0-79"
    assert layers[0].params == 855_654_400
    assert "×80" in str(s)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 8 * 2**20  # KiB: under 8 GiB
    assert elapsed < 120  # about 10 s on an idle 2-core machine


@pytest.mark.skipif(not os.environ.get("TENSORSIGHT_SLOW"), reason="set TENSORSIGHT_SLOW=1 (about 15 s)")
def test_transformers_llama_70b_on_meta():
    transformers = pytest.importorskip("transformers")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    config = transformers.LlamaConfig(hidden_size=8192, intermediate_size=28672, num_hidden_layers=80,
                                      num_attention_heads=64, num_key_value_heads=8, vocab_size=32000)
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(config)
    s = summary(model, "1x128:long")
    assert s.params == LLAMA2_70B_PARAMS
    assert s.flops == expected_flops(128, 128)
    assert [r.count for r in s.rows if r.type == "LlamaDecoderLayer"] == [80]
