"""tensorsight.summary on small models: parameters, FLOPs (against FlopCounterMode on a real
forward), memory, collapsing, depth, columns, JSON, and the model left untouched."""
from __future__ import annotations

import json
import os
import sys

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

import tensorsight
from tensorsight.analysis.summary import EXTRA_FLOP_FORMULAS, Summary, summary
from tensorsight.capture.guard import state_fingerprint
from tensorsight.errors import ForwardError, TensorsightError

sys.path.insert(0, os.path.dirname(__file__))
from llama_like import llama_tiny  # noqa: E402
from tiny_models import Broken, SmallCNN, TokenModel  # noqa: E402


def real_flops(model, *args, **kwargs) -> int:
    """FlopCounterMode on a real forward, with the formulas for the CPU kernels it lacks."""
    with FlopCounterMode(display=False, custom_mapping=EXTRA_FLOP_FORMULAS) as counter:
        model(*args, **kwargs)
    return counter.get_total_flops()


def plain_flops(model, *args, **kwargs) -> int:
    """FlopCounterMode as torch ships it (CPU attention and fused LSTM count 0)."""
    with FlopCounterMode(display=False) as counter:
        model(*args, **kwargs)
    return counter.get_total_flops()


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())  # parameters() already dedups tied weights


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
        self.fc = nn.Linear(16, 3)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        return self.fc(out[:, -1]), (h, c)


class DictNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.embed = nn.Embedding(10, 4)
        self.head = nn.Linear(4, 2)

    def forward(self, batch):
        img = self.conv(batch["image"]).mean((2, 3))
        txt = self.embed(batch["ids"]).mean(1)
        return {"logits": self.head(img + txt), "features": img}


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = nn.Linear(6, 6)
        self.unused = nn.Linear(6, 100)  # never called: still counted in totals
        self.out = nn.Linear(6, 2)

    def forward(self, x):
        return self.out(self.block(torch.relu(self.block(x))))


def make_lazy():
    return nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(), nn.LazyLinear(5))


# -- parity with the model's own counts and with FlopCounterMode --------------------------------
@pytest.mark.parametrize("train", [True, False])
def test_cnn_params_and_flops(train):
    torch.manual_seed(0)
    model = SmallCNN().train(train)
    s = summary(model, (2, 3, 16, 16))
    assert s.params == n_params(model) == s.row("").params
    assert s.flops == real_flops(model, torch.randn(2, 3, 16, 16))
    assert s.row("").flops == s.flops  # the root call holds everything
    # per-module: the same numbers FlopCounterMode gives per module
    with FlopCounterMode(display=False) as counter:
        model(torch.randn(2, 3, 16, 16))
    per = {k: sum(v.values()) for k, v in counter.get_flop_counts().items()}
    assert plain_flops(model, torch.randn(2, 3, 16, 16)) == s.flops  # no CPU-only kernels here
    assert s.quantity("flops").exact and s.macs == s.flops // 2
    assert s.row("conv1").flops == per["SmallCNN.conv1"]
    assert s.row("fc").flops == per["SmallCNN.fc"]
    assert s.row("blocks").flops == per["SmallCNN.blocks"]
    assert s.row("conv1").outputs == ["f32[2,8,16,16]"]
    assert s.row("conv1").output_bytes == 2 * 8 * 16 * 16 * 4


def test_lstm_tuple_outputs():
    torch.manual_seed(0)
    model = LSTMNet()
    s = summary(model, (4, 5, 8))
    assert s.params == n_params(model)
    x = torch.randn(4, 5, 8)
    assert s.flops == real_flops(model, x)
    assert plain_flops(model, x) == 2 * 4 * 3 * 16  # torch's CPU LSTM kernel counts 0 there
    # the fused CPU LSTM: input and hidden projections of 20 steps, two layers
    assert s.row("lstm").flops == 2 * 20 * 64 * (8 + 16) + 2 * 20 * 64 * (16 + 16)
    assert s.row("lstm").outputs == ["f32[4,5,16]", "f32[2,4,16]", "f32[2,4,16]"]
    assert s.outputs == ["f32[4,3]", "f32[2,4,16]", "f32[2,4,16]"]
    assert any("lstm" in n and "FlopCounterMode" in n for n in s.notes)  # said where the numbers differ


def test_gru_counted_by_flopcounter_itself():
    model = nn.GRU(8, 16, batch_first=True)
    s = summary(model, (4, 5, 8))
    assert s.flops == plain_flops(model, torch.randn(4, 5, 8)) == real_flops(model, torch.randn(4, 5, 8))
    assert not s.notes


def test_dict_input_and_dict_output():
    model = DictNet()
    s = summary(model, {"image": (2, 3, 8, 8), "ids": "2x5:long"})
    assert s.inputs == ["f32[2,3,8,8]", "i64[2,5]"]
    assert s.params == n_params(model)
    batch = {"image": torch.randn(2, 3, 8, 8), "ids": torch.zeros(2, 5, dtype=torch.long)}
    assert s.flops == real_flops(model, batch)
    assert s.row("").outputs == ["f32[2,2]", "f32[2,4]"]


def test_token_ids_kwargs_and_tied_weights():
    model = TokenModel()
    s = summary(model, "2x7:long", mask="2x7")
    assert s.params == 100 * 16 == n_params(model)  # the tied head weight counts once
    assert s.row("head").params == 1600
    assert s.inputs == ["i64[2,7]", "f32[2,7]"]
    ids = torch.randint(0, 100, (2, 7))
    assert s.flops == real_flops(model, ids, mask=torch.ones(2, 7))
    # tensors work as well as shapes
    assert summary(model, ids, mask=torch.ones(2, 7)).flops == s.flops


def test_lazy_model_stays_lazy():
    from torch.nn.parameter import UninitializedParameter
    torch.manual_seed(0)
    model = make_lazy()
    before = {n: type(p) for n, p in model.named_parameters()}
    s = summary(model, (2, 3, 8, 8))
    assert {n: type(p) for n, p in model.named_parameters()} == before
    assert isinstance(model[0].weight, UninitializedParameter)
    assert type(model[0]).__name__ == "LazyConv2d"
    reference = make_lazy()
    reference(torch.randn(2, 3, 8, 8))  # materialise a twin for real
    assert s.params == n_params(reference) == 4 * 3 * 9 + 4 + 8 + 4 * 6 * 6 * 5 + 5
    assert s.flops == real_flops(reference, torch.randn(2, 3, 8, 8))
    assert any("lazy" in n for n in s.notes)


def test_meta_model():
    torch.manual_seed(0)
    real = llama_tiny()
    with torch.device("meta"):
        meta = llama_tiny()
    assert all(p.is_meta for p in meta.parameters())
    s = summary(meta, "2x9:long")
    assert s.params == n_params(real)
    ids = torch.randint(0, 64, (2, 9))
    assert s.flops == real_flops(real, ids)
    # scaled_dot_product_attention on CPU: FlopCounterMode counts 0, we count q@k and p@v
    assert s.flops - plain_flops(real, ids) == 3 * 2 * (2 * 2 * 4 * 9 * 9 * 8)
    assert all(p.is_meta for p in meta.parameters())


def test_model_untouched():
    model = SmallCNN().train()
    before = state_fingerprint(model)
    bn = model.bn1.running_mean.clone()
    summary(model, (2, 3, 16, 16))
    assert state_fingerprint(model) == before
    assert torch.equal(model.bn1.running_mean, bn)


def test_shared_module_and_uncalled_module():
    model = Shared()
    s = summary(model, (3, 6), collapse=False)
    assert s.params == n_params(model) == 42 + 700 + 14
    assert s.total("uncalled_params") == 700
    assert any("unused" in n for n in s.notes)
    block_rows = [r for r in s.calls if r.path == "block"]
    assert len(block_rows) == 2 and not block_rows[0].repeat and block_rows[1].repeat
    assert s.row("").params == s.params
    assert s.flops == real_flops(model, torch.randn(3, 6))


def test_trainable_and_dtypes():
    model = SmallCNN()
    model.conv1.requires_grad_(False)
    s = summary(model, (1, 3, 8, 8))
    assert s.trainable_params == n_params(model) - 224
    assert s.total("non_trainable") == 224
    assert s.row("conv1").trainable == 0 and s.row("conv1").params == 224
    assert s.param_bytes_by_dtype == {"float32": 4 * n_params(model)}
    model.double()
    s = summary(model, "1x3x8x8:double")
    assert s.param_bytes_by_dtype == {"float64": 8 * n_params(model)}
    assert s.row("fc").outputs == ["f64[1,10]"]


# -- rows: collapsing, depth, columns --------------------------------------------------------------
def test_repeated_blocks_collapse():
    s = summary(SmallCNN(), (1, 3, 8, 8), depth=None)
    rows = [r for r in s.rows if r.type == "Sequential" and r.depth == 2]
    assert len(rows) == 1 and rows[0].count == 3 and rows[0].name == "0-2"
    assert rows[0].paths == ["blocks.0", "blocks.1", "blocks.2"]
    assert len([r for r in s.rows if r.path.startswith("blocks.1")]) == 0
    full = summary(SmallCNN(), (1, 3, 8, 8), depth=None, collapse=False)
    assert len([r for r in full.rows if r.type == "Sequential" and r.depth == 2]) == 3
    assert len(full.rows) == len(full.calls)


def test_depth():
    model = SmallCNN()
    assert [r.depth for r in summary(model, (1, 3, 8, 8), depth=0).rows] == [0]
    assert max(r.depth for r in summary(model, (1, 3, 8, 8), depth=1).rows) == 1
    assert max(r.depth for r in summary(model, (1, 3, 8, 8), depth=None).rows) == 3
    with pytest.raises(TensorsightError):
        summary(model, (1, 3, 8, 8), depth=-1)


def test_columns_and_text():
    s = summary(SmallCNN(), (1, 3, 8, 8), columns="input,output,params,percent,trainable,kernel,flops,memory,alloc")
    text = str(s)
    for header in ("Input shape", "Output shape", "Params", "Params %", "Trainable", "Kernel", "FLOPs",
                   "Output bytes", "Allocated"):
        assert header in text
    assert "3x3" in text and "×3" in text and "Totals" in text and "estimated" in text
    assert "├─ conv1: Conv2d" in text and "2,082" in text
    with pytest.raises(TensorsightError, match="unknown column"):
        summary(SmallCNN(), (1, 3, 8, 8), columns=["output", "bogus"])
    with pytest.raises(TensorsightError, match="optimizer"):
        summary(SmallCNN(), (1, 3, 8, 8), optimizer="lion9000")
    assert "Sequential" in repr(summary(nn.Sequential(nn.Linear(2, 2)), (1, 2)))


def test_json():
    s = summary(SmallCNN(), (2, 3, 16, 16))
    d = json.loads(s.to_json())
    assert d["model"] == "SmallCNN" and d["inputs"] == ["f32[2,3,16,16]"]
    assert d["totals"]["params"]["value"] == s.params and d["totals"]["params"]["exact"] is True
    assert d["totals"]["training_bytes"]["exact"] is False
    assert d["totals"]["flops"]["value"] == s.flops
    paths = [r["path"] for r in d["rows"]]
    assert paths[:3] == ["", "conv1", "bn1"]
    collapsed = [r for r in d["rows"] if r["count"] > 1]
    assert collapsed and collapsed[0]["paths"] == ["blocks.0", "blocks.1", "blocks.2"]


def test_memory_totals():
    model = SmallCNN()
    s = summary(model, (2, 3, 16, 16))
    params = 4 * n_params(model)
    assert s.total("param_bytes") == params
    assert s.total("buffer_bytes") == 4 * 8 * 2 + 8  # running mean/var + num_batches_tracked
    assert s.total("input_bytes") == 2 * 3 * 16 * 16 * 4
    assert s.total("output_bytes") == 2 * 10 * 4
    fwd = s.total("forward_bytes")
    # at least every module output that is a fresh tensor, e.g. the four conv outputs
    assert fwd >= 4 * 2 * 8 * 16 * 16 * 4
    assert s.total("training_bytes") == params + s.total("buffer_bytes") + params + 2 * params + fwd
    sgd = summary(model, (2, 3, 16, 16), optimizer="sgd")
    assert sgd.total("training_bytes") == s.total("training_bytes") - 2 * params


def test_forward_error():
    with pytest.raises(ForwardError) as info:
        summary(Broken(), (2, 16))
    assert info.value.trace.events[-1].error
    with pytest.raises(TensorsightError):
        summary(lambda x: x, (2, 2))


def test_lazy_export():
    assert tensorsight.summary is summary
    assert isinstance(tensorsight.summary(nn.Linear(3, 4), (2, 3)), Summary)


def test_functional_model_ops_counted():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(8, 8))

        def forward(self, x):  # no submodules: only functional ops
            y = x @ self.w
            att = torch.softmax(y @ y.transpose(-1, -2), -1) @ y
            return F.scaled_dot_product_attention(att, att, att)

    model = Functional()
    s = summary(model, (2, 2, 5, 8))  # 4-d: the CPU flash-attention kernel
    x = torch.randn(2, 2, 5, 8)
    assert s.flops == real_flops(model, x) > plain_flops(model, x) > 0
    assert s.params == 64


def test_one_module_called_repeatedly_collapses():
    class Albertish(nn.Module):  # one layer applied 4 times: weights shared across depth
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(8, 8)

        def forward(self, x):
            for _ in range(4):
                x = self.layer(x)
            return x

    s = summary(Albertish(), (2, 8))
    rows = [r for r in s.rows if r.path == "layer"]
    assert len(rows) == 1 and rows[0].count == 4 and rows[0].same_module
    assert "layer: Linear ×4 calls" in str(s)
    assert s.params == 72 and s.flops == 4 * 2 * 2 * 8 * 8
