import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)

CFG = {"sample_rate": 8000, "channels": [24, 24, 40], "kernels": [8, 4, 4], "strides": [4, 2, 2],
       "n_keywords": 6}


class KeywordSpotter(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        chans = [1] + cfg["channels"]
        self.convs = nn.ModuleList(
            nn.Conv1d(chans[i], chans[i + 1], cfg["kernels"][i], stride=cfg["strides"][i])
            for i in range(len(cfg["channels"])))
        self.head = nn.Linear(chans[-1], cfg["n_keywords"])

    def forward(self, audio):
        h = audio.unsqueeze(1)  # [B, T] -> [B, 1, T]
        for conv in self.convs:
            h = F.relu(conv(h))
        return self.head(h.mean(dim=2))


def load_clip(seconds=1.0):
    # a mono waveform, as torchaudio.load(...)[0][0] would give it
    return torch.randn(int(CFG["sample_rate"] * seconds))


def prepare(clip):
    batch = clip.unsqueeze(0)
    return batch


net = KeywordSpotter(CFG).eval()
with torch.no_grad():
    scores = net(prepare(load_clip()))
print(scores.softmax(-1))
