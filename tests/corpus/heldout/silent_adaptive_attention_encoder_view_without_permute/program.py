import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class Encoder(nn.Module):
    """Stands in for the ResNet-101 trunk: images -> (batch, features, 7, 7)."""
    def __init__(self, features=128):
        super().__init__()
        self.cnn = nn.Sequential(
            nn.Conv2d(3, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(64, features, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d((7, 7)))
        self.features = features

    def forward(self, images):
        batch_size = images.size(0)
        encoded_image = self.cnn(images)                       # (batch_size, features, 7, 7)
        num_pixels = encoded_image.size(2) * encoded_image.size(3)
        enc_image = encoded_image.view(batch_size, num_pixels, self.features)  # (batch_size, 49, features)
        global_features = enc_image.mean(dim=1)
        return enc_image, global_features


class AttentionDecoder(nn.Module):
    def __init__(self, vocab_size=300, features=128, embed=64, hidden=128, att=64):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.lstm = nn.LSTMCell(embed + features, hidden)
        self.att_v = nn.Linear(features, att)
        self.att_h = nn.Linear(hidden, att)
        self.att_out = nn.Linear(att, 1)
        self.fc = nn.Linear(hidden + features, vocab_size)
        self.hidden = hidden

    def forward(self, enc_image, global_features, captions):
        B, T = captions.shape
        h = enc_image.new_zeros(B, self.hidden)
        c = enc_image.new_zeros(B, self.hidden)
        emb = self.embed(captions)
        scores = []
        for t in range(T):
            h, c = self.lstm(torch.cat([emb[:, t], global_features], dim=1), (h, c))
            e = self.att_out(torch.tanh(self.att_v(enc_image) + self.att_h(h).unsqueeze(1)))  # (B, 49, 1)
            alpha = F.softmax(e, dim=1)
            context = (alpha * enc_image).sum(dim=1)               # (B, features)
            scores.append(self.fc(torch.cat([h, context], dim=1)))
        return torch.stack(scores, dim=1)                         # (B, T, vocab)


images = torch.randn(64, 3, 56, 56)
captions = torch.randint(1, 300, (64, 12))
encoder, decoder = Encoder(), AttentionDecoder()
params = list(encoder.parameters()) + list(decoder.parameters())
optimizer = torch.optim.Adam(params, lr=4e-4)
for epoch in range(2):
    for i in range(0, 64, 16):
        imgs, caps = images[i:i + 16], captions[i:i + 16]
        enc_image, global_features = encoder(imgs)
        scores = decoder(enc_image, global_features, caps[:, :-1])
        loss = F.cross_entropy(scores.reshape(-1, scores.size(-1)), caps[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
