import torch
import torch.nn as nn
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

CLIP_LEN, SIZE = 16, 56


class VideoClips(Dataset):
    def __init__(self, n_videos=8, n_classes=5):
        self.videos = [torch.rand(CLIP_LEN + 4, 3, SIZE, SIZE) for _ in range(n_videos)]
        self.labels = torch.randint(0, n_classes, (n_videos,))

    def __len__(self):
        return len(self.videos)

    def __getitem__(self, i):
        start = int(torch.randint(0, 5, (1,)))
        frames = [self.videos[i][t] for t in range(start, start + CLIP_LEN)]   # each frame: [3, H, W]
        clip = torch.stack(frames).permute(1, 0, 2, 3)
        return clip, self.labels[i]


class C3D(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.conv1 = nn.Conv3d(3, 16, kernel_size=3, padding=1)
        self.pool1 = nn.MaxPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2))
        self.conv2 = nn.Conv3d(16, 32, kernel_size=3, padding=1)
        self.pool2 = nn.MaxPool3d(kernel_size=2, stride=2)
        self.fc = nn.Linear(32 * 8 * 14 * 14, num_classes)
        self.relu = nn.ReLU()

    def forward(self, x):
        h = self.pool1(self.relu(self.conv1(x)))
        h = self.pool2(self.relu(self.conv2(h)))
        return self.fc(h.flatten(1))


loader = DataLoader(VideoClips(), batch_size=4, shuffle=True)
model = C3D()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
criterion = nn.CrossEntropyLoss()
for inputs, labels in loader:
    outputs = model(inputs)
    loss = criterion(outputs, labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
