"""The models of the peer benchmark, built from code or from transformers config objects.

Nothing is downloaded: transformers models come from their config classes (``HF_HUB_OFFLINE=1``)
with the shapes of the published checkpoints, and random (or no) weights. No torchvision: ResNet-50
and ViT-B/16 are transformers' ``ResNetForImageClassification`` / ``ViTForImageClassification``.

Each model has:

* ``build(device)`` - the model on ``"cpu"`` (real, randomly initialised weights, as the peers need)
  or on ``"meta"`` (shapes only: what tensorsight needs; nothing allocated).
* ``spec`` - the example input as tensorsight takes it (``"1x3x224x224"``, ``"1x128:long"``).
* ``real_input()`` - a real tensor of that shape for the peers (token ids below the vocabulary).
* ``params`` - the parameter count of the published architecture, used before anything is built to
  decide whether real weights fit (float32: 4 bytes each). The table shows the count the build
  reports.
* ``group`` - ``"peer"``: the peer table (published shapes); ``"small_transformers"``: tiny
  configurations of common transformers architectures (2 layers, width 64, 1,000-token vocabulary,
  32 tokens), the size of a unit test or a tutorial, where a tool's fixed costs decide its time.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

ROOT = Path(__file__).resolve().parents[1]
SEQ = 128  # tokens of the language-model inputs


@dataclass(frozen=True)
class ModelSpec:
    name: str
    label: str
    params: int                      # published architecture's parameter count (approximate)
    spec: str                        # tensorsight's example input
    factory: Callable[[], object]    # builds under the current default device
    vocab: int = 0                   # token-id inputs: ids drawn below this
    group: str = "peer"

    @property
    def weight_bytes(self) -> int:
        return 4 * self.params

    def build(self, device: str = "cpu"):
        import torch
        with torch.device(device):
            model = self.factory()
        model.eval()
        return model

    def prepare(self) -> None:
        """Import what the build needs (not part of the build's time)."""
        prep = getattr(self.factory, "prepare", None)
        if prep is not None:
            prep()

    def real_input(self):
        import torch
        dims = tuple(int(d) for d in self.spec.split(":")[0].split("x"))
        if self.vocab:
            g = torch.Generator().manual_seed(0)
            return torch.randint(0, self.vocab, dims, generator=g)
        return torch.randn(dims, generator=torch.Generator().manual_seed(0))


def _lenet():
    import sys
    sys.path.insert(0, str(ROOT / "examples"))
    from lenet import Net
    return Net()


class _HF:
    """``transformers.<cls>(transformers.<config>(**kwargs))``; ``prepare()`` imports the modeling
    code (transformers loads it lazily on first attribute access) so that it is not timed as the
    build."""

    def __init__(self, cls: str, config: str, **kwargs):
        self.cls, self.config, self.kwargs = cls, config, kwargs

    def prepare(self):
        import transformers
        return getattr(transformers, self.cls), getattr(transformers, self.config)

    def __call__(self):
        cls, config = self.prepare()
        return cls(config(**self.kwargs))


_resnet50 = _HF("ResNetForImageClassification", "ResNetConfig", num_labels=1000)  # [3,4,6,3] bottlenecks
_vit_b16 = _HF("ViTForImageClassification", "ViTConfig", num_labels=1000)  # 768 wide, 12 layers, 16x16
_bert_base = _HF("BertModel", "BertConfig")                                    # bert-base-uncased
_gpt2 = _HF("GPT2LMHeadModel", "GPT2Config")                                   # gpt2 (124 M)


def _llama(**shape):
    return _HF("LlamaForCausalLM", "LlamaConfig", **shape)


# Llama-3.2-1B, Llama-2-7B and Llama-2-70B shapes
LLAMA_1B = dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=True)
LLAMA_7B = dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
                num_key_value_heads=32, vocab_size=32000)
LLAMA_70B = dict(hidden_size=8192, intermediate_size=28672, num_hidden_layers=80, num_attention_heads=64,
                 num_key_value_heads=8, vocab_size=32000)

# tiny configurations: 2 layers, width 64, 4 heads, a 1,000-token vocabulary, 32 tokens in
TINY = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128, vocab_size=1000)
SEQ_TINY = 32
_TINY_MODELS = [
    ("bert_tiny", "BERT (tiny)", "BertModel", "BertConfig", TINY),
    ("distilbert_tiny", "DistilBERT (tiny)", "DistilBertModel", "DistilBertConfig",
     dict(dim=64, n_layers=2, n_heads=4, hidden_dim=128, vocab_size=1000)),
    ("gpt2_tiny", "GPT-2 (tiny)", "GPT2Model", "GPT2Config",
     dict(n_embd=64, n_layer=2, n_head=4, vocab_size=1000, n_positions=128)),
    ("llama_tiny", "Llama (tiny)", "LlamaModel", "LlamaConfig", dict(TINY, num_key_value_heads=2)),
    ("t5_tiny", "T5 encoder (tiny)", "T5EncoderModel", "T5Config",
     dict(d_model=64, d_kv=16, d_ff=128, num_layers=2, num_heads=4, vocab_size=1000)),
]

MODELS: dict[str, ModelSpec] = {m.name: m for m in [
    ModelSpec("lenet", "LeNet (tutorial)", 81_194, "1x1x32x32", _lenet),
    ModelSpec("resnet50", "ResNet-50", 25_557_032, "1x3x224x224", _resnet50),
    ModelSpec("vit_b16", "ViT-B/16", 86_567_656, "1x3x224x224", _vit_b16),
    ModelSpec("bert_base", "BERT-base", 109_482_240, f"1x{SEQ}:long", _bert_base, vocab=30522),
    ModelSpec("gpt2", "GPT-2 small", 124_439_808, f"1x{SEQ}:long", _gpt2, vocab=50257),
    ModelSpec("llama_1b", "Llama-3.2-1B shape", 1_235_814_400, f"1x{SEQ}:long", _llama(**LLAMA_1B),
              vocab=128256),
    ModelSpec("llama_7b", "Llama-2-7B shape", 6_738_415_616, f"1x{SEQ}:long", _llama(**LLAMA_7B),
              vocab=32000),
    ModelSpec("llama_70b", "Llama-2-70B shape", 68_976_648_192, f"1x{SEQ}:long", _llama(**LLAMA_70B),
              vocab=32000),
] + [ModelSpec(name, label, 300_000, f"1x{SEQ_TINY}:long", _HF(cls, config, **kw), vocab=1000,
               group="small_transformers") for name, label, cls, config, kw in _TINY_MODELS]}
PEER_MODELS = [m for m, s in MODELS.items() if s.group == "peer"]
SMALL_TRANSFORMERS = [m for m, s in MODELS.items() if s.group == "small_transformers"]
