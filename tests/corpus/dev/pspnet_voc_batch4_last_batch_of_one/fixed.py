import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

config = {
    "arch": {"type": "PSPNet", "args": {"num_classes": 21, "bin_sizes": [1, 2, 3, 6]}},
    "train_loader": {
        "type": "VOC",
        "args": {
            "base_size": 80,
            "crop_size": 64,
            "batch_size": 6,
            "shuffle": True,
        },
    },
    "trainer": {"epochs": 1},
}


class VOCDataset(Dataset):
    def __init__(self, n_images, crop_size, num_classes):
        self.n = n_images
        self.crop = crop_size
        self.num_classes = num_classes

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        image = torch.rand(3, self.crop, self.crop)
        label = torch.randint(0, self.num_classes, (self.crop, self.crop))
        return image, label


class PSPModule(nn.Module):
    def __init__(self, in_channels, bin_sizes):
        super().__init__()
        out_channels = in_channels // len(bin_sizes)
        self.stages = nn.ModuleList([self._make_stage(in_channels, out_channels, b) for b in bin_sizes])
        self.bottleneck = nn.Sequential(
            nn.Conv2d(in_channels + out_channels * len(bin_sizes), out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))

    def _make_stage(self, in_channels, out_channels, bin_sz):
        return nn.Sequential(nn.AdaptiveAvgPool2d(output_size=bin_sz),
                             nn.Conv2d(in_channels, out_channels, 1, bias=False),
                             nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))

    def forward(self, features):
        h, w = features.size(2), features.size(3)
        pyramids = [features]
        pyramids.extend([F.interpolate(stage(features), size=(h, w), mode='bilinear', align_corners=True)
                         for stage in self.stages])
        return self.bottleneck(torch.cat(pyramids, dim=1))


class PSPNet(nn.Module):
    def __init__(self, num_classes, bin_sizes):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
            nn.Conv2d(32, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
            nn.Conv2d(64, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True))
        self.master_branch = nn.Sequential(PSPModule(64, bin_sizes), nn.Conv2d(16, num_classes, 1))

    def forward(self, x):
        input_size = (x.size(2), x.size(3))
        x = self.backbone(x)
        output = self.master_branch(x)
        return F.interpolate(output, size=input_size, mode='bilinear', align_corners=False)


# VOC train split stand-in: 21 images
loader_args = config["train_loader"]["args"]
train_set = VOCDataset(21, loader_args["crop_size"], config["arch"]["args"]["num_classes"])
train_loader = DataLoader(train_set, batch_size=loader_args["batch_size"], shuffle=loader_args["shuffle"])
model = PSPNet(**config["arch"]["args"])
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss(ignore_index=255)

for epoch in range(config["trainer"]["epochs"]):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        output = model(data)
        loss = loss_fn(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
