import torch
import torch.nn as nn

torch.manual_seed(0)


class CRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d((2, 2)),
                                 nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d((1, None)))
        self.rnn = nn.LSTM(32, 32, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(64, 11)

    def forward(self, img):
        f = self.cnn(img).squeeze(2).permute(0, 2, 1)
        out, _ = self.rnn(f)
        return self.fc(out)


model = CRNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
imgs, text = torch.randn(8, 1, 16, 40), torch.randint(1, 11, (8, 4))
for step in range(3):
    lp = model(imgs).log_softmax(2).transpose(0, 1)
    loss = nn.functional.ctc_loss(lp, text, torch.full((8,), lp.size(0), dtype=torch.long),
                                  torch.full((8,), 4, dtype=torch.long))
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
