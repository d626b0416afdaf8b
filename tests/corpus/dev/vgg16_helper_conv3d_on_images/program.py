import torch
import torch.nn as tnn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

BATCH_SIZE = 8
N_CLASSES = 10


def conv_layer(chann_in, chann_out, k_size, p_size):
    layer = tnn.Sequential(
        tnn.Conv3d(chann_in, chann_out, kernel_size=k_size, padding=p_size),
        tnn.BatchNorm3d(chann_out),
        tnn.ReLU()
    )
    return layer


def vgg_conv_block(in_list, out_list, k_list, p_list, pooling_k, pooling_s):
    layers = [conv_layer(in_list[i], out_list[i], k_list[i], p_list[i]) for i in range(len(in_list))]
    layers += [tnn.MaxPool2d(kernel_size=pooling_k, stride=pooling_s)]
    return tnn.Sequential(*layers)


def vgg_fc_layer(size_in, size_out):
    return tnn.Sequential(tnn.Linear(size_in, size_out), tnn.BatchNorm1d(size_out), tnn.ReLU())


class VGG16(tnn.Module):
    def __init__(self, n_classes=N_CLASSES):
        super().__init__()
        self.layer1 = vgg_conv_block([3, 16], [16, 16], [3, 3], [1, 1], 2, 2)
        self.layer2 = vgg_conv_block([16, 32], [32, 32], [3, 3], [1, 1], 2, 2)
        self.layer3 = vgg_conv_block([32, 64], [64, 64], [3, 3], [1, 1], 2, 2)
        self.layer6 = vgg_fc_layer(4 * 4 * 64, 128)
        self.layer8 = tnn.Linear(128, n_classes)

    def forward(self, x):
        out = self.layer3(self.layer2(self.layer1(x)))
        vgg16_features = out.view(out.size(0), -1)
        return self.layer8(self.layer6(vgg16_features))


trainLoader = DataLoader(TensorDataset(torch.rand(32, 3, 32, 32), torch.randint(0, N_CLASSES, (32,))),
                         batch_size=BATCH_SIZE, shuffle=True)
vgg16 = VGG16()
cost = tnn.CrossEntropyLoss()
optimizer = torch.optim.Adam(vgg16.parameters(), lr=1e-3)
for epoch in range(1):
    for images, labels in trainLoader:
        optimizer.zero_grad()
        outputs = vgg16(images)
        loss = cost(outputs, labels)
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
