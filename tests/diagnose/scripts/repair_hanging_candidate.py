import time

import torch
import torch.nn as nn

net = nn.Linear(20, 5)
x = torch.randn(4, 10)
while net.in_features == 10:     # with the layer fixed, this script never ends
    time.sleep(0.01)
print(net(x).sum())
