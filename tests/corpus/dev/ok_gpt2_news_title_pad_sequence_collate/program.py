import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
VOCAB, CLS, SEP, PAD = 600, 1, 2, 0


class GPT2NewsTitleDataSet(Dataset):
    """content tokens (token_type 0) followed by title tokens (token_type 1); lengths vary per sample."""
    def __init__(self, n=96):
        self.data_set = []
        for _ in range(n):
            content = torch.randint(3, VOCAB, (int(torch.randint(20, 60, (1,))),)).tolist()
            title = [(t % 97) + 3 for t in content[:int(torch.randint(4, 12, (1,)))]]
            input_ids = [CLS] + content + [SEP] + title + [SEP]
            token_type_ids = [0] * (len(content) + 2) + [1] * (len(title) + 1)
            self.data_set.append({"input_ids": input_ids, "token_type_ids": token_type_ids})

    def __len__(self):
        return len(self.data_set)

    def __getitem__(self, idx):
        return self.data_set[idx]


def collate_func(batch_data):
    batch_size = len(batch_data)
    if batch_size == 0:
        return {}
    input_ids_list, token_type_ids_list = [], []
    max_len = max([len(instance["input_ids"]) for instance in batch_data])
    for instance in batch_data:
        input_ids_temp = list(instance["input_ids"])
        input_ids_temp.extend([PAD] * (max_len - len(instance["input_ids"])))
        token_type_ids_temp = list(instance["token_type_ids"])
        token_type_ids_temp.extend([0] * (max_len - len(instance["token_type_ids"])))
        input_ids_list.append(torch.tensor(input_ids_temp, dtype=torch.long))
        token_type_ids_list.append(torch.tensor(token_type_ids_temp, dtype=torch.long))
    return {"input_ids": pad_sequence(input_ids_list, batch_first=True, padding_value=PAD),
            "token_type_ids": pad_sequence(token_type_ids_list, batch_first=True, padding_value=0)}


class TinyGPT2(nn.Module):
    def __init__(self, d=64, n_ctx=128):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, d)
        self.wpe = nn.Embedding(n_ctx, d)
        self.wtt = nn.Embedding(2, d)
        self.block = nn.TransformerEncoderLayer(d, 4, 4 * d, dropout=0.0, batch_first=True)
        self.lm_head = nn.Linear(d, VOCAB, bias=False)

    def forward(self, input_ids, token_type_ids):
        T = input_ids.size(1)
        pos = torch.arange(T).unsqueeze(0)
        h = self.wte(input_ids) + self.wpe(pos) + self.wtt(token_type_ids)
        causal = torch.triu(torch.full((T, T), float('-inf')), diagonal=1)
        h = self.block(h, src_mask=causal)
        return self.lm_head(h)                                   # [B, T, VOCAB]


def title_loss(logits, input_ids, token_type_ids):
    # predict token t+1 from position t, only inside the title part
    shift_logits = logits[:, :-1, :].contiguous()
    shift_labels = input_ids[:, 1:].contiguous()
    mask = token_type_ids[:, 1:] == 1
    shift_labels = shift_labels.masked_fill(~mask, -100)
    return F.cross_entropy(shift_logits.view(-1, VOCAB), shift_labels.view(-1), ignore_index=-100)


train_loader = DataLoader(GPT2NewsTitleDataSet(), batch_size=16, shuffle=True, collate_fn=collate_func)
model = TinyGPT2()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for epoch in range(3):
    for batch in train_loader:
        logits = model(batch["input_ids"], batch["token_type_ids"])
        loss = title_loss(logits, batch["input_ids"], batch["token_type_ids"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch %d title loss %.4f' % (epoch, loss.item()))
