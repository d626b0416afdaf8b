# A silent bug (log_softmax over the batch) in a script that logs and saves a checkpoint at the
# end of every epoch, then loads the checkpoint back: the re-runs that check the fix must leave
# the log and the checkpoint as the real run wrote them.
import os

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
here = os.path.dirname(os.path.abspath(__file__))
x, y = torch.randn(96, 8), torch.randint(0, 4, (96,))
loader = DataLoader(TensorDataset(x, y), batch_size=16)
model = nn.Linear(8, 4)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
steps = 0
for epoch in range(2):
    for xb, yb in loader:
        logp = torch.log_softmax(model(xb), dim=0)
        loss = nn.functional.nll_loss(logp, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
    with open(os.path.join(here, "train.log"), "a") as log:
        log.write(f"epoch {epoch} steps {steps}\n")
    torch.save({"steps": steps}, os.path.join(here, "ckpt.pt"))
    assert torch.load(os.path.join(here, "ckpt.pt"))["steps"] == steps
