import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

N_FFT = 80
HOP = 128
MIN_SAMPLES = 4800


def spectrogram(wave):
    frames = wave.unfold(0, N_FFT, HOP)                      # [T, N_FFT]
    spec = torch.fft.rfft(frames * torch.hann_window(N_FFT)).abs()
    return torch.log1p(spec).T.unsqueeze(0)                  # [1, F, T]


class AudioCRNN(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3), nn.BatchNorm2d(16), nn.ELU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3), nn.BatchNorm2d(32), nn.ELU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3), nn.BatchNorm2d(32), nn.ELU())
        self.rnn = nn.GRU(32, 32, batch_first=True)
        self.out = nn.Linear(32, n_classes)

    def forward(self, spec):
        x = self.net(spec)                  # [B, C, F', T']
        x = x.mean(dim=2).transpose(1, 2)   # [B, T', C]
        _, h = self.rnn(x)
        return self.out(h[-1])


class FolderOfClips(Dataset):
    def __init__(self, lengths):
        self.waves = [torch.randn(n) for n in lengths]
        self.labels = torch.randint(0, 10, (len(lengths),))

    def __len__(self):
        return len(self.waves)

    def __getitem__(self, i):
        wave = self.waves[i]
        return spectrogram(wave), self.labels[i]


model = AudioCRNN()
model.eval()
# inference on a fold of short clips (7913-3-*.wav are ~0.05 s)
test_loader = DataLoader(FolderOfClips([1500, 1500, 1500]), batch_size=1)
with torch.no_grad():
    for spec, label in test_loader:
        pred = model(spec).argmax(dim=1)
        print('pred', pred.item(), 'label', label.item())
