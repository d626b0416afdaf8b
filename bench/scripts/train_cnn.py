"""A real small CNN trained for 200 steps on MNIST-sized synthetic data (batch 64), on the CPU.

    python bench/scripts/train_cnn.py [--steps 200]
    tensorsight run bench/scripts/train_cnn.py [--steps 200]

Prints one JSON line with the training loop's own wall and CPU time (imports and data excluded),
so the watch-mode overhead can be told apart from start-up costs.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 7 * 7, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.flatten(1)
        return self.fc2(F.relu(self.fc1(x)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    images = torch.randn(2048, 1, 28, 28)        # MNIST-sized synthetic data
    labels = torch.randint(0, 10, (2048,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, labels),
                                         batch_size=args.batch, shuffle=True, drop_last=True)
    model = SmallCNN()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    step, t0, c0 = 0, time.perf_counter(), time.process_time()
    while step < args.steps:
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            step += 1
            if step == args.steps:
                break
    print(json.dumps({"steps": step, "loop_s": time.perf_counter() - t0,
                      "loop_cpu_s": time.process_time() - c0, "loss": loss.item()}), flush=True)


if __name__ == "__main__":
    main()
