import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)

LABEL_LIST = ['OTHER', 'OFFENSE', 'INSULT', 'PROFANITY']
MAX_SEQ_LEN = 16
VOCAB = 200


def sample_to_features(tokens, label):
    input_ids = torch.tensor(tokens[:MAX_SEQ_LEN] + [0] * (MAX_SEQ_LEN - len(tokens[:MAX_SEQ_LEN])))
    label_ids = F.one_hot(torch.tensor(LABEL_LIST.index(label)), len(LABEL_LIST))
    return {'input_ids': input_ids, 'text_classification_label_ids': label_ids}


class DictDataset(Dataset):
    def __init__(self, features):
        self.features = features

    def __len__(self):
        return len(self.features)

    def __getitem__(self, i):
        return self.features[i]


class TextClassificationHead(nn.Module):
    def __init__(self, hidden, num_labels):
        super().__init__()
        self.feed_forward = nn.Linear(hidden, num_labels)
        self.loss_fct = nn.CrossEntropyLoss(reduction='none')

    def logits_to_loss(self, logits, label_ids):
        return self.loss_fct(logits, label_ids.view(-1))


class AdaptiveModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.EmbeddingBag(VOCAB, 32)
        self.head = TextClassificationHead(32, len(LABEL_LIST))

    def forward(self, input_ids):
        return self.head.feed_forward(self.embed(input_ids))


g = torch.Generator().manual_seed(1)
samples = [(torch.randint(1, VOCAB, (int(torch.randint(5, 20, (1,), generator=g)),), generator=g).tolist(),
            LABEL_LIST[i % 4]) for i in range(32)]
data_loader = DataLoader(DictDataset([sample_to_features(t, l) for t, l in samples]), batch_size=8)
model = AdaptiveModel()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for step, batch in enumerate(data_loader):
    logits = model(batch['input_ids'])
    per_sample_loss = model.head.logits_to_loss(logits, batch['text_classification_label_ids'])
    loss = per_sample_loss.mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('train loss', loss.item())
