import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

NUM_CLASSES = 20


class MyCoTransform:
    def __init__(self, enc, height=512):
        self.enc = enc
        self.height = height

    def __call__(self, image, target):
        h, w = self.height, self.height * 2
        image = F.interpolate(image[None], size=(h, w), mode='bilinear', align_corners=False)[0]
        if self.enc:
            h, w = h // 8, w // 8
        target = F.interpolate(target[None, None].float(), size=(h, w), mode='nearest')[0, 0].long()
        return image, target


class Cityscapes(Dataset):
    def __init__(self, co_transform, n=4):
        self.images = torch.rand(n, 3, 128, 256)
        self.labels = torch.randint(0, NUM_CLASSES, (n, 128, 256))
        self.co_transform = co_transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.co_transform(self.images[i], self.labels[i])


class Net(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                                     nn.Conv2d(32, 64, 3, 2, 1), nn.ReLU())
        self.enc_out = nn.Conv2d(64, num_classes, 1)
        self.decoder = nn.Sequential(nn.ConvTranspose2d(64, 32, 2, 2), nn.ReLU(), nn.ConvTranspose2d(32, 16, 2, 2),
                                     nn.ReLU(), nn.ConvTranspose2d(16, num_classes, 2, 2))

    def forward(self, x, only_encode=False):
        f = self.encoder(x)
        return self.enc_out(f) if only_encode else self.decoder(f)


co_transform = MyCoTransform(enc=False, height=64)
loader = DataLoader(Cityscapes(co_transform), batch_size=2, shuffle=True)
model = Net(NUM_CLASSES)
criterion = nn.NLLLoss(ignore_index=19)
optimizer = torch.optim.Adam(model.parameters(), 5e-4, (0.9, 0.999), eps=1e-08, weight_decay=1e-4)
for step, (images, labels) in enumerate(loader):
    outputs = model(images, only_encode=False)
    loss = criterion(F.log_softmax(outputs, dim=1), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
