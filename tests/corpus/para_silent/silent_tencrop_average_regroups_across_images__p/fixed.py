import torch
import torch.nn as nn

torch.manual_seed(0)

net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                    nn.Flatten(), nn.Linear(16, 5))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
xs, ys = torch.randn(40, 3, 24, 24), torch.randint(0, 5, (40,))
for step in range(3):
    loss = nn.functional.cross_entropy(net(xs), ys)
    opt.zero_grad()
    loss.backward()
    opt.step()


def predict_tta(model, x):
    b = x.shape[0]
    both = torch.cat([x, torch.flip(x, dims=[3])], dim=0)
    out = model(both)
    probs = out.softmax(1).view(2, b, -1).mean(0)
    return probs


net.eval()
with torch.no_grad():
    test_x, test_y = torch.randn(6, 3, 24, 24), torch.randint(0, 5, (6,))
    p = predict_tta(net, test_x)
print(p.shape, (p.argmax(1) == test_y).float().mean().item())
