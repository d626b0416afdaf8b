import torch
import torch.nn as nn

torch.manual_seed(0)


def patchify(img, p):
    b, c, h, w = img.shape
    gh, gw = h // p, w // p
    x = img.view(b, c, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(b, gh * gw, c * p * p)


class PatchMLP(nn.Module):
    def __init__(self, p=4, dim=32):
        super().__init__()
        self.p = p
        self.tok = nn.Linear(3 * p * p, dim)
        self.head = nn.Linear(dim, 6)

    def forward(self, img):
        return self.head(torch.relu(self.tok(patchify(img, self.p))).mean(dim=1))


model = PatchMLP()
opt = torch.optim.SGD(model.parameters(), lr=0.05)
imgs, y = torch.randn(12, 3, 16, 16), torch.randint(0, 6, (12,))
for step in range(3):
    loss = nn.functional.cross_entropy(model(imgs), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(loss.item())
