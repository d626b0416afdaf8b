import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class FastWeightsRNN(nn.Module):
    def __init__(self, input_dim=10, hidden=64, n_classes=10, S=1, lam=0.9, eta=0.5):
        super().__init__()
        self.hidden, self.S, self.lam, self.eta = hidden, S, lam, eta
        self.W_x = nn.Linear(input_dim, hidden)
        self.W_h = nn.Linear(hidden, hidden, bias=False)
        self.gain = nn.Parameter(torch.ones(hidden))
        self.bias = nn.Parameter(torch.zeros(hidden))
        self.out = nn.Linear(hidden, n_classes)

    def layer_norm(self, h):                                  # h: [B, 1, hidden]
        mu, var = h.mean(dim=-1, keepdim=True), h.var(dim=-1, keepdim=True, unbiased=False)
        return self.gain * (h - mu) / torch.sqrt(var + 1e-5) + self.bias

    def forward(self, x):                                     # [B, T, input_dim]
        B, T, _ = x.shape
        h = torch.zeros(B, 1, self.hidden)
        A = torch.zeros(B, self.hidden, self.hidden)
        for t in range(T):
            boundary = self.W_x(x[:, t]).unsqueeze(1) + self.W_h(h)
            h_s = F.relu(boundary)
            A = self.lam * A + self.eta * torch.bmm(h.transpose(1, 2), h)
            for _ in range(self.S):
                h_s = F.relu(self.layer_norm(boundary + torch.bmm(h_s, A)))
            h = h_s
        return self.out(h.squeeze(1))


model = FastWeightsRNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(64, 9, 10)                                    # associative-retrieval style sequences
y = torch.randint(0, 10, (64,))
for step in range(5):
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
