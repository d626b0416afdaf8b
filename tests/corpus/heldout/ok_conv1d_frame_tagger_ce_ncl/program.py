import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class DilatedResidualLayer(nn.Module):
    def __init__(self, dilation, channels):
        super().__init__()
        self.conv_dilated = nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation)
        self.conv_1x1 = nn.Conv1d(channels, channels, 1)

    def forward(self, x):
        return x + self.conv_1x1(F.relu(self.conv_dilated(x)))


class SingleStageTCN(nn.Module):
    def __init__(self, num_layers=5, num_f_maps=32, dim=48, num_classes=7):
        super().__init__()
        self.conv_in = nn.Conv1d(dim, num_f_maps, 1)
        self.layers = nn.Sequential(*[DilatedResidualLayer(2 ** i, num_f_maps) for i in range(num_layers)])
        self.conv_out = nn.Conv1d(num_f_maps, num_classes, 1)

    def forward(self, x):                                     # [N, dim, L] frame features
        return self.conv_out(self.layers(self.conv_in(x)))    # [N, classes, L]


model = SingleStageTCN()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
features = torch.randn(4, 48, 300)
frame_labels = torch.randint(0, 7, (4, 300))
frame_labels[:, 280:] = -100                                  # padded frames
for epoch in range(5):
    logits = model(features)
    loss = F.cross_entropy(logits, frame_labels, ignore_index=-100)
    loss = loss + 0.15 * torch.clamp(F.mse_loss(F.log_softmax(logits[:, :, 1:], dim=1),
                                                F.log_softmax(logits.detach()[:, :, :-1], dim=1)), max=16)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
acc = (logits.argmax(dim=1) == frame_labels)[:, :280].float().mean()
print(logits.shape, loss.item(), acc.item())
