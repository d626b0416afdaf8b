"""The seed question, answered: "Is there a function in PyTorch for converting convolutions to
fully-connected form?" -- the matrix B with conv(x).flatten() == B @ x.flatten() (+ bias).

Run:  python examples/conv_as_matrix.py
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

import tensorsight

torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)


def check(name, got, expected):
    ok = torch.allclose(got, expected, atol=1e-5)
    print(f"{name}: max |B·x - conv(x)| = {(got - expected).abs().max().item():.2e} -> "
          f"{'equal' if ok else 'DIFFERENT'}")
    assert ok


# 1. The question's own example: a 3x3 input, a 2x2 kernel, no padding (the functional form).
kernel = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
B, _ = tensorsight.conv_matrix("conv2d", (1, 3, 3), weight=kernel.view(1, 1, 2, 2))
print("3x3 input, 2x2 kernel [[1, 2], [3, 4]]: B =")
print(B.to_dense())
x = torch.arange(9.0).view(1, 1, 3, 3)
check("3x3 / 2x2", B @ x.flatten(), F.conv2d(x, kernel.view(1, 1, 2, 2)).flatten())
print()

# 2. The follow-up with circular padding: 3 output channels, 2 input channels, 3x3 kernel,
#    2x5x5 input, circular padding 1 (one of the answers' loops cannot do this).
torch.manual_seed(0)
conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular")
B, b = tensorsight.conv_matrix(conv, (2, 5, 5))
print(f"Conv2d(2, 3, 3, padding=1, padding_mode='circular') on 2x5x5: B is {tuple(B.shape)}, "
      f"{B._nnz()} stored entries, bias vector of {b.numel()}")
print("first row of B (output channel 0, position (0, 0)), as the two 5x5 input channels it reads:")
print(B.to_dense()[0].view(2, 5, 5))
x = torch.randn(4, 2, 5, 5)
check("circular, batch of 4", (B @ x.flatten(1).T).T + b, conv(x).flatten(1))
print()

# 3. The same conv as a fully-connected layer on flattened inputs.
linear = tensorsight.conv_to_linear(conv, (2, 5, 5), layout="dense")
print(f"as {linear}")
check("nn.Linear", linear(x.flatten(1)), conv(x).flatten(1))
print()

# 4. Where the matrix comes from: the im2col view of which pixels each output reads.
print(tensorsight.explain_im2col(conv, (2, 5, 5), position=(0, 0)))
