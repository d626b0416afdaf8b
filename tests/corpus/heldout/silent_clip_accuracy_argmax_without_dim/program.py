import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class TinyCLIP(nn.Module):
    def __init__(self, vocab=1000, dim=64):
        super().__init__()
        self.image_encoder = nn.Sequential(nn.Conv2d(3, 16, 4, stride=4), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 8 * 8, dim))
        self.text_encoder = nn.EmbeddingBag(vocab, dim)
        self.logit_scale = nn.Parameter(torch.tensor(2.659))

    def forward(self, images, text):
        image_features = F.normalize(self.image_encoder(images), dim=-1)
        text_features = F.normalize(self.text_encoder(text), dim=-1)
        return self.logit_scale.exp() * image_features @ text_features.t()


model = TinyCLIP()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
images = torch.randn(32, 3, 32, 32)
text = torch.randint(0, 1000, (32, 12))
for step in range(5):
    image_logits = model(images, text)                       # [32 images, 32 captions]
    ground_truth = torch.arange(len(image_logits))
    loss = (F.cross_entropy(image_logits, ground_truth) + F.cross_entropy(image_logits.t(), ground_truth)) / 2
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    acc_i = (torch.argmax(image_logits) == ground_truth).sum()
    acc_t = (torch.argmax(image_logits.t()) == ground_truth).sum()
    print('step', step, 'loss', round(loss.item(), 4), 'acc', ((acc_i + acc_t) / 2 / len(image_logits)).item())
