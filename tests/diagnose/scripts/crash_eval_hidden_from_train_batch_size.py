"""A word-level GRU language model in the style of pytorch/examples: streams cut into columns by
batchify, weights updated by hand. Evaluation batches the validation stream into 5 columns but
builds the hidden state for the training batch size of 8."""
import torch
import torch.nn as nn

torch.manual_seed(0)
VOCAB, EMB, HID, BPTT = 30, 16, 24, 7
TRAIN_BATCH, EVAL_BATCH = 8, 5


def batchify(stream, columns):
    rows = stream.size(0) // columns
    return stream[:rows * columns].view(columns, -1).t().contiguous()


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.GRU(EMB, HID)
        self.out = nn.Linear(HID, VOCAB)

    def forward(self, x, h):
        y, h = self.rnn(self.emb(x), h)
        return self.out(y), h

    def init_hidden(self, batch):
        return torch.zeros(1, batch, HID)


def get_batch(source, i):
    n = min(BPTT, source.size(0) - 1 - i)
    return source[i:i + n], source[i + 1:i + 1 + n]


train_data = batchify(torch.randint(0, VOCAB, (400,)), TRAIN_BATCH)
val_data = batchify(torch.randint(0, VOCAB, (120,)), EVAL_BATCH)
model = LM()


def evaluate(source):
    model.eval()
    total = 0.0
    hidden = model.init_hidden(TRAIN_BATCH)  # the evaluation state
    with torch.no_grad():
        for i in range(0, source.size(0) - 1, BPTT):
            x, y = get_batch(source, i)
            out, hidden = model(x, hidden)
            total += nn.functional.cross_entropy(out.view(-1, VOCAB), y.reshape(-1)).item()
    return total


for epoch in range(2):
    model.train()
    hidden = model.init_hidden(TRAIN_BATCH)
    for i in range(0, train_data.size(0) - 1, BPTT):
        x, y = get_batch(train_data, i)
        hidden = hidden.detach()
        model.zero_grad()
        out, hidden = model(x, hidden)
        loss = nn.functional.cross_entropy(out.view(-1, VOCAB), y.reshape(-1))
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    print("epoch", epoch, "val", evaluate(val_data))
