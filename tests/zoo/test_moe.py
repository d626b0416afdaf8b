"""Mixtral-8x7B- and Qwen2-MoE-shaped models (float32, on meta) trace, and their expert matmuls
(``torch._grouped_mm``, whose meta kernel accepts only bfloat16) get shapes and FLOPs."""
from __future__ import annotations

import logging
import os

import pytest
import torch

import tensorsight
from tensorsight.capture.kernels import flops_of_event

transformers = pytest.importorskip("transformers")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHAPES = {  # the real models' sizes, two layers of them
    "mixtral-8x7b": lambda: transformers.MixtralConfig(num_hidden_layers=2, use_cache=False),
    "qwen2-moe-a2.7b": lambda: transformers.Qwen2MoeConfig(num_hidden_layers=2, use_cache=False),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_moe_on_meta_traces_with_expert_flops(name, dtype):
    logging.disable(logging.WARNING)
    cfg = SHAPES[name]()
    with torch.device("meta"):
        model = transformers.AutoModelForCausalLM.from_config(cfg, dtype=dtype)
    tr = tensorsight.trace(model, "1x16:long")
    logging.disable(logging.NOTSET)
    assert tr.mode == "meta" and not tr.error
    assert tuple(tr.outputs[0].shape) == (1, 16, cfg.vocab_size)
    assert all(p.device.type == "meta" for p in model.parameters())
    experts = [e for e in tr if e.op.endswith("grouped_mm")]
    assert len(experts) == 2 * cfg.num_hidden_layers  # gate+up and down, per layer
    tokens = 16 * cfg.num_experts_per_tok  # each token goes to top-k experts
    inter = cfg.moe_intermediate_size if hasattr(cfg, "moe_intermediate_size") else cfg.intermediate_size
    for e in experts:
        assert e.outputs[0].dtype == str(dtype).removeprefix("torch.")
        a, b = e.inputs[0].shape, e.inputs[1].shape
        n_experts = getattr(cfg, "num_experts", None) or cfg.num_local_experts
        assert a[0] == tokens and b[0] == n_experts
        assert flops_of_event(e) == 2 * tokens * a[1] * e.outputs[0].shape[1]
    total = sum(flops_of_event(e) for e in experts)
    # per layer: gate+up (H -> 2I) and down (I -> H) for every routed token
    assert total == cfg.num_hidden_layers * 2 * tokens * (cfg.hidden_size * 2 * inter + inter * cfg.hidden_size)
