import random

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
random.seed(0)

N_STATES, N_ACTIONS, N_QUANT, EMB = 8, 4, 64, 32
BATCH_SIZE, GAMMA = 32, 0.99


class IQN(nn.Module):
    def __init__(self):
        super().__init__()
        self.feature = nn.Sequential(nn.Linear(N_STATES, 64), nn.ReLU())
        self.phi = nn.Linear(EMB, 64)
        self.fc = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, N_ACTIONS))

    def forward(self, x):                                   # x [B, N_STATES]
        tau = torch.rand(x.size(0), N_QUANT, 1)             # [B, N_QUANT, 1]
        i = torch.arange(1, EMB + 1).float().view(1, 1, EMB)
        phi = F.relu(self.phi(torch.cos(torch.pi * i * tau)))          # [B, N_QUANT, 64]
        h = self.feature(x).unsqueeze(1) * phi                          # [B, N_QUANT, 64]
        return self.fc(h).transpose(1, 2), tau                          # [B, N_ACTIONS, N_QUANT]


def quantile_huber_loss(q_eval, q_target, tau, kappa=1.0):
    # q_eval [B, N_QUANT, 1] against q_target [B, 1, N_QUANT]: every pair (i, j) of
    # predicted quantile i and target sample j, by design -> u [B, N_QUANT, N_QUANT]
    u = q_target - q_eval
    huber = torch.where(u.abs() <= kappa, 0.5 * u.pow(2), kappa * (u.abs() - 0.5 * kappa))
    rho = (tau - (u.detach() < 0).float()).abs() * huber / kappa
    return rho.sum(dim=1).mean(dim=1).mean()                 # E_j sum_i, averaged over the batch


net, target_net = IQN(), IQN()
target_net.load_state_dict(net.state_dict())
optimizer = torch.optim.Adam(net.parameters(), lr=5e-4)
memory = [(torch.randn(N_STATES), random.randrange(N_ACTIONS), random.random(), torch.randn(N_STATES),
           float(random.random() < 0.05)) for _ in range(500)]
for step in range(6):
    batch = random.sample(memory, BATCH_SIZE)
    s = torch.stack([b[0] for b in batch]); a = torch.tensor([b[1] for b in batch])
    r = torch.tensor([b[2] for b in batch]); s2 = torch.stack([b[3] for b in batch])
    done = torch.tensor([b[4] for b in batch])
    q_all, tau = net(s)                                                   # [B, A, N], tau [B, N, 1]
    q_eval = q_all[torch.arange(BATCH_SIZE), a].unsqueeze(2)              # [B, N_QUANT, 1]
    with torch.no_grad():
        q_next, _ = target_net(s2)                                        # [B, A, N]
        best = q_next.mean(dim=2).argmax(dim=1)
        q_next = q_next[torch.arange(BATCH_SIZE), best]                   # [B, N_QUANT]
        q_target = (r.unsqueeze(1) + GAMMA * (1 - done.unsqueeze(1)) * q_next).unsqueeze(1)  # [B, 1, N_QUANT]
    loss = quantile_huber_loss(q_eval, q_target, tau)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, 'loss', round(loss.item(), 4))
