import torch
import torch.nn as nn

torch.manual_seed(0)


class CRNN(nn.Module):
    def __init__(self, n_chars=12):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d((2, 1)))
        self.rnn = nn.LSTM(32 * 4, 40, batch_first=True)
        self.fc = nn.Linear(40, n_chars)

    def forward(self, img):
        fmap = self.cnn(img)
        b, c, h, w = fmap.shape
        seq = fmap.view(b, w, c * h)
        out, _ = self.rnn(seq)
        return self.fc(out)


model = CRNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
images = torch.randn(10, 1, 16, 48)
text = torch.randint(1, 12, (10, 5))
for it in range(3):
    lp = model(images).log_softmax(-1).permute(1, 0, 2)
    loss = nn.functional.ctc_loss(lp, text, torch.full((10,), lp.shape[0], dtype=torch.long),
                                  torch.full((10,), 5, dtype=torch.long))
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
