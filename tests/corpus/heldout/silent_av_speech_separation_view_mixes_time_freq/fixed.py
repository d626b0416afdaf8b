import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

T_FRAMES, N_FREQ = 50, 33          # (298, 257) in the original, smaller here


class AudioOnlyModel(nn.Module):
    """Looking-to-Listen audio stream: dilated convs on the complex spectrogram, BiLSTM, FC masks."""
    def __init__(self, num_person=2, conv_ch=8, lstm_hidden=64):
        super().__init__()
        self.num_person = num_person
        self.convs = nn.Sequential(
            nn.Conv2d(2, 32, (1, 7), padding=(0, 3)), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, (7, 1), padding=(3, 0)), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 32, 5, padding=(4, 4), dilation=(2, 2)), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, conv_ch, 1), nn.BatchNorm2d(conv_ch), nn.ReLU())
        self.lstm = nn.LSTM(conv_ch * N_FREQ, lstm_hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Sequential(nn.Linear(2 * lstm_hidden, 128), nn.ReLU(),
                                nn.Linear(128, num_person * 2 * N_FREQ))

    def forward(self, spec):                                  # (B, 2, T, F)
        batch_size = spec.size(0)
        output_layer = self.convs(spec)                       # (B, 8, T, F)
        height = output_layer.size(2)
        output_layer = output_layer.permute(0, 2, 1, 3).contiguous().view(batch_size, height, -1, 1).permute(0, 2, 1, 3)  # (B, 8*F, T, 1)
        output_layer = output_layer.squeeze(-1).transpose(1, 2)      # (B, T, 8*F)
        output_layer, _ = self.lstm(output_layer)
        masks = torch.sigmoid(self.fc(output_layer))          # (B, T, P*2*F)
        masks = masks.view(batch_size, height, self.num_person, 2, N_FREQ)
        return masks.permute(0, 2, 3, 1, 4)                  # (B, P, 2, T, F)


mixture = torch.randn(24, 2, T_FRAMES, N_FREQ)
target_masks = torch.rand(24, 2, 2, T_FRAMES, N_FREQ)
model = AudioOnlyModel()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-4)
for epoch in range(2):
    for i in range(0, 24, 8):
        pred = model(mixture[i:i + 8])
        loss = F.mse_loss(pred, target_masks[i:i + 8])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
