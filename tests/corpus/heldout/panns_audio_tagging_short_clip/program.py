import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
rng = np.random.default_rng(0)

SAMPLE_RATE, WINDOW, HOP, MEL_BINS, CLASSES = 32000, 1024, 320, 64, 527


class LogMel(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('window', torch.hann_window(WINDOW))
        self.register_buffer('melW', torch.rand(WINDOW // 2 + 1, MEL_BINS) / 50)

    def forward(self, wav):                                          # [B, samples]
        spec = torch.stft(wav, WINDOW, HOP, window=self.window, center=True, return_complex=True).abs() ** 2
        return torch.log10(spec.transpose(1, 2) @ self.melW + 1e-10).unsqueeze(1)   # [B, 1, frames, mel]


class ConvBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(cin, cout, 3, 1, 1, bias=False), nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn1, self.bn2 = nn.BatchNorm2d(cout), nn.BatchNorm2d(cout)

    def forward(self, x, pool_size=(2, 2)):
        x = F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))
        return F.avg_pool2d(x, kernel_size=pool_size)


class Cnn14(nn.Module):
    def __init__(self, widths=(8, 16, 32, 64, 128, 256)):
        super().__init__()
        self.logmel = LogMel()
        self.bn0 = nn.BatchNorm2d(MEL_BINS)
        chans = (1,) + widths
        self.blocks = nn.ModuleList([ConvBlock(chans[i], chans[i + 1]) for i in range(6)])
        self.fc_audioset = nn.Linear(widths[-1], CLASSES)

    def forward(self, wav):
        x = self.logmel(wav)
        x = self.bn0(x.transpose(1, 3)).transpose(1, 3)
        for i, block in enumerate(self.blocks):
            x = block(x, pool_size=(2, 2) if i < 5 else (1, 1))
        x = torch.mean(x, dim=3)
        x = torch.max(x, dim=2)[0] + torch.mean(x, dim=2)
        return torch.sigmoid(self.fc_audioset(x))


class AudioTagging:
    def __init__(self):
        self.model = Cnn14().eval()

    def inference(self, audio):
        with torch.no_grad():
            return self.model(torch.from_numpy(audio)).numpy()


(audio, _) = (rng.standard_normal(int(0.25 * SAMPLE_RATE)).astype(np.float32) * 0.1, SAMPLE_RATE)   # a 0.25 s clip
audio = audio[None, :]    # (batch_size, segment_samples)
at = AudioTagging()
clipwise_output = at.inference(audio)
print('top classes', np.argsort(clipwise_output[0])[::-1][:5].tolist())
