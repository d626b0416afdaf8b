"""A vocabulary of 50 sharded row-wise over the tensor-parallel ranks."""
import torch
import torch.distributed as dist
import torch.nn as nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor.parallel import RowwiseParallel, parallelize_module


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, tokens):
        return self.out(self.embed(tokens))


dist.init_process_group("gloo")
mesh = init_device_mesh("cpu", (dist.get_world_size(),), mesh_dim_names=("tp",))
model = parallelize_module(Tagger(), mesh, {"embed": RowwiseParallel()})
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loss = model(torch.zeros(2, 5, dtype=torch.long)).sum()
loss.backward()
opt.step()
dist.destroy_process_group()
