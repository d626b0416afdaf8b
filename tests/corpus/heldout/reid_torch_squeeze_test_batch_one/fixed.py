import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


class ClassBlock(nn.Module):
    def __init__(self, input_dim, class_num, num_bottleneck=32):
        super().__init__()
        self.add_block = nn.Sequential(nn.Linear(input_dim, num_bottleneck), nn.BatchNorm1d(num_bottleneck),
                                       nn.LeakyReLU(0.1), nn.Dropout(p=0.5))
        self.classifier = nn.Linear(num_bottleneck, class_num)

    def forward(self, x):
        return self.classifier(self.add_block(x))


class ft_net(nn.Module):
    def __init__(self, class_num):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.BatchNorm2d(32), nn.ReLU(),
                                      nn.Conv2d(32, 64, 3, 2, 1), nn.BatchNorm2d(64), nn.ReLU())
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = ClassBlock(64, class_num)

    def forward(self, x):
        x = self.avgpool(self.backbone(x))
        x = x.view(x.size(0), -1)
        return self.classifier(x)


def extract_feature(model, dataloader):
    features = []
    for img, _ in dataloader:
        outputs = model(img)
        features.append(outputs / outputs.norm(dim=1, keepdim=True))
    return torch.cat(features, 0)


model = ft_net(class_num=751)
model.eval()
gallery = TensorDataset(torch.rand(9, 3, 64, 32), torch.zeros(9))
gallery_loader = DataLoader(gallery, batch_size=4, shuffle=False)
with torch.no_grad():
    gallery_feature = extract_feature(model, gallery_loader)
print(gallery_feature.shape)
