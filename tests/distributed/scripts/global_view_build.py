"""The small transformer's attention with the global head count in its view, for `trace FILE:build`."""
import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh

import nets


class GlobalViewAttention(nets.Attention):
    def forward(self, x):
        B, T, _ = x.shape
        q = self.wq(x).view(B, T, self.heads, self.head_dim)
        return self.wo(q.reshape(B, T, -1))


def build():
    mesh = init_device_mesh("cpu", (dist.get_world_size(),), mesh_dim_names=("tp",))
    model = nets.TinyTransformer(layers=1)
    model.blocks[0].attn = GlobalViewAttention()
    return nets.tensor_parallel(model, mesh)
