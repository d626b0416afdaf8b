import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Opt:
    att_feat_size = 2048
    rnn_size = 64
    vocab_size = 50
    use_bn = 1
    drop_prob_lm = 0.5


class AttModel(nn.Module):
    def __init__(self, opt):
        super().__init__()
        self.rnn_size = opt.rnn_size
        self.use_bn = opt.use_bn
        self.att_embed = nn.Sequential(*(
            ((nn.BatchNorm1d(opt.att_feat_size),) if self.use_bn else ()) +
            (nn.Linear(opt.att_feat_size, opt.rnn_size), nn.ReLU(), nn.Dropout(opt.drop_prob_lm))))
        self.embed = nn.Embedding(opt.vocab_size, opt.rnn_size)
        self.core = nn.LSTMCell(opt.rnn_size * 2, opt.rnn_size)
        self.logit = nn.Linear(opt.rnn_size, opt.vocab_size)

    def forward(self, att_feats, seq):
        att_feats = self.att_embed(att_feats)
        h = c = att_feats.new_zeros(att_feats.size(0), self.rnn_size)
        outputs = []
        for t in range(seq.size(1) - 1):
            ctx = att_feats.mean(dim=1)
            h, c = self.core(torch.cat([self.embed(seq[:, t]), ctx], dim=1), (h, c))
            outputs.append(F.log_softmax(self.logit(h), dim=1))
        return torch.stack(outputs, dim=1)


opt = Opt()
model = AttModel(opt)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
att_feats = torch.randn(4, 36, opt.att_feat_size)        # 36 bottom-up region features per image
labels = torch.randint(1, opt.vocab_size, (4, 8))
for it in range(2):
    logprobs = model(att_feats, labels)
    loss = F.nll_loss(logprobs.reshape(-1, opt.vocab_size), labels[:, 1:].reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
