"""A tensor-parallel MLP written for torchrun; `--plan` picks how the layers are sharded."""
import argparse

import torch
import torch.distributed as dist
import torch.nn as nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module

parser = argparse.ArgumentParser()
parser.add_argument("--hidden", type=int, default=64)
parser.add_argument("--plan", choices=("megatron", "colwise_twice"), default="megatron")
opts = parser.parse_args()


class MLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.up = nn.Linear(dim, hidden)
        self.mid = nn.Linear(hidden, hidden)
        self.down = nn.Linear(hidden, dim)

    def forward(self, x):
        h = torch.relu(self.up(x))
        h = torch.relu(self.mid(h))
        return self.down(h)


dist.init_process_group("gloo")
mesh = init_device_mesh("cpu", (dist.get_world_size(),), mesh_dim_names=("tp",))
torch.manual_seed(0)
model = MLP(16, opts.hidden)
if opts.plan == "megatron":
    plan = {"up": ColwiseParallel(), "mid": RowwiseParallel()}
else:
    plan = {
        "up": ColwiseParallel(),
        "mid": ColwiseParallel(),
    }
parallelize_module(model, mesh, plan)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(2):
    loss = model(torch.randn(4, 16)).pow(2).mean()
    loss.backward()
    opt.step()
    opt.zero_grad()
print("done", dist.get_rank())
dist.destroy_process_group()
