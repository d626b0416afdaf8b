import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

teacher = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 8)).eval()
student = nn.Sequential(nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 8))
opt = torch.optim.Adam(student.parameters(), lr=1e-3)
X, Y = torch.randn(256, 16), torch.randint(0, 8, (256,))
T = 4.0
for i in range(0, 256, 32):
    xb, yb = X[i:i + 32], Y[i:i + 32]
    with torch.no_grad():
        t_logits = teacher(xb)
    s_logits = student(xb)
    kd = F.kl_div(F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1), reduction='batchmean')
    loss = 0.7 * kd * T * T + 0.3 * F.cross_entropy(s_logits, yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
