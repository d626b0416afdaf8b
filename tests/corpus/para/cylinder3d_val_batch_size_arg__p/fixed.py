import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(13)

cfg = {"eval_batch": 8, "frames": 5, "feat": 6, "classes": 3}


class FrameAggregator(nn.Module):
    def __init__(self, frames, feat, classes):
        super().__init__()
        self.frame_enc = nn.Linear(feat, feat)
        self.clf = nn.Linear(frames * feat, classes)

    def forward(self, clips, batch_size):
        enc = torch.tanh(self.frame_enc(clips.reshape(-1, clips.size(-1))))   # [B*T, F]
        flat = enc.reshape(batch_size, -1)                                    # [B, T*F]
        return self.clf(flat)


def evaluate(model, loader, bs):
    correct = total = 0
    model.eval()
    with torch.no_grad():
        for clip, lab in loader:
            pred = model(clip, clip.size(0)).argmax(1)
            correct += (pred == lab).sum().item()
            total += lab.numel()
    return correct / total


clips = torch.randn(20, cfg["frames"], cfg["feat"])
labels = torch.randint(0, cfg["classes"], (20,))
val_loader = DataLoader(TensorDataset(clips, labels), batch_size=cfg["eval_batch"])
model = FrameAggregator(cfg["frames"], cfg["feat"], cfg["classes"])
print("val acc", evaluate(model, val_loader, cfg["eval_batch"]))
