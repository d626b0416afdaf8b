import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

N_LAYERS, DIM, VOCAB, N_TAGS = 4, 48, 800, 9


class ScalarMix(nn.Module):
    """ELMo scalar mix: softmax-normalised weights over the layers, times a learned gamma."""
    def __init__(self, mixture_size):
        super().__init__()
        self.scalar_parameters = nn.Parameter(torch.zeros(mixture_size))   # [L], no batch axis
        self.gamma = nn.Parameter(torch.ones(1))

    def forward(self, tensors):                                # list of L tensors [B, T, D]
        normed_weights = F.softmax(self.scalar_parameters, dim=0)          # over the L layers
        pieces = [w * t for w, t in zip(normed_weights, tensors)]
        return self.gamma * sum(pieces)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, DIM)
        self.layers = nn.ModuleList(nn.TransformerEncoderLayer(DIM, 4, 96, batch_first=True)
                                    for _ in range(N_LAYERS - 1))

    def forward(self, tokens):
        h = self.embed(tokens)
        states = [h]
        for layer in self.layers:
            h = layer(h)
            states.append(h)
        return states                                          # N_LAYERS x [B, T, D]


encoder, mix, tagger = Encoder(), ScalarMix(N_LAYERS), nn.Linear(DIM, N_TAGS)
params = list(encoder.parameters()) + list(mix.parameters()) + list(tagger.parameters())
optimizer = torch.optim.Adam(params, lr=1e-3)
tokens = torch.randint(0, VOCAB, (40, 15))
tags = torch.randint(0, N_TAGS, (40, 15))
for epoch in range(3):
    for i in range(0, 40, 10):
        rep = mix(encoder(tokens[i:i + 10]))                    # [10, 15, D]
        logits = tagger(rep)
        loss = F.cross_entropy(logits.reshape(-1, N_TAGS), tags[i:i + 10].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4),
          'layer weights', [round(w, 3) for w in F.softmax(mix.scalar_parameters, 0).tolist()])
