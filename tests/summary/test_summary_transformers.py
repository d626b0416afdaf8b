"""Parity on real architectures built from transformers config objects (nothing downloaded):
parameter counts equal the model's own, FLOPs equal FlopCounterMode on a real forward."""
from __future__ import annotations

import os

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

os.environ.setdefault("HF_HUB_OFFLINE", "1")
transformers = pytest.importorskip("transformers")

from tensorsight import summary  # noqa: E402
from tensorsight.analysis.summary import EXTRA_FLOP_FORMULAS  # noqa: E402


def own_params(model) -> int:
    return sum(p.numel() for p in model.parameters())  # shared (tied) parameters once


def real_flops(model, *args, plain=False, **kwargs) -> int:
    """FlopCounterMode on a real forward; unless ``plain``, with tensorsight's formulas for the
    CPU kernels torch has none for (attention on CPU counts 0 in plain FlopCounterMode)."""
    mapping = {} if plain else EXTRA_FLOP_FORMULAS
    with FlopCounterMode(display=False, custom_mapping=mapping) as counter, torch.no_grad():
        model(*args, **kwargs)
    return counter.get_total_flops()


def test_resnet50():
    torch.manual_seed(0)
    model = transformers.ResNetForImageClassification(transformers.ResNetConfig(num_labels=1000)).eval()
    s = summary(model, (1, 3, 64, 64), depth=None)
    assert s.params == own_params(model) == 25_557_032  # ResNet-50 with a 1000-class head
    x = torch.randn(1, 3, 64, 64)
    assert s.flops == real_flops(model, x) == real_flops(model, x, plain=True)
    # bottlenecks after the first of each stage collapse: stage 0 has 3 blocks, 1 + (2 collapsed)
    stage0 = [r for r in s.rows if r.path.startswith("resnet.encoder.stages.0.layers.") and r.type == "ResNetBottleNeckLayer"]
    assert [r.count for r in stage0] == [1, 2]


def test_bert_base():
    torch.manual_seed(0)
    model = transformers.BertModel(transformers.BertConfig()).eval()
    ids = torch.randint(0, 1000, (1, 16))
    s = summary(model, "1x16:long", attention_mask="1x16:long")
    assert s.params == own_params(model) == 109_482_240
    mask = torch.ones(1, 16, dtype=torch.long)
    assert s.flops == real_flops(model, ids, attention_mask=mask)
    assert s.quantity("flops").exact
    layers = [r for r in s.rows if r.type == "BertLayer"]
    assert len(layers) == 1 and layers[0].count == 12


def test_gpt2_small_tied_head():
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(transformers.GPT2Config()).eval()
    assert model.lm_head.weight is model.transformer.wte.weight
    s = summary(model, "1x16:long")
    assert s.params == own_params(model) == 124_439_808  # the tied lm_head counted once
    ids = torch.randint(0, 1000, (1, 16))
    assert s.flops == real_flops(model, ids)
    assert s.quantity("flops").exact
    assert s.row("lm_head").params == s.row("transformer.wte").params
    assert s.row("").outputs[0] == "f32[1,16,50257]"
