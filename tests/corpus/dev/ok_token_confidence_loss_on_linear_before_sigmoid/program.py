import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class TokenConfidence(nn.Module):
    """Predicts, per keypoint token, whether the early-exit match equals the final match."""
    def __init__(self, dim):
        super().__init__()
        self.token = nn.Sequential(nn.Linear(dim, 1), nn.Sigmoid())
        self.loss_fn = nn.BCEWithLogitsLoss(reduction='none')

    def forward(self, desc0, desc1):
        # inference: probabilities in (0, 1), thresholded to stop early
        return self.token(desc0.detach()).squeeze(-1), self.token(desc1.detach()).squeeze(-1)

    def loss(self, desc0, desc1, la_now, la_final):
        # training: the loss takes the raw logits from the Linear only (token[0]), not the Sigmoid
        logit0 = self.token[0](desc0.detach()).squeeze(-1)
        logit1 = self.token[0](desc1.detach()).squeeze(-1)
        la_now, la_final = la_now.detach(), la_final.detach()
        correct0 = la_final[:, :-1, :].max(-1).indices == la_now[:, :-1, :].max(-1).indices
        correct1 = la_final[:, :, :-1].max(-2).indices == la_now[:, :, :-1].max(-2).indices
        return (self.loss_fn(logit0, correct0.float()).mean(-1)
                + self.loss_fn(logit1, correct1.float()).mean(-1)) / 2.0


def log_assignment(d0, d1):
    """Dual-softmax assignment with a dustbin row/column: [B, M+1, N+1]."""
    sim = torch.einsum('bmd,bnd->bmn', d0, d1) / d0.shape[-1] ** 0.5
    scores = F.log_softmax(sim, 2) + F.log_softmax(sim, 1)
    B, M, N = scores.shape
    out = scores.new_full((B, M + 1, N + 1), -10.0)
    out[:, :M, :N] = scores
    return out


B, M, N, D = 4, 64, 48, 32
proj_mid, proj_final = nn.Linear(D, D), nn.Linear(D, D)
conf = TokenConfidence(D)
optimizer = torch.optim.Adam(list(conf.parameters()) + list(proj_mid.parameters()) + list(proj_final.parameters()), lr=1e-3)
for step in range(5):
    desc0, desc1 = torch.randn(B, M, D), torch.randn(B, N, D)
    la_now = log_assignment(proj_mid(desc0), proj_mid(desc1))
    la_final = log_assignment(proj_final(desc0), proj_final(desc1))
    loss = conf.loss(desc0, desc1, la_now, la_final).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, 'confidence loss', round(loss.item(), 4))
with torch.no_grad():
    c0, c1 = conf(desc0, desc1)
print('confident tokens', (c0 > 0.9).float().mean().item(), c0.shape, c1.shape)
