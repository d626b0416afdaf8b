import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class BidirectionalLSTM(nn.Module):
    def __init__(self, nIn, nHidden, nOut):
        super().__init__()
        self.rnn = nn.LSTM(nIn, nHidden, bidirectional=True)
        self.embedding = nn.Linear(nHidden * 2, nOut)

    def forward(self, input):                                  # [T, b, nIn]
        recurrent, _ = self.rnn(input)
        T, b, h = recurrent.size()
        output = self.embedding(recurrent.view(T * b, h))
        return output.view(T, b, -1)


class CRNN(nn.Module):
    def __init__(self, nclass=37):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(1, 32, 3, 1, 1), nn.ReLU(True), nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(True), nn.MaxPool2d(2, 2),
            nn.Conv2d(64, 64, 3, 1, 1), nn.BatchNorm2d(64), nn.ReLU(True), nn.MaxPool2d((2, 1), (2, 1)),
            nn.Conv2d(64, 64, (4, 1)), nn.ReLU(True))
        self.rnn = BidirectionalLSTM(64, 48, nclass)

    def forward(self, input):
        conv = self.cnn(input)
        b, c, h, w = conv.size()
        assert h == 1, 'the height of conv must be 1'
        conv = conv.squeeze(2).permute(2, 0, 1)                # [w, b, c]
        return F.log_softmax(self.rnn(conv), dim=2)            # [T, b, nclass]


model = CRNN()
criterion = nn.CTCLoss(zero_infinity=True)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
images = torch.randn(8, 1, 32, 100)
text = torch.randint(1, 37, (8, 6))
target_lengths = torch.full((8,), 6, dtype=torch.long)
for step in range(3):
    preds = model(images)
    preds_size = torch.full((8,), preds.size(0), dtype=torch.long)
    loss = criterion(preds, text, preds_size, target_lengths)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(preds.shape, loss.item())
