# The label set was counted without its last identity: only the last batch holds label 12, so
# the crash comes at a step that runs unrecorded, long after the first one.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
CONFIG = {"classes": 12, "batch": 8}

x = torch.randn(64, 20)
y = torch.arange(64) % CONFIG["classes"]
y[-1] = 12   # the identity the count missed
loader = DataLoader(TensorDataset(x, y), batch_size=CONFIG["batch"])
model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, CONFIG["classes"]))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
for xb, yb in loader:
    loss = loss_fn(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", float(loss))
