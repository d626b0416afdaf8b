import torch
import torch.nn as nn

torch.manual_seed(0)


class ConvLstm(nn.Module):
    """LRCN: a small CNN encodes every frame, an LSTM runs over the frame features."""
    def __init__(self, latent_dim=64, hidden_size=32, n_class=6):
        super().__init__()
        self.conv_model = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, latent_dim))
        self.lstm = nn.LSTM(latent_dim, hidden_size, batch_first=True)
        self.output_layer = nn.Sequential(nn.Linear(hidden_size, n_class), nn.Softmax(dim=-1))

    def forward(self, x):                                     # [B, T, 3, H, W]
        batch_size, timesteps, C, H, W = x.size()
        conv_output = self.conv_model(x.view(batch_size * timesteps, C, H, W))
        lstm_output, _ = self.lstm(conv_output.view(batch_size, timesteps, -1))
        return self.output_layer(lstm_output[:, -1, :])


model = ConvLstm()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
clips = torch.randn(8, 5, 3, 32, 32)
labels = torch.randint(0, 6, (8,))
for epoch in range(4):
    output = model(clips)
    loss = criterion(output, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    acc = (output.argmax(dim=1) == labels).float().mean()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'acc', acc.item())
