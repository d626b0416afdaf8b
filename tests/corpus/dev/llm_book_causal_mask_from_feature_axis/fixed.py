from math import sqrt

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

input_text = "I recently travelled to Paris"
input_text_list = input_text.split()
str2idx = {word: idx for idx, word in enumerate(input_text_list)}
input_ids = torch.tensor([[str2idx[word] for word in input_text_list]])     # (1, 5)

embedding_dim = 16
max_position = 12
embed_layer = nn.Embedding(len(str2idx), embedding_dim)
position_embed_layer = nn.Embedding(max_position, embedding_dim)
position_ids = torch.arange(len(input_ids[0]), dtype=torch.long).unsqueeze(0)
input_embeddings = embed_layer(input_ids) + position_embed_layer(position_ids)   # (1, 5, 16)


def compute_attention(querys, keys, values, is_causal=False):
    dim_k = querys.size(-1)                                   # 16
    scores = querys @ keys.transpose(-2, -1) / sqrt(dim_k)    # (1, 5, 5)
    if is_causal:
        query_length = querys.size(-2)
        key_length = keys.size(-2)
        temp_mask = torch.ones(query_length, key_length, dtype=torch.bool).tril(diagonal=0)
        scores = scores.masked_fill(temp_mask == False, float("-inf"))
    weights = F.softmax(scores, dim=-1)                       # (1, 5, 5)
    return weights @ values                                   # (1, 5, 16)


class AttentionHead(nn.Module):
    def __init__(self, token_embed_dim, head_dim, is_causal=False):
        super().__init__()
        self.is_causal = is_causal
        self.weight_q = nn.Linear(token_embed_dim, head_dim)
        self.weight_k = nn.Linear(token_embed_dim, head_dim)
        self.weight_v = nn.Linear(token_embed_dim, head_dim)

    def forward(self, querys, keys, values):
        return compute_attention(self.weight_q(querys), self.weight_k(keys), self.weight_v(values), is_causal=self.is_causal)


attention_head = AttentionHead(embedding_dim, embedding_dim, is_causal=True)
after_attention_embeddings = attention_head(input_embeddings, input_embeddings, input_embeddings)
print(after_attention_embeddings.shape)
