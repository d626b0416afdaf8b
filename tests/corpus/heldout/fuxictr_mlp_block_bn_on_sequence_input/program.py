import torch
import torch.nn as nn

torch.manual_seed(0)


class MLP_Block(nn.Module):
    def __init__(self, input_dim, hidden_units=(), hidden_activations='ReLU', output_dim=None,
                 dropout_rates=0.0, batch_norm=False):
        super().__init__()
        layers, dims = [], [input_dim] + list(hidden_units)
        for i in range(len(dims) - 1):
            layers.append(nn.Linear(dims[i], dims[i + 1]))
            if batch_norm:
                layers.append(nn.BatchNorm1d(dims[i + 1]))
            layers.append(getattr(nn, hidden_activations)())
            if dropout_rates > 0:
                layers.append(nn.Dropout(dropout_rates))
        if output_dim is not None:
            layers.append(nn.Linear(dims[-1], output_dim))
        self.mlp = nn.Sequential(*layers)

    def forward(self, inputs):
        return self.mlp(inputs)


class BehaviorSeqCTR(nn.Module):
    """Click-through model: per-item MLP over the user's behaviour sequence, then mean pooling."""

    def __init__(self, n_items, emb_dim=64):
        super().__init__()
        self.item_emb = nn.Embedding(n_items, emb_dim, padding_idx=0)
        self.seq_mlp = MLP_Block(input_dim=emb_dim, hidden_units=[1024, 1024, 1024], batch_norm=True)
        self.target_mlp = MLP_Block(input_dim=emb_dim, hidden_units=[1024], batch_norm=True)
        self.out = nn.Linear(2 * 1024, 1)

    def forward(self, seq, target):
        seq_emb = self.item_emb(seq)                  # [B, 128, 64]
        seq_repr = self.seq_mlp(seq_emb).mean(1)      # per-item MLP over the sequence
        target_repr = self.target_mlp(self.item_emb(target))
        return self.out(torch.cat([seq_repr, target_repr], -1)).squeeze(-1)


model = BehaviorSeqCTR(n_items=500)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.BCEWithLogitsLoss()
for step in range(3):
    seq = torch.randint(1, 500, (16, 128))
    target = torch.randint(1, 500, (16,))
    clicked = torch.randint(0, 2, (16,)).float()
    loss = loss_fn(model(seq, target), clicked)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print('step', step, 'logloss', round(loss.item(), 4))
