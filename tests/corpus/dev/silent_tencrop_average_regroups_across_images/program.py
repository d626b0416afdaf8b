import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

model = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
                      nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
train_x, train_y = torch.randn(64, 3, 32, 32), torch.randint(0, 10, (64,))
for epoch in range(3):
    model.train()
    loss = F.cross_entropy(model(train_x), train_y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

# test time: every image comes as 10 crops, [bs, ncrops, c, h, w]
test_crops = torch.randn(4, 10, 3, 32, 32)
test_y = torch.randint(0, 10, (4,))
model.eval()
with torch.no_grad():
    bs, ncrops, c, h, w = test_crops.size()
    result = model(test_crops.view(-1, c, h, w))              # fuse batch size and ncrops: [40, 10]
    result_avg = result.view(ncrops, bs, -1).mean(0)          # avg over crops
    acc = (result_avg.argmax(dim=1) == test_y).float().mean()
print(result_avg.shape, 'ten-crop acc', acc.item())
