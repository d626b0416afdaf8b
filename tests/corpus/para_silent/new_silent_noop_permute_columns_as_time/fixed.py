import torch
import torch.nn as nn

torch.manual_seed(0)


class RowColLSTM(nn.Module):
    def __init__(self, side=20, hid=24):
        super().__init__()
        self.rows = nn.LSTM(side, hid, batch_first=True)
        self.cols = nn.LSTM(side, hid, batch_first=True)
        self.fc = nn.Linear(2 * hid, 10)

    def forward(self, images):                # [B, 1, side, side]
        rows = images.squeeze(1)
        cols = images.squeeze(1).permute(0, 2, 1)
        _, (hr, _) = self.rows(rows)
        _, (hc, _) = self.cols(cols)
        return self.fc(torch.cat([hr[-1], hc[-1]], dim=1))


model = RowColLSTM()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
imgs, y = torch.randn(32, 1, 20, 20), torch.randint(0, 10, (32,))
for i in range(0, 32, 8):
    loss = nn.functional.cross_entropy(model(imgs[i:i + 8]), y[i:i + 8])
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
