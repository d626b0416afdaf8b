import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Encoder(nn.Module):
    def __init__(self, vocab=800, emb=32, hidden=48, num_layers=2, latent=16):
        super().__init__()
        self.hidden_factor = 2 * num_layers
        self.embedding = nn.Embedding(vocab, emb)
        self.rnn = nn.GRU(emb, hidden, num_layers=num_layers, bidirectional=True, batch_first=True)
        self.to_mean = nn.Linear(hidden * self.hidden_factor, latent)
        self.to_logv = nn.Linear(hidden * self.hidden_factor, latent)

    def forward(self, tokens):
        batch_size = tokens.size(0)
        _, hidden = self.rnn(self.embedding(tokens))                      # [4, B, 48]
        hidden = hidden.transpose(0, 1).contiguous().view(batch_size, -1)  # [B, 4 * 48]
        return self.to_mean(hidden), self.to_logv(hidden)


class BagDecoder(nn.Module):
    def __init__(self, latent=16, vocab=800):
        super().__init__()
        self.out = nn.Linear(latent, vocab)

    def forward(self, z):
        return F.log_softmax(self.out(z), dim=-1)


encoder, decoder = Encoder(), BagDecoder()
optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), lr=1e-3)
sentences = torch.randint(0, 800, (32, 15))
for step in range(10):
    mean, logv = encoder(sentences)
    z = mean + torch.randn_like(mean) * torch.exp(0.5 * logv)
    logp = decoder(z)                                                    # [B, vocab]
    nll = -logp.gather(1, sentences).sum(dim=1).mean()                   # bag-of-words reconstruction
    kl = -0.5 * torch.sum(1 + logv - mean.pow(2) - logv.exp()) / sentences.size(0)
    loss = nll + kl
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('nll', nll.item(), 'kl', kl.item())
