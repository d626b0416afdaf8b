import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        idt = x if self.down is None else self.down(x)
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + idt)


class ResNetFeatures(nn.Module):
    """Model module as exported for the database: returns class predictions and a feature vector."""
    def __init__(self, num_classes=100):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.layers = nn.Sequential(BasicBlock(32, 32, 1), BasicBlock(32, 64, 2), BasicBlock(64, 128, 2))
        self.fc = nn.Linear(128, num_classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        features = F.adaptive_avg_pool2d(x, 1).flatten(1)       # [B, 128]
        logits = self.fc(features)                               # [B, num_classes]
        preds = F.softmax(logits, dim=1)
        return preds, F.normalize(features, dim=1)


model = ResNetFeatures().eval()
images = torch.randn(16, 3, 64, 64)                              # a batch of images to index
with torch.no_grad():
    preds, features = model(images)
top_p, top_class = preds.topk(5, dim=1)
index = []
for i in range(images.size(0)):
    index.append({'item': i, 'classes': top_class[i].tolist(),
                  'probs': [round(p, 4) for p in top_p[i].tolist()], 'vector': features[i]})
query = features[3]
scores = torch.stack([entry['vector'] for entry in index]) @ query
print('item 3 top-5', index[3]['classes'], index[3]['probs'])
print('nearest to item 3', scores.topk(3).indices.tolist())
