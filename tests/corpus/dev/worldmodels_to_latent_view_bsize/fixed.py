import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

BSIZE = 16
SEQ_LEN = 32
LSIZE = 32
ASIZE = 3
RED_SIZE = 16


class RolloutSequenceDataset(Dataset):
    def __init__(self, n):
        self.obs = torch.rand(n, SEQ_LEN + 1, 3, RED_SIZE, RED_SIZE)
        self.actions = torch.randn(n, SEQ_LEN, ASIZE)

    def __len__(self):
        return len(self.obs)

    def __getitem__(self, i):
        return self.obs[i, :-1], self.actions[i], self.obs[i, 1:]


class VAEEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 8, 4, 2, 1), nn.ReLU(), nn.Conv2d(8, 16, 4, 2, 1), nn.ReLU(), nn.Flatten())
        self.fc_mu = nn.Linear(16 * 4 * 4, LSIZE)
        self.fc_logsigma = nn.Linear(16 * 4 * 4, LSIZE)

    def forward(self, x):
        h = self.conv(x)
        return self.fc_mu(h), self.fc_logsigma(h)


vae = VAEEncoder().eval()
mdrnn = nn.LSTM(LSIZE + ASIZE, 64, batch_first=True)
head = nn.Linear(64, LSIZE)
optimizer = torch.optim.RMSprop(list(mdrnn.parameters()) + list(head.parameters()), lr=1e-3, alpha=0.9)


def to_latent(obs, next_obs):
    with torch.no_grad():
        obs, next_obs = [x.reshape(-1, 3, RED_SIZE, RED_SIZE) for x in (obs, next_obs)]
        (obs_mu, obs_logsigma), (next_obs_mu, next_obs_logsigma) = [vae(x) for x in (obs, next_obs)]
        latent_obs, latent_next_obs = [
            (x_mu + x_logsigma.exp() * torch.randn_like(x_mu)).view(BSIZE, SEQ_LEN, LSIZE)
            for x_mu, x_logsigma in [(obs_mu, obs_logsigma), (next_obs_mu, next_obs_logsigma)]]
    return latent_obs, latent_next_obs


def data_pass(loader, train):
    cum_loss = 0
    for obs, action, next_obs in loader:
        latent_obs, latent_next_obs = to_latent(obs, next_obs)
        out, _ = mdrnn(torch.cat([latent_obs, action], dim=-1))
        loss = F.mse_loss(head(out), latent_next_obs)
        if train:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        cum_loss += loss.item()
    return cum_loss / len(loader)


train_loader = DataLoader(RolloutSequenceDataset(32), batch_size=BSIZE, shuffle=True, drop_last=True)
test_loader = DataLoader(RolloutSequenceDataset(27), batch_size=BSIZE, drop_last=True)
for e in range(1):
    print('train', data_pass(train_loader, True))
    with torch.no_grad():
        print('test', data_pass(test_loader, False))
