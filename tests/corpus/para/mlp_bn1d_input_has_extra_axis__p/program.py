from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(3)


@dataclass
class Config:
    n_features: int = 64
    hidden: int = 32
    n_classes: int = 4
    batch_size: int = 12
    n_rows: int = 96


class TabularRows(Dataset):
    def __init__(self, cfg):
        self.rows = torch.randn(cfg.n_rows, cfg.n_features)
        self.labels = torch.randint(0, cfg.n_classes, (cfg.n_rows,))

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, idx):
        row = self.rows[idx].unsqueeze(0)
        return row, self.labels[idx]


def build_classifier(cfg):
    return nn.Sequential(
        nn.Linear(cfg.n_features, cfg.hidden),
        nn.BatchNorm1d(cfg.hidden),
        nn.ReLU(),
        nn.Linear(cfg.hidden, cfg.n_classes),
    )


cfg = Config()
clf = build_classifier(cfg)
loader = DataLoader(TabularRows(cfg), batch_size=cfg.batch_size, shuffle=True)
opt = torch.optim.SGD(clf.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(2):
    for rows, labels in loader:
        out = clf(rows)
        loss = loss_fn(out.reshape(rows.size(0), -1), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item())
