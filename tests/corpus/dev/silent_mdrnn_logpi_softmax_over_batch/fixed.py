import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions.normal import Normal

torch.manual_seed(0)


def gmm_loss(batch, mus, sigmas, logpi):
    batch = batch.unsqueeze(-2)                            # [seq, bs, 1, latents]
    g_log_probs = Normal(mus, sigmas).log_prob(batch)      # [seq, bs, gaussians, latents]
    g_log_probs = logpi + torch.sum(g_log_probs, dim=-1)   # [seq, bs, gaussians]
    return -torch.logsumexp(g_log_probs, dim=-1).mean()


class MDRNN(nn.Module):
    def __init__(self, latents=8, actions=3, hiddens=64, gaussians=5):
        super().__init__()
        self.latents, self.gaussians = latents, gaussians
        self.rnn = nn.LSTM(latents + actions, hiddens)
        self.gmm_linear = nn.Linear(hiddens, (2 * latents + 1) * gaussians + 2)

    def forward(self, actions, latents):                   # [seq, bs, *] (time-major LSTM)
        seq_len, bs = actions.size(0), actions.size(1)
        outs, _ = self.rnn(torch.cat([actions, latents], dim=-1))
        gmm_outs = self.gmm_linear(outs)
        stride = self.gaussians * self.latents
        mus = gmm_outs[:, :, :stride].view(seq_len, bs, self.gaussians, self.latents)
        sigmas = torch.exp(gmm_outs[:, :, stride:2 * stride]).view(seq_len, bs, self.gaussians, self.latents)
        pi = gmm_outs[:, :, 2 * stride:2 * stride + self.gaussians].view(seq_len, bs, self.gaussians)
        logpi = F.log_softmax(pi, dim=-1)
        return mus, sigmas, logpi, gmm_outs[:, :, -2], gmm_outs[:, :, -1]


mdrnn = MDRNN()
optimizer = torch.optim.RMSprop(mdrnn.parameters(), lr=1e-3, alpha=0.9)
seq_len, bs = 16, 8
latent_obs = torch.randn(seq_len + 1, bs, 8)
actions = torch.randn(seq_len, bs, 3)
rewards = torch.randn(seq_len, bs)
terminals = (torch.rand(seq_len, bs) < 0.05).float()
for step in range(5):
    mus, sigmas, logpi, rs, ds = mdrnn(actions, latent_obs[:-1])
    gmm = gmm_loss(latent_obs[1:], mus, sigmas, logpi)
    loss = (gmm + F.binary_cross_entropy_with_logits(ds, terminals) + F.mse_loss(rs, rewards)) / 10
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('gmm', gmm.item(), 'loss', loss.item())
