import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)

parser = argparse.ArgumentParser(description='MICN long-term forecasting')
parser.add_argument('--seq_len', type=int, default=96, help='input sequence length of Informer encoder')
parser.add_argument('--label_len', type=int, default=96, help='start token length of Informer decoder')
parser.add_argument('--pred_len', type=int, default=24, help='prediction sequence length')
parser.add_argument('--enc_in', type=int, default=7)
parser.add_argument('--d_model', type=int, default=32)
parser.add_argument('--batch_size', type=int, default=16)
args = parser.parse_args([])


class Dataset_ETT_hour(Dataset):
    def __init__(self, args, n_steps=600):
        t = torch.arange(n_steps, dtype=torch.float32)
        self.data = torch.stack([torch.sin(t / (5 + i)) for i in range(args.enc_in)], 1) + 0.1 * torch.randn(n_steps, args.enc_in)
        self.stamp = torch.stack([(t % 24) / 23 - 0.5, ((t // 24) % 7) / 6 - 0.5, ((t // 168) % 4) / 3 - 0.5,
                                  ((t // 720) % 12) / 11 - 0.5], 1)
        self.seq_len, self.label_len, self.pred_len = args.seq_len, args.label_len, args.pred_len

    def __len__(self):
        return len(self.data) - self.seq_len - self.pred_len + 1

    def __getitem__(self, i):
        s_end = i + self.seq_len
        r_begin, r_end = s_end - self.label_len, s_end + self.pred_len
        return self.data[i:s_end], self.data[r_begin:r_end], self.stamp[i:s_end], self.stamp[r_begin:r_end]


class DataEmbedding(nn.Module):
    def __init__(self, c_in, d_model):
        super().__init__()
        self.value_embedding = nn.Conv1d(c_in, d_model, 3, padding=1, padding_mode='circular')
        pe = torch.zeros(5000, d_model)
        pos = torch.arange(5000).unsqueeze(1).float()
        div = torch.exp(torch.arange(0, d_model, 2).float() * -(math.log(10000.0) / d_model))
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
        self.register_buffer('pe', pe.unsqueeze(0))
        self.temporal_embedding = nn.Linear(4, d_model)

    def position_embedding(self, x):
        return self.pe[:, :x.size(1)]

    def forward(self, x, x_mark):
        x = self.value_embedding(x.permute(0, 2, 1)).transpose(1, 2) + self.position_embedding(x) + self.temporal_embedding(x_mark)
        return x


class MICN(nn.Module):
    def __init__(self, args, kernel=25):
        super().__init__()
        self.seq_len, self.pred_len, self.kernel = args.seq_len, args.pred_len, kernel
        self.dec_embedding = DataEmbedding(args.enc_in, args.d_model)
        self.conv = nn.Conv1d(args.d_model, args.d_model, 3, padding=1)
        self.projection = nn.Linear(args.d_model, args.enc_in)
        self.regression = nn.Linear(args.seq_len, args.pred_len)

    def forward(self, x_enc, x_mark_enc, x_dec, x_mark_dec):
        trend = F.avg_pool1d(F.pad(x_enc.transpose(1, 2), (self.kernel // 2, self.kernel // 2), mode='replicate'), self.kernel, 1).transpose(1, 2)
        seasonal_init = x_enc - trend
        trend = self.regression(trend.permute(0, 2, 1)).permute(0, 2, 1)
        zeros = torch.zeros(x_dec.size(0), self.pred_len, x_dec.size(2))
        seasonal_init = torch.cat([seasonal_init[:, -self.seq_len:, :], zeros], dim=1)
        dec_out = self.dec_embedding(seasonal_init, x_mark_dec)
        dec_out = self.projection(self.conv(dec_out.transpose(1, 2)).transpose(1, 2))
        return dec_out[:, -self.pred_len:, :] + trend


train_loader = DataLoader(Dataset_ETT_hour(args), batch_size=args.batch_size, shuffle=True, drop_last=True)
model = MICN(args)
optim = torch.optim.Adam(model.parameters(), lr=1e-3)
for i, (batch_x, batch_y, batch_x_mark, batch_y_mark) in enumerate(train_loader):
    outputs = model(batch_x, batch_x_mark, batch_y, batch_y_mark)
    loss = F.mse_loss(outputs, batch_y[:, -args.pred_len:, :])
    optim.zero_grad()
    loss.backward()
    optim.step()
    if i == 3:
        break
print('mse', round(loss.item(), 4))
