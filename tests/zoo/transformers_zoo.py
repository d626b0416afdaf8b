"""Hugging Face transformers architectures from small configs (nothing downloaded), with the
inputs a tokenizer or feature extractor would give them: a batch of two, the second one padded.

Every config is the architecture's default shrunk by one rule: each size field the config has
gets a small value of the same type (hidden 32, 2 layers, 2 heads, vocab 128, 32-pixel images).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SMALL = dict(
    hidden_size=32, num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=2, intermediate_size=64,
    vocab_size=128, max_position_embeddings=64, d_model=32, encoder_layers=2, decoder_layers=2,
    encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
    n_embd=32, n_layer=2, n_head=2, n_positions=64, n_ctx=64, num_layers=2, num_heads=2, d_ff=64, d_kv=16,
    image_size=32, patch_size=8, num_channels=3, hidden_sizes=[16, 32], depths=[1, 1], embed_dim=32,
    num_experts=4, num_local_experts=4, num_experts_per_tok=2, moe_intermediate_size=32,
    shared_expert_intermediate_size=32, head_dim=16, ffn_dim=64, state_size=8, time_step_rank=4,
    embedding_size=32, ffn_hidden_size=64, num_kv_heads=2, rotary_dim=8, attention_window=4,
    max_source_positions=64, max_target_positions=64, num_mel_bins=16, input_feat_per_channel=16,
    conv_dim=(16, 16), conv_stride=(5, 2), conv_kernel=(10, 3), num_conv_pos_embeddings=16,
    num_conv_pos_embedding_groups=2, rnn_type=None, kv_lora_rank=16, q_lora_rank=16,
    qk_rope_head_dim=8, qk_nope_head_dim=8, v_head_dim=16, n_routed_experts=4, n_shared_experts=1,
    first_k_dense_replace=1, n_group=1, topk_group=1, block_size=4, num_random_blocks=2,
    attention_head_size=16, layer_types=None, attn_layer_period=2, attn_layer_offset=1,
    expert_layer_period=2, expert_layer_offset=1, mamba_d_state=8, mamba_dt_rank=4, mamba_expand=2,
    hidden_act=None, sliding_window=None, num_global_attn=None, decoder_start_token_id=None,
)
TOKEN_IDS = ("pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id", "sep_token_id",
             "cls_token_id", "forced_eos_token_id", "start_token_id")


def small_config(model_type: str, **overrides):
    from transformers import AutoConfig
    base = AutoConfig.for_model(model_type)
    kw = {}
    for k, v in SMALL.items():
        if v is None or not hasattr(base, k):
            continue
        old = getattr(base, k)
        if type(old) is type(v) or (isinstance(old, (list, tuple)) and isinstance(v, (list, tuple))):
            if isinstance(old, (list, tuple)) and isinstance(v, (list, tuple)) and len(old) != len(v) and \
                    k in ("conv_dim", "conv_stride", "conv_kernel"):
                kw[k] = type(old)(v)
            else:
                kw[k] = type(old)(v) if isinstance(old, (list, tuple)) else v
    vocab = kw.get("vocab_size", getattr(base, "vocab_size", None))
    for k in TOKEN_IDS:
        tid = getattr(base, k, None)
        if isinstance(tid, int) and isinstance(vocab, int) and tid >= vocab:
            kw[k] = 1 if k != "pad_token_id" else 0
    kw["use_cache"] = False
    kw.update(overrides)
    return AutoConfig.for_model(model_type, **kw)


@dataclass
class Arch:
    model_type: str
    inputs: str = "text"          # text, seq2seq, vision, audio, features, speech
    overrides: dict = field(default_factory=dict)
    family: str = ""


def _arch(family: str, inputs: str, *types, **overrides):
    return [Arch(t, inputs, dict(overrides), family) for t in types]


ARCHES: list[Arch] = (
    _arch("encoder", "text", "bert", "roberta", "distilbert", "albert", "electra", "deberta", "deberta-v2",
          "xlm-roberta", "camembert", "mpnet", "convbert", "ernie", "layoutlm", "megatron-bert",
          "roformer", "squeezebert", "big_bird", "longformer", "nystromformer", "mobilebert",
          "data2vec-text", "rembert", "canine")
    + _arch("decoder", "text", "gpt2", "gptj", "gpt_neox", "opt", "bloom", "llama", "mistral", "qwen2",
            "qwen3", "gemma", "gemma2", "phi", "stablelm", "starcoder2", "olmo", "codegen", "ctrl", "biogpt",
            "mpt", "persimmon", "cohere", "granite", "gpt_bigcode", "xglm", "phi3", "olmo2",
            "gemma3_text", "helium", "glm")
    + _arch("moe", "text", "mixtral", "qwen2_moe", "qwen3_moe", "olmoe", "granitemoe", "jamba")
    + _arch("encoder-decoder", "seq2seq", "t5", "mt5", "bart", "mbart", "pegasus", "blenderbot", "led", "m2m_100",
            "marian", "plbart", "umt5", "longt5", "blenderbot-small", "bigbird_pegasus")
    + _arch("vision", "vision", "vit", "deit", "beit", "convnext", "resnet", "regnet", "dinov2", "data2vec-vision",
            "vit_msn", "yolos", "convnextv2", "mobilenet_v2")
    + _arch("audio", "audio", "wav2vec2", "hubert", "wavlm", "data2vec-audio", "sew", "unispeech")
    + _arch("audio", "speech", "speech_to_text")
    + _arch("audio", "features", "whisper")
    + _arch("state-space", "text", "mamba", "rwkv", "falcon_mamba")
)


def build(arch: Arch):
    from transformers import AutoModel
    cfg = small_config(arch.model_type, **arch.overrides)
    torch.manual_seed(0)
    return AutoModel.from_config(cfg), cfg


def inputs(arch: Arch, cfg) -> dict[str, torch.Tensor]:
    """What a tokenizer / image processor / feature extractor gives: batch 2, the 2nd padded."""
    g = torch.Generator().manual_seed(0)
    batch, length = 2, 8
    mask = torch.ones(batch, length, dtype=torch.long)
    mask[1, 5:] = 0
    vocab = getattr(cfg, "vocab_size", 128) or 128
    ids = torch.randint(3, min(vocab, 128), (batch, length), generator=g)
    ids[1, 5:] = getattr(cfg, "pad_token_id", None) or 0
    if arch.inputs == "text":
        return {"input_ids": ids, "attention_mask": mask}
    if arch.inputs == "seq2seq":
        dec = torch.randint(3, min(vocab, 128), (batch, 4), generator=g)
        return {"input_ids": ids, "attention_mask": mask, "decoder_input_ids": dec}
    if arch.inputs == "vision":
        size = getattr(cfg, "image_size", 32)
        size = size[0] if isinstance(size, (list, tuple)) else size
        return {"pixel_values": torch.randn(batch, getattr(cfg, "num_channels", 3), size, size, generator=g)}
    if arch.inputs == "audio":
        values = torch.randn(batch, 1600, generator=g)
        amask = torch.ones(batch, 1600, dtype=torch.long)
        amask[1, 1200:] = 0
        values[1, 1200:] = 0
        return {"input_values": values, "attention_mask": amask}
    if arch.inputs == "speech":
        feats = torch.randn(batch, 32, cfg.input_feat_per_channel * cfg.input_channels, generator=g)
        fmask = torch.ones(batch, 32, dtype=torch.long)
        fmask[1, 24:] = 0
        return {"input_features": feats, "attention_mask": fmask, "decoder_input_ids": ids[:, :4]}
    if arch.inputs == "features":
        feats = torch.randn(batch, cfg.num_mel_bins, 2 * cfg.max_source_positions, generator=g)
        return {"input_features": feats, "decoder_input_ids": ids[:, :4]}
    raise ValueError(arch.inputs)
