"""Knowledge distillation: cross_entropy with float class-probability targets [N, C], and
log_softmax + nll_loss for the hard labels."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(45)
teacher = nn.Linear(10, 4)
student = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 4))
opt = torch.optim.SGD(student.parameters(), lr=0.1)
x = torch.randn(24, 10)
hard = torch.randint(0, 4, (24,))
for _ in range(3):
    with torch.no_grad():
        soft = F.softmax(teacher(x) / 2.0, dim=1)
    logits = student(x)
    loss = F.cross_entropy(logits, soft) + F.nll_loss(F.log_softmax(logits, dim=1), hard)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
