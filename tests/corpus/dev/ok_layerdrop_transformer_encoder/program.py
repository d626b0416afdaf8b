import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)


class LayerDropModuleList(nn.ModuleList):
    def __init__(self, p, modules=None):
        super().__init__(modules)
        self.p = p

    def __iter__(self):
        dropout_probs = torch.empty(len(self)).uniform_()
        for i, m in enumerate(super().__iter__()):
            if not self.training or (dropout_probs[i] > self.p):
                yield m


class Encoder(nn.Module):
    def __init__(self, vocab=600, dim=64, layers=4, layerdrop=0.3, n_classes=5):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.layers = LayerDropModuleList(layerdrop, [nn.TransformerEncoderLayer(dim, 4, 128, batch_first=True) for _ in range(layers)])
        self.out = nn.Linear(dim, n_classes)

    def forward(self, tokens):
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.out(x.mean(dim=1))


model = Encoder()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
tokens = torch.randint(0, 600, (16, 24))
labels = torch.randint(0, 5, (16,))
for step in range(4):
    loss = F.cross_entropy(model(tokens), labels)
    optimizer.zero_grad()
    loss.backward()
    dropped = [i for i, layer in enumerate(nn.ModuleList.__iter__(model.layers)) if layer.linear1.weight.grad is None]
    optimizer.step()
    print('step', step, 'loss', round(loss.item(), 4), 'layers dropped', dropped)
