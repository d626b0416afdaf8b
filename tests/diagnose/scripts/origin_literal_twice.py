"""A per-sample score table of NUM_TAGS columns, filled with a block written with a literal width."""
import torch

torch.manual_seed(0)

NUM_TAGS = 6
store = torch.zeros(20, NUM_TAGS)
for start in range(0, 20, 5):
    idx = torch.arange(start, start + 5)
    block = torch.ones(idx.size(0), 4) * 4
    store[idx, :] = block
print("total", store.sum().item())
