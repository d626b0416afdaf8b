import random
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
random.seed(0)

h = {'segment_size': 8192, 'hop_size': 256, 'num_mels': 80, 'batch_size': 16, 'learning_rate': 2e-4}


def mel_spectrogram(y, n_mels=80, hop=256):
    frames = y.unfold(-1, hop, hop)                  # [B, T/hop, hop]
    spec = torch.fft.rfft(frames, dim=-1).abs()      # [B, frames, hop/2+1]
    fb = torch.linspace(0, 1, spec.size(-1) * n_mels).view(spec.size(-1), n_mels)
    return torch.log(torch.clamp(spec @ fb, min=1e-5)).transpose(1, 2)  # [B, n_mels, frames]


class MelDataset(Dataset):
    def __init__(self, clip_lengths, segment_size):
        self.clips = [torch.randn(n) * 0.1 for n in clip_lengths]
        self.segment_size = segment_size

    def __len__(self):
        return len(self.clips)

    def __getitem__(self, index):
        audio = self.clips[index]
        start = random.randint(0, max(0, audio.size(0) - self.segment_size))
        audio = F.pad(audio[start:start + self.segment_size], (0, max(0, self.segment_size - audio.size(0))))
        return audio


class Generator(nn.Module):
    def __init__(self, n_mels=80, hop=256):
        super().__init__()
        self.pre = nn.Conv1d(n_mels, 64, 7, padding=3)
        self.up = nn.ConvTranspose1d(64, 16, hop, stride=hop)
        self.post = nn.Conv1d(16, 1, 7, padding=3)

    def forward(self, mel):
        return torch.tanh(self.post(F.leaky_relu(self.up(F.leaky_relu(self.pre(mel)))))).squeeze(1)


# utterances synthesised by the TTS model: most are long, one is 63 samples short of a segment
lengths = [22050 + 997 * i for i in range(15)] + [8129]
trainset = MelDataset(lengths, h['segment_size'])
train_loader = DataLoader(trainset, batch_size=h['batch_size'], shuffle=False, drop_last=True)

generator = Generator(h['num_mels'], h['hop_size'])
optim_g = torch.optim.AdamW(generator.parameters(), h['learning_rate'], betas=(0.8, 0.99))

for epoch in range(2):
    for y in train_loader:
        x = mel_spectrogram(y, h['num_mels'], h['hop_size'])
        y_g_hat = generator(x)
        y_g_hat_mel = mel_spectrogram(y_g_hat, h['num_mels'], h['hop_size'])
        loss_mel = F.l1_loss(x, y_g_hat_mel) * 45
        optim_g.zero_grad()
        loss_mel.backward()
        optim_g.step()
    print('epoch', epoch, 'mel loss', loss_mel.item())
