import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class DigitMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(64, 48)
        self.l2 = nn.Linear(48, 10)

    def forward(self, x):
        logits = self.l2(F.relu(self.l1(x.flatten(1))))
        return torch.log_softmax(logits, 1)


images = torch.rand(400, 8, 8)
digits = torch.randint(0, 10, (400,))
model = DigitMLP()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(2):
    for xb, yb in DataLoader(TensorDataset(images, digits), batch_size=40, shuffle=True):
        out = model(xb)
        loss = F.nll_loss(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item(), (out.argmax(1) == yb).float().mean().item())
