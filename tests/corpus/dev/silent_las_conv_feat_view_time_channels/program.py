import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class VGGExtractor(nn.Module):
    """Convolutional front end of a listen-attend-spell listener over log-mel spectrograms."""
    def __init__(self, hidden_dim=32):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, hidden_dim, 3, padding=1), nn.BatchNorm2d(hidden_dim), nn.Hardtanh(0, 20),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(hidden_dim, hidden_dim, 3, padding=1), nn.BatchNorm2d(hidden_dim), nn.Hardtanh(0, 20),
            nn.MaxPool2d(2, 2))

    def forward(self, x):                      # [B, 1, n_mels, T]
        return self.conv(x)                    # [B, hidden_dim, n_mels / 4, T / 4]


class Listener(nn.Module):
    def __init__(self, n_mels=40, hidden_dim=32, rnn_dim=64, num_classes=30):
        super().__init__()
        self.extractor = VGGExtractor(hidden_dim)
        self.rnn = nn.LSTM(hidden_dim * (n_mels // 4), rnn_dim, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * rnn_dim, num_classes)

    def forward(self, spectrogram):            # [B, n_mels, T]
        conv_feat = self.extractor(spectrogram.unsqueeze(1))
        batch_size, hidden_dim, num_channels, seq_length = conv_feat.size()
        conv_feat = conv_feat.contiguous().view(batch_size, seq_length, num_channels * hidden_dim)
        outputs, _ = self.rnn(conv_feat)
        return self.fc(outputs).log_softmax(dim=-1)


model = Listener()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
spectrograms = torch.randn(8, 40, 96)
targets = torch.randint(1, 30, (8, 12))
target_lengths = torch.full((8,), 12, dtype=torch.long)
for step in range(3):
    log_probs = model(spectrograms)                          # [B, T/4, classes]
    input_lengths = torch.full((8,), log_probs.size(1), dtype=torch.long)
    loss = F.ctc_loss(log_probs.transpose(0, 1), targets, input_lengths, target_lengths)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(log_probs.shape, loss.item())
