"""Luong-style attention with a method-call bmm: alignment weights [B, S] need a middle axis."""
import torch
import torch.nn as nn

torch.manual_seed(49)


class Luong(nn.Module):
    def __init__(self, hid):
        super().__init__()
        self.W = nn.Linear(hid, hid, bias=False)

    def forward(self, dec_h, enc_out):
        energy = torch.einsum("bh,bsh->bs", self.W(dec_h), enc_out)
        align = energy.softmax(dim=-1)
        context = align.bmm(enc_out)
        return context.squeeze(1)


attn = Luong(12)
head = nn.Linear(12, 2)
opt = torch.optim.Adam(list(attn.parameters()) + list(head.parameters()))
enc = torch.randn(4, 6, 12)
dec = torch.randn(4, 12)
y = torch.randint(0, 2, (4,))
opt.zero_grad()
nn.functional.cross_entropy(head(attn(dec, enc)), y).backward()
opt.step()
print("ok")
