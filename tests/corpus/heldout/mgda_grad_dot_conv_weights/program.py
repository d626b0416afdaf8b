import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

TASKS = ['L', 'R']


class MinNormSolver:
    @staticmethod
    def _min_norm_element_from2(v1v1, v1v2, v2v2):
        if v1v2 >= v1v1:
            return 0.999, v1v1
        if v1v2 >= v2v2:
            return 0.001, v2v2
        gamma = -1.0 * ((v1v2 - v2v2) / (v1v1 + v2v2 - 2 * v1v2))
        return gamma, v2v2 + gamma * (v1v2 - v2v2)

    @staticmethod
    def _min_norm_2d(vecs, dps):
        for i in range(len(vecs)):
            for j in range(i, len(vecs)):
                dps[(i, j)] = 0.0
                for k in range(len(vecs[i])):
                    dps[(i, j)] += torch.dot(vecs[i][k], vecs[j][k]).item()
                dps[(j, i)] = dps[(i, j)]
        return MinNormSolver._min_norm_element_from2(dps[(0, 0)], dps[(0, 1)], dps[(1, 1)])

    @staticmethod
    def find_min_norm_element(vecs):
        (gamma, cost) = MinNormSolver._min_norm_2d(vecs, {})
        return [gamma, 1 - gamma]


shared = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten())
heads = {t: nn.Linear(64, 4) for t in TASKS}
params = list(shared.parameters()) + [p for h in heads.values() for p in h.parameters()]
optimizer = torch.optim.SGD(params, lr=0.01)

for step in range(3):
    images = torch.randn(8, 3, 16, 16)
    labels = {t: torch.randint(0, 4, (8,)) for t in TASKS}
    grads = {}
    for t in TASKS:
        optimizer.zero_grad()
        rep = shared(images)
        loss_t = F.cross_entropy(heads[t](rep), labels[t])
        loss_t.backward()
        grads[t] = [p.grad.clone() for p in shared.parameters()]
    scale = MinNormSolver.find_min_norm_element([grads[t] for t in TASKS])
    optimizer.zero_grad()
    rep = shared(images)
    loss = sum(s * F.cross_entropy(heads[t](rep), labels[t]) for s, t in zip(scale, TASKS))
    loss.backward()
    optimizer.step()
    print('step', step, 'scales', [round(s, 3) for s in scale])
