import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(14)


def dense_stack(dims, act=nn.GELU):
    layers = []
    for d_in, d_out in zip(dims[:-1], dims[1:]):
        layers += [nn.Linear(d_in, d_out), act()]
    return nn.Sequential(*layers[:-1])


class Regressor(nn.Module):
    def __init__(self, n_inputs, hidden=(40, 24), n_targets=2):
        super().__init__()
        self.body = dense_stack([n_inputs, *hidden, n_targets])

    def forward(self, x):
        return self.body(x)


X = torch.randn(200, 12)
Y = torch.randn(200, 2)
model = Regressor(n_inputs=12)
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
for step in range(30):
    idx = torch.randint(0, 200, (25,))
    loss = F.mse_loss(model(X[idx]), Y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
print("mse", loss.item())
