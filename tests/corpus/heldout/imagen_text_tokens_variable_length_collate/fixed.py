import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

VOCAB, MAX_TEXT_LEN, DIM = 200, 12, 32


class ImageCaptionDataset(Dataset):
    def __init__(self, n=8):
        g = torch.Generator().manual_seed(1)
        self.images = torch.rand(n, 3, 16, 16)
        self.captions = [torch.randint(1, VOCAB, (int(torch.randint(5, MAX_TEXT_LEN + 1, (1,), generator=g)),),
                                       generator=g).tolist() for _ in range(n)]

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        ids = torch.tensor((self.captions[i] + [0] * MAX_TEXT_LEN)[:MAX_TEXT_LEN])
        return self.images[i], ids


class TextConditionedUnet(nn.Module):
    def __init__(self):
        super().__init__()
        self.text_emb = nn.Embedding(VOCAB, DIM, padding_idx=0)
        self.inp = nn.Conv2d(3, DIM, 3, padding=1)
        self.out = nn.Conv2d(DIM, 3, 3, padding=1)

    def forward(self, noisy, text_ids):
        mask = (text_ids != 0).float().unsqueeze(-1)
        cond = (self.text_emb(text_ids) * mask).sum(1) / mask.sum(1).clamp(min=1)
        h = F.silu(self.inp(noisy) + cond[:, :, None, None])
        return self.out(h)


unet = TextConditionedUnet()
optimizer = torch.optim.Adam(unet.parameters(), lr=1e-4)
dl = DataLoader(ImageCaptionDataset(), batch_size=4, shuffle=True)


def cycle(dl):
    while True:
        for data in dl:
            yield data


dl_iter = cycle(dl)
for step in range(3):
    images, texts = next(dl_iter)
    noise = torch.randn_like(images)
    t = torch.rand(images.size(0), 1, 1, 1)
    noisy = (1 - t) * images + t * noise
    loss = F.mse_loss(unet(noisy, texts), noise)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, loss.item())
