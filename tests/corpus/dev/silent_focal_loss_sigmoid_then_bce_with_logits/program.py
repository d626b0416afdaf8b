import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class FocalLoss(nn.Module):
    """Binary / multi-label focal loss on logits."""
    def __init__(self, gamma=2.0, alpha=0.25):
        super().__init__()
        self.gamma, self.alpha = gamma, alpha

    def forward(self, inputs, targets):
        probs = torch.sigmoid(inputs)
        bce = F.binary_cross_entropy_with_logits(probs, targets, reduction='none')
        p_t = probs * targets + (1 - probs) * (1 - targets)
        alpha_t = self.alpha * targets + (1 - self.alpha) * (1 - targets)
        return (alpha_t * (1 - p_t) ** self.gamma * bce).mean()


model = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
                      nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                      nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 6))
criterion = FocalLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
images = torch.randn(32, 3, 48, 48)
tags = (torch.rand(32, 6) < 0.2).float()                    # multi-label: 6 independent tags
for step in range(10):
    logits = model(images)
    loss = criterion(logits, tags)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('focal loss', loss.item())
