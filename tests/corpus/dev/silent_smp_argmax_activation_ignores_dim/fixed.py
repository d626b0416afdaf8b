import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class ArgMax(nn.Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return torch.argmax(x, dim=self.dim)


class Activation(nn.Module):
    def __init__(self, name, **params):
        super().__init__()
        if name is None or name == 'identity':
            self.activation = nn.Identity(**params)
        elif name == 'softmax2d':
            self.activation = nn.Softmax(dim=1, **params)
        elif name == 'argmax':
            self.activation = ArgMax(**params)
        elif name == 'argmax2d':
            self.activation = ArgMax(dim=1, **params)
        else:
            raise ValueError(name)

    def forward(self, x):
        return self.activation(x)


class TinyUnet(nn.Module):
    def __init__(self, classes=4, activation=None):
        super().__init__()
        self.enc1 = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU())
        self.enc2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())
        self.dec = nn.Sequential(nn.Conv2d(48, 16, 3, padding=1), nn.ReLU())
        self.segmentation_head = nn.Conv2d(16, classes, 1)
        self.activation = Activation(activation)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = F.interpolate(self.enc2(e1), scale_factor=2)
        return self.segmentation_head(self.dec(torch.cat([e1, e2], dim=1)))

    @torch.no_grad()
    def predict(self, x):
        self.eval()
        return self.activation(self.forward(x))


images = torch.randn(32, 3, 32, 32)
masks = torch.randint(0, 4, (32, 32, 32))
model = TinyUnet(classes=4, activation='argmax2d')
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    model.train()
    for i in range(0, 32, 8):
        loss = F.cross_entropy(model(images[i:i + 8]), masks[i:i + 8])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    pred_mask = model.predict(images[:8])
    pixel_acc = (pred_mask == masks[:8]).float().mean().item()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'pixel acc', round(pixel_acc, 4))
