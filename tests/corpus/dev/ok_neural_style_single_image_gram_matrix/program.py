import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

imsize = 64
content_img = torch.rand(1, 3, imsize, imsize)      # one image, batch of one by design
style_img = torch.rand(1, 3, imsize, imsize)


def gram_matrix(input):
    a, b, c, d = input.size()                        # a = batch size (= 1), b = feature maps
    features = input.view(a * b, c * d)
    G = torch.mm(features, features.t())
    return G.div(a * b * c * d)


class ContentLoss(nn.Module):
    def __init__(self, target):
        super().__init__()
        self.target = target.detach()

    def forward(self, input):
        self.loss = F.mse_loss(input, self.target)
        return input


class StyleLoss(nn.Module):
    def __init__(self, target_feature):
        super().__init__()
        self.target = gram_matrix(target_feature).detach()

    def forward(self, input):
        self.loss = F.mse_loss(gram_matrix(input), self.target)
        return input


features = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU()).eval()
for p in features.parameters():
    p.requires_grad_(False)

model, content_losses, style_losses = nn.Sequential(), [], []
for i, layer in enumerate(features):
    model.add_module(str(i), layer)
    if isinstance(layer, nn.Conv2d) and i in (0, 2, 5, 7):
        sl = StyleLoss(model(style_img))
        model.add_module(f'style_{i}', sl)
        style_losses.append(sl)
    if i == 5:
        cl = ContentLoss(model(content_img))
        model.add_module('content', cl)
        content_losses.append(cl)

input_img = content_img.clone().requires_grad_(True)
optimizer = torch.optim.LBFGS([input_img])
for run in range(3):
    def closure():
        with torch.no_grad():
            input_img.clamp_(0, 1)
        optimizer.zero_grad()
        model(input_img)
        style_score = sum(sl.loss for sl in style_losses) * 1e5
        content_score = sum(cl.loss for cl in content_losses)
        loss = style_score + content_score
        loss.backward()
        return loss
    loss = optimizer.step(closure)
    print('run', run, 'loss', round(loss.item(), 4))
with torch.no_grad():
    input_img.clamp_(0, 1)
output = input_img.squeeze(0)                         # [3, 64, 64] image to save
print('output image', tuple(output.shape))
