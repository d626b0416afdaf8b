import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)

IN_DIM = 3
NUM_NODES, SEQ_LEN = 20, 12
ADD_TIME_IN_DAY = False
ADD_DAY_IN_WEEK = False


def generate_graph_seq2seq_io_data(n):
    speed = np.random.rand(n, SEQ_LEN, NUM_NODES, 1)
    feats = [speed]
    if ADD_TIME_IN_DAY:
        feats.append(np.random.rand(n, SEQ_LEN, NUM_NODES, 1))
    if ADD_DAY_IN_WEEK:
        feats.append(np.random.rand(n, SEQ_LEN, NUM_NODES, 1))
    x = np.concatenate(feats, axis=-1)
    y = np.random.rand(n, SEQ_LEN, NUM_NODES, 1)
    return x.astype(np.float32), y.astype(np.float32)


class gwnet(nn.Module):
    def __init__(self, num_nodes, in_dim, out_dim=SEQ_LEN, residual_channels=16):
        super().__init__()
        self.start_conv = nn.Conv2d(in_dim, residual_channels, kernel_size=(1, 1))
        self.filter_convs = nn.ModuleList(nn.Conv2d(residual_channels, residual_channels, (1, 2), dilation=d)
                                          for d in (1, 2, 4))
        self.end_conv = nn.Conv2d(residual_channels, out_dim, kernel_size=(1, 1))

    def forward(self, x):
        x = self.start_conv(x)
        for conv in self.filter_convs:
            x = torch.tanh(conv(x))
        return self.end_conv(F.relu(x[..., -1:]))          # [B, out_dim, N, 1]


x_np, y_np = generate_graph_seq2seq_io_data(32)
model = gwnet(NUM_NODES, IN_DIM)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
for it in range(0, 32, 8):
    trainx = torch.from_numpy(x_np[it:it + 8]).transpose(1, 3)     # [B, F, N, T]
    trainy = torch.from_numpy(y_np[it:it + 8]).transpose(1, 3)[:, 0, :, :]
    output = model(trainx).transpose(1, 3)                          # [B, 1, N, T]
    loss = F.l1_loss(output.squeeze(1), trainy)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
