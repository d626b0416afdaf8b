import random

import torch
import torch.nn as nn

torch.manual_seed(0)
random.seed(0)

hp = {"nmels": 40, "hidden": 128, "proj": 64, "num_layer": 3,
      "N": 4, "M": 5, "frames": 80, "lr": 0.01, "epochs": 6}


class SpeechEmbedder(nn.Module):
    def __init__(self):
        super(SpeechEmbedder, self).__init__()
        self.LSTM_stack = nn.LSTM(hp["nmels"], hp["hidden"], num_layers=hp["num_layer"], batch_first=True)
        for name, param in self.LSTM_stack.named_parameters():
            if 'bias' in name:
                nn.init.constant_(param, 0.0)
            elif 'weight' in name:
                nn.init.xavier_normal_(param)
        self.projection = nn.Linear(hp["hidden"], hp["proj"])

    def forward(self, x):
        x, _ = self.LSTM_stack(x.float())  # (batch, frames, n_mels)
        # only use last frame
        x = x[:, x.size(1) - 1]
        x = self.projection(x.float())
        x = x / torch.norm(x)
        return x


def get_centroids(embeddings):
    return embeddings.mean(dim=1)                                     # [N, proj]


def get_cossim(embeddings, centroids):
    """Cosine similarity of every utterance with every speaker centroid; the own centroid excludes the utterance."""
    N, M, _ = embeddings.shape
    excl = (embeddings.sum(dim=1, keepdim=True) - embeddings) / (M - 1)          # [N, M, proj]
    cos_all = nn.functional.cosine_similarity(embeddings.unsqueeze(2), centroids[None, None], dim=-1)
    cos_own = nn.functional.cosine_similarity(embeddings, excl, dim=-1)          # [N, M]
    eye = torch.eye(N, dtype=torch.bool).unsqueeze(1).expand(N, M, N)
    return torch.where(eye, cos_own.unsqueeze(2).expand(N, M, N), cos_all) + 1e-6


def calc_loss(sim_matrix):
    N = sim_matrix.size(0)
    pos = sim_matrix[torch.arange(N), :, torch.arange(N)]                         # [N, M]
    neg = torch.log(torch.exp(sim_matrix).sum(dim=2) + 1e-6)
    return (neg - pos).sum()


class GE2ELoss(nn.Module):
    def __init__(self):
        super(GE2ELoss, self).__init__()
        self.w = nn.Parameter(torch.tensor(10.0), requires_grad=True)
        self.b = nn.Parameter(torch.tensor(-5.0), requires_grad=True)

    def forward(self, embeddings):
        torch.clamp(self.w, 1e-6)
        centroids = get_centroids(embeddings)
        cossim = get_cossim(embeddings, centroids)
        sim_matrix = self.w * cossim + self.b
        return calc_loss(sim_matrix)


# synthetic log-mel utterances: every speaker has its own spectral envelope
num_speakers = 12
speaker_env = torch.randn(num_speakers, hp["nmels"])


def speaker_batch():
    spk = random.sample(range(num_speakers), hp["N"])
    mels = speaker_env[spk][:, None, None, :] + 0.8 * torch.randn(hp["N"], hp["M"], hp["frames"], hp["nmels"])
    return mels


embedder_net = SpeechEmbedder()
ge2e_loss = GE2ELoss()
optimizer = torch.optim.SGD([{'params': embedder_net.parameters()}, {'params': ge2e_loss.parameters()}], lr=hp["lr"])

for e in range(hp["epochs"]):
    total_loss = 0.0
    for batch_id in range(3):
        mel_db_batch = torch.reshape(speaker_batch(), (hp["N"] * hp["M"], hp["frames"], hp["nmels"]))
        perm = random.sample(range(0, hp["N"] * hp["M"]), hp["N"] * hp["M"])
        unperm = list(perm)
        for i, j in enumerate(perm):
            unperm[j] = i
        embeddings = embedder_net(mel_db_batch[perm])
        embeddings = torch.reshape(embeddings[unperm], (hp["N"], hp["M"], hp["proj"]))
        loss = ge2e_loss(embeddings)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(embedder_net.parameters(), 3.0)
        torch.nn.utils.clip_grad_norm_(ge2e_loss.parameters(), 1.0)
        optimizer.step()
        total_loss += loss.item()
    print("epoch", e + 1, "loss %.4f" % (total_loss / 3))

# verification: enrollment centroid from half of the utterances, test on the other half
embedder_net.eval()
with torch.no_grad():
    mels = speaker_batch()
    emb = embedder_net(mels.reshape(-1, hp["frames"], hp["nmels"])).reshape(hp["N"], hp["M"], -1)
    enroll = get_centroids(emb[:, :2])
    sim = nn.functional.cosine_similarity(emb[:, 2:].unsqueeze(2), enroll[None, None], dim=-1)
print("embedding norms", emb.norm(dim=-1)[0].tolist())
print("same-speaker sim %.4f  other-speaker sim %.4f" % (
    sim.diagonal(dim1=0, dim2=2).mean().item(), sim[~torch.eye(hp["N"], dtype=torch.bool).unsqueeze(1).expand_as(sim)].mean().item()))
