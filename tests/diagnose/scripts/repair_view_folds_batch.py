# a one-step decoder written for one sequence, then fed a batch: the embedding [B, H] is viewed
# as [1, 1, B*H] and no longer lines up with the batched context [1, B, H]
import torch
import torch.nn as nn

torch.manual_seed(3)


class StepDecoder(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.rnn = nn.GRU(2 * hidden, hidden)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, token, state, context):
        emb = self.embed(token).view(1, 1, -1)
        step_in = torch.cat([emb, context], dim=2)
        out, state = self.rnn(step_in, state)
        return self.head(out[0]), state


dec = StepDecoder(50, 24)
opt = torch.optim.SGD(dec.parameters(), lr=0.1)
batch = 6
for it in range(2):
    token = torch.randint(0, 50, (batch,))
    state = torch.zeros(1, batch, 24)
    context = torch.randn(1, batch, 24)
    logits, state = dec(token, state, context)
    loss = nn.functional.cross_entropy(logits, torch.randint(0, 50, (batch,)))
    opt.zero_grad()
    loss.backward()
    opt.step()
print("ok")
