"""A two-layer MLP sharded with tensor parallelism: `tensorsight trace examples/sharded_mlp.py:build
--input 8x64 --world-size 4 --rank 1` shows each rank's local shapes and the all-reduce."""
import torch.distributed as dist
import torch.nn as nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor.parallel import ColwiseParallel, RowwiseParallel, parallelize_module


class MLP(nn.Module):
    def __init__(self, dim=64, hidden=256):
        super().__init__()
        self.up = nn.Linear(dim, hidden)
        self.down = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.down(self.up(x).relu())


def build():
    if not dist.is_initialized():  # under torchrun; tensorsight --world-size has set it up already
        dist.init_process_group("gloo")
    mesh = init_device_mesh("cpu", (dist.get_world_size(),), mesh_dim_names=("tp",))
    return parallelize_module(MLP(), mesh, {"up": ColwiseParallel(), "down": RowwiseParallel()})
