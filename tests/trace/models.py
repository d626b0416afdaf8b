"""Models the tracer's tests trace: varied architectures, inputs and outputs.

Each is small enough to run for real in milliseconds, so every fake shape can be compared with
a real forward pass.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


class BNDropCNN(nn.Module):
    """Conv-BatchNorm-ReLU blocks with Dropout2d/Dropout, traced in train mode."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Dropout2d(0.25),
            nn.Conv2d(8, 16, 3, stride=2), nn.BatchNorm2d(16), nn.ReLU(),
        )
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(16 * 7 * 7, classes)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        x = F.dropout(x, 0.1, self.training)
        return self.head(self.drop(x))


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        return F.relu(out)


class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.layer1 = BasicBlock(8, 8)
        self.layer2 = BasicBlock(8, 16, stride=2)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = self.layer2(self.layer1(self.stem(x)))
        return self.fc(self.pool(x).flatten(1))


class LSTMTagger(nn.Module):
    """The PyTorch tutorial tagger: embeddings, an LSTM over the sentence, tag scores."""

    def __init__(self, vocab: int = 20, emb: int = 6, hidden: int = 8, tags: int = 3):
        super().__init__()
        self.embeddings = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden)
        self.hidden2tag = nn.Linear(hidden, tags)

    def forward(self, sentence):
        embeds = self.embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)


class LSTMTuple(nn.Module):
    """Returns what nn.LSTM returns: (out, (h, c))."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 6, num_layers=2, batch_first=True, bidirectional=True)

    def forward(self, x):
        return self.lstm(x)


class Encoder(nn.Module):
    def __init__(self, batch_first: bool):
        super().__init__()
        self.batch_first = batch_first
        self.layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, dropout=0.1,
                                                batch_first=batch_first)

    def forward(self, x):
        return self.layer(x)


class UNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.down1 = nn.Conv2d(1, 4, 3, padding=1)
        self.down2 = nn.Conv2d(4, 8, 3, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.fuse = nn.Conv2d(8, 4, 3, padding=1)
        self.out = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        d1 = F.relu(self.down1(x))
        d2 = F.relu(self.down2(F.max_pool2d(d1, 2)))
        u = self.up(d2)
        x = torch.cat([u, d1], dim=1)
        x = F.relu(self.fuse(x))
        x = F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=False)
        return self.out(x)


class BagOfEmbeddings(nn.Module):
    """Token ids (2x16:long) → mean of embeddings → class scores."""

    def __init__(self, vocab: int = 50, dim: int = 12):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=0)
        self.pos = nn.Parameter(torch.zeros(1, 16, dim))
        self.norm = nn.LayerNorm(dim)
        self.cls = nn.Linear(dim, 4)

    def forward(self, ids):
        h = self.norm(self.emb(ids) + self.pos[:, : ids.shape[1]])
        mask = (ids != 0).unsqueeze(-1).float()
        pooled = (h * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.cls(pooled)


class DictInput(nn.Module):
    """forward(batch) with batch = {'image': ..., 'tokens': ...}."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.emb = nn.Embedding(30, 4)
        self.head = nn.Linear(8, 2)

    def forward(self, batch):
        img = self.conv(batch["image"]).mean(dim=(2, 3))
        tok = self.emb(batch["tokens"]).mean(dim=1)
        return self.head(torch.cat((img, tok), dim=-1))


class KwargsForward(nn.Module):
    """Keyword arguments to forward: a mask tensor and a plain float."""

    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 8)
        self.k = nn.Linear(8, 8)

    def forward(self, x, mask=None, scale: float = 1.0):
        scores = torch.einsum("bqd,bkd->bqk", self.q(x), self.k(x)) * scale
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        return scores.softmax(-1) @ x


@dataclass
class Output:
    logits: torch.Tensor
    features: torch.Tensor
    extra: tuple


class DataclassOut(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 10), nn.GELU())
        self.head = nn.Linear(10, 3)

    def forward(self, x):
        f = self.body(x)
        parts = f.chunk(2, dim=-1)
        return Output(logits=self.head(f), features=f, extra=(parts[0].permute(1, 0), torch.stack(parts)))


class MetaMLP(nn.Module):
    """Built under torch.device('meta'): no weights exist at all."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 8, 5, padding=2, groups=2)
        self.norm = nn.GroupNorm(2, 8)
        self.gru = nn.GRU(8, 6, batch_first=True)
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        h = F.silu(self.norm(self.conv(x)))
        out, _ = self.gru(h.transpose(1, 2))
        return self.fc(F.pad(out, (0, 0, 1, 1))[:, -1])


class DataDependent(nn.Module):
    """Sizes that depend on values: nonzero, a boolean mask, .item()."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 3)

    def forward(self, x):
        h = self.fc(x)
        idx = h.nonzero()
        pos = h[h > 0]
        total = h.sum().item()
        doubled = pos * 2
        return idx, doubled, h + total


# -- a Llama-shaped decoder (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU) ---------
class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class LlamaBlock(nn.Module):
    def __init__(self, dim: int, heads: int, kv_heads: int, hidden: int):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.attn_norm = RMSNorm(dim)
        self.q_proj = nn.Linear(dim, dim, bias=False)
        self.k_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(dim, dim, bias=False)
        self.mlp_norm = RMSNorm(dim)
        self.gate_proj = nn.Linear(dim, hidden, bias=False)
        self.up_proj = nn.Linear(dim, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, dim, bias=False)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        h = self.attn_norm(x)
        q = self.q_proj(h).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv_heads
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o_proj(y.transpose(1, 2).reshape(b, t, -1))
        h = self.mlp_norm(x)
        return x + self.down_proj(F.silu(self.gate_proj(h)) * self.up_proj(h))


class Llama(nn.Module):
    def __init__(self, vocab=32000, dim=8192, layers=80, heads=64, kv_heads=8, hidden=28672):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList(LlamaBlock(dim, heads, kv_heads, hidden) for _ in range(layers))
        self.norm = RMSNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.head_dim = dim // heads

    def forward(self, ids):
        t = ids.shape[1]
        inv = 1.0 / (10000.0 ** (torch.arange(0, self.head_dim, 2, device=ids.device).float() / self.head_dim))
        freqs = torch.outer(torch.arange(t, device=ids.device).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.lm_head(self.norm(x))
