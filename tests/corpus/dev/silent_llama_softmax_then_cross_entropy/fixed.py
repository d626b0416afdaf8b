import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

MASTER_CONFIG = {'vocab_size': 65, 'd_model': 128, 'batch_size': 16, 'context_window': 16}
dataset = torch.randint(0, 65, (5000,))


def get_batches(data, batch_size, context_window):
    ix = torch.randint(0, data.size(0) - context_window - 1, (batch_size,))
    x = torch.stack([data[i:i + context_window] for i in ix]).long()
    y = torch.stack([data[i + 1:i + context_window + 1] for i in ix]).long()
    return x, y


class SimpleBrokenModel(nn.Module):
    def __init__(self, config=MASTER_CONFIG):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config['vocab_size'], config['d_model'])
        self.linear = nn.Sequential(
            nn.Linear(config['d_model'], config['d_model']),
            nn.ReLU(),
            nn.Linear(config['d_model'], config['vocab_size']),
        )

    def forward(self, idx, targets=None):
        x = self.embedding(idx)
        a = self.linear(x)
        logits = a
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, self.config['vocab_size']), targets.view(-1))
            return logits, loss
        return logits


model = SimpleBrokenModel(MASTER_CONFIG)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(20):
    xs, ys = get_batches(dataset, MASTER_CONFIG['batch_size'], MASTER_CONFIG['context_window'])
    logits, loss = model(xs, targets=ys)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
