import argparse

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)


def get_args(argv=None):
    p = argparse.ArgumentParser(description='federated simulation, one client round')
    p.add_argument('--num-clients', type=int, default=3)
    p.add_argument('--local-epochs', type=int, default=1)
    p.add_argument('--batch-size', type=int, default=32)
    p.add_argument('--lr', type=float, default=0.1)
    return p.parse_args(argv)


def load_client_data(num_clients):
    """Client shards as the simulator stores them: one float matrix per client, label in the last column."""
    shards = []
    for c in range(num_clients):
        feats = np.random.randn(96, 20)
        labels = np.random.randint(0, 4, size=(96, 1))
        shards.append(np.hstack([feats, labels]).astype(np.float32))
    return shards


def compute_loss(model, criterion, data, target):
    output = model(data)
    return criterion(output, target.long()), output


def local_training(model, shard, args):
    x, y = torch.from_numpy(shard[:, :-1]), torch.from_numpy(shard[:, -1])
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()
    for _ in range(args.local_epochs):
        for data, target in loader:
            loss, _ = compute_loss(model, criterion, data, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.state_dict(), loss.item()


args = get_args([])
global_model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4))
states = []
for shard in load_client_data(args.num_clients):
    local = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 4))
    local.load_state_dict(global_model.state_dict())
    state, last = local_training(local, shard, args)
    states.append(state)
    print('client loss', round(last, 4))
global_model.load_state_dict({k: torch.stack([s[k] for s in states]).mean(0) for k in states[0]})
