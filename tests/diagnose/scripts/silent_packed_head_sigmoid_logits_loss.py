# A multi-task head packs box offsets and per-attribute scores into one tensor; the scores are
# already sigmoid'ed when the loss, which applies its own sigmoid, slices them back out.
import torch
import torch.nn as nn

torch.manual_seed(0)


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(12, 32), nn.ReLU())
        self.out = nn.Linear(32, 4 + 6)

    def forward(self, x):
        h = self.out(self.body(x))
        boxes = h[:, :4]
        scores = torch.sigmoid(h[:, 4:])
        return torch.cat([boxes, scores], dim=1)


x = torch.randn(64, 12)
box_t = torch.randn(64, 4)
attr_t = (torch.rand(64, 6) > 0.5).float()
model = Head()
bce = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    packed = model(x)
    loss = nn.functional.mse_loss(packed[:, :4], box_t) + bce(packed[:, 4:], attr_t)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("loss", round(loss.item(), 3))
