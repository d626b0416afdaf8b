import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

class_names = ['ants', 'bees', 'wasps']
model = nn.Sequential(
    nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
    nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, len(class_names)))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
train_x, train_y = torch.randn(32, 3, 64, 64), torch.randint(0, 3, (32,))
for epoch in range(2):
    model.train()
    loss = F.cross_entropy(model(train_x), train_y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

gallery = [torch.randn(3, 64, 64) for _ in range(5)]         # images arrive one at a time
model.eval()
with torch.no_grad():
    for idx, img in enumerate(gallery):
        probs = F.softmax(model(img.unsqueeze(0)), dim=1).squeeze()   # [1, 3] -> [3]
        top_p, top_class = probs.max(dim=0)
        print(f'image {idx}: predicted {class_names[top_class]} ({top_p.item():.2f})')
