import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

N_ATOMS, N_DIMS, N_STEPS, N_EDGE_TYPES = 5, 4, 10, 2


def my_softmax(input, axis=1):
    # move the axis to normalise to the front, softmax over dim 0, move it back
    trans_input = input.transpose(axis, 0).contiguous()
    soft_max_1d = F.softmax(trans_input, dim=0)
    return soft_max_1d.transpose(axis, 0)


def encode_onehot(labels):
    return torch.eye(int(labels.max()) + 1)[labels]


off_diag = torch.ones(N_ATOMS, N_ATOMS) - torch.eye(N_ATOMS)
rel_rec = encode_onehot(off_diag.nonzero()[:, 0])           # [E=20, N_ATOMS]
rel_send = encode_onehot(off_diag.nonzero()[:, 1])


class MLPEncoder(nn.Module):
    def __init__(self, n_in=N_STEPS * N_DIMS, n_hid=64, n_out=N_EDGE_TYPES):
        super().__init__()
        self.mlp1 = nn.Sequential(nn.Linear(n_in, n_hid), nn.ELU())
        self.mlp2 = nn.Sequential(nn.Linear(2 * n_hid, n_hid), nn.ELU())
        self.fc_out = nn.Linear(n_hid, n_out)

    def forward(self, inputs):                                 # [B, atoms, steps, dims]
        x = self.mlp1(inputs.reshape(inputs.size(0), inputs.size(1), -1))
        edges = torch.cat([torch.matmul(rel_send, x), torch.matmul(rel_rec, x)], dim=2)
        return self.fc_out(self.mlp2(edges))                   # [B, E, edge_types]


class MLPDecoder(nn.Module):
    def __init__(self, n_hid=64):
        super().__init__()
        self.msg = nn.ModuleList([nn.Linear(2 * N_DIMS, n_hid) for _ in range(N_EDGE_TYPES)])
        self.out = nn.Sequential(nn.Linear(N_DIMS + n_hid, n_hid), nn.ReLU(), nn.Linear(n_hid, N_DIMS))

    def forward(self, x, edges):                               # x [B, atoms, dims], edges [B, E, types]
        pre = torch.cat([torch.matmul(rel_send, x), torch.matmul(rel_rec, x)], dim=-1)
        msgs = sum(F.relu(self.msg[k](pre)) * edges[:, :, k:k + 1] for k in range(N_EDGE_TYPES))
        agg = torch.matmul(rel_rec.t(), msgs)                   # [B, atoms, n_hid]
        return x + self.out(torch.cat([x, agg], dim=-1))


data = torch.randn(32, N_ATOMS, N_STEPS, N_DIMS)
encoder, decoder = MLPEncoder(), MLPDecoder()
optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=5e-4)
for epoch in range(3):
    for i in range(0, 32, 8):
        batch = data[i:i + 8]
        logits = encoder(batch)                                # [8, 20, 2]
        edges = F.gumbel_softmax(logits, tau=0.5, hard=False)
        prob = my_softmax(logits, -1)                          # edge-type distribution per edge
        preds = torch.stack([decoder(batch[:, :, t], edges) for t in range(N_STEPS - 1)], dim=2)
        loss_nll = F.mse_loss(preds, batch[:, :, 1:])
        loss_kl = (prob * torch.log(prob * N_EDGE_TYPES + 1e-16)).sum() / (batch.size(0) * N_ATOMS)
        loss = loss_nll + loss_kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'nll', round(loss_nll.item(), 4), 'kl', round(loss_kl.item(), 4),
          'prob sums', prob.sum(-1)[0, :3].tolist())
