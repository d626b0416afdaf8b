import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

torch.manual_seed(0)
np.random.seed(0)

IMG_SIZE = 128


def make_glyph_png(seed):
    """Stand-in for a reference glyph rendered and saved by the font tool (RGB PNG)."""
    rng = np.random.default_rng(seed)
    g = (rng.random((IMG_SIZE, IMG_SIZE)) > 0.7).astype(np.uint8) * 255
    return Image.fromarray(np.stack([g, g, g], -1), mode='RGB')


def load_glyph(img):
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0)
    if x.dim() == 2:
        x = x.unsqueeze(-1)
    return x.permute(2, 0, 1) * 2 - 1                    # [C, H, W] in [-1, 1]


class StyleEncoder(nn.Module):
    def __init__(self, C=32):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, C, 3, 1, 1), nn.ReLU(), nn.Conv2d(C, C * 2, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(C * 2, C * 4, 4, 2, 1), nn.ReLU())

    def forward(self, x):
        return self.layers(x)


class Generator(nn.Module):
    def __init__(self, C=32):
        super().__init__()
        self.enc = StyleEncoder(C)
        self.dec = nn.Sequential(nn.ConvTranspose2d(C * 4, C * 2, 4, 2, 1), nn.ReLU(),
                                 nn.ConvTranspose2d(C * 2, C, 4, 2, 1), nn.ReLU(), nn.Conv2d(C, 1, 3, 1, 1), nn.Tanh())

    def forward(self, ref_imgs):                          # [n_ref, 1, H, W] -> one generated glyph
        style = self.enc(ref_imgs).mean(0, keepdim=True)
        return self.dec(style)


gen = Generator()
gen.eval()
refs = [make_glyph_png(s) for s in range(4)]
target = load_glyph(make_glyph_png(99).convert('L'))
with torch.no_grad():
    ref_batch = torch.stack([load_glyph(img.convert('L')) for img in refs])
    out = gen(ref_batch)
print('val L1', F.l1_loss(out[0], target).item())
