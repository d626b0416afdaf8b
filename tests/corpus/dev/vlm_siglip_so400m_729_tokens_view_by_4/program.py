import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

VISION_MODELS = {
    'siglip-base-patch16-224': dict(image_size=224, patch_size=16, hidden_size=768),
    'siglip-so400m-patch14-384': dict(image_size=384, patch_size=14, hidden_size=1152),
}
IMAGE_PAD_ID = 3
VOCAB = 200


class VLMConfig:
    def __init__(self, vision_model_path='siglip-so400m-patch14-384', llm_hidden=128, image_pad_num=49):
        self.vision_model_path = vision_model_path
        self.vision = VISION_MODELS[vision_model_path]
        self.llm_hidden = llm_hidden
        self.image_pad_num = image_pad_num


class VisionTower(nn.Module):
    """Stand-in for the frozen SigLIP vision model: patch embedding -> last_hidden_state [b, s, d]."""
    def __init__(self, image_size, patch_size, hidden_size):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, hidden_size, patch_size, stride=patch_size)
        self.norm = nn.LayerNorm(hidden_size)

    def forward(self, pixel_values):
        x = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)
        return self.norm(x)


class VLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        v = config.vision
        self.vision_model = VisionTower(**v)
        for p in self.vision_model.parameters():
            p.requires_grad = False
        self.embed_tokens = nn.Embedding(VOCAB, config.llm_hidden)
        self.llm = nn.GRU(config.llm_hidden, config.llm_hidden, batch_first=True)
        self.lm_head = nn.Linear(config.llm_hidden, VOCAB)
        self.linear1 = nn.Linear(v['hidden_size'] * 4, config.llm_hidden)
        self.linear2 = nn.Linear(config.llm_hidden, config.llm_hidden)

    def forward(self, input_ids, labels, pixel_values):
        text_embeds = self.embed_tokens(input_ids)
        with torch.no_grad():
            image_embeds = self.vision_model(pixel_values)
        b, s, d = image_embeds.shape
        image_embeds = image_embeds.view(b, -1, d * 4)  # (b, 196, d) --> (b, 49, d*4): compress image tokens
        image_features = self.linear2(F.silu(self.linear1(image_embeds)))
        batch_idx, pos_idx = torch.where(input_ids == IMAGE_PAD_ID)
        text_embeds = text_embeds.clone()
        text_embeds[batch_idx, pos_idx] = image_features.reshape(-1, image_features.size(-1))
        hidden, _ = self.llm(text_embeds)
        logits = self.lm_head(hidden)
        return F.cross_entropy(logits.view(-1, VOCAB), labels.view(-1), ignore_index=0)


def make_batch(config, b=2, text_len=12):
    size = config.vision['image_size']
    pixel_values = torch.randn(b, 3, size, size)
    q = torch.randint(4, VOCAB, (b, 4))
    pads = torch.full((b, config.image_pad_num), IMAGE_PAD_ID)
    a = torch.randint(4, VOCAB, (b, text_len))
    input_ids = torch.cat([q, pads, a], dim=1)
    labels = torch.cat([torch.zeros(b, 4 + config.image_pad_num, dtype=torch.long), a], dim=1)
    return input_ids[:, :-1].contiguous(), labels[:, 1:].contiguous(), pixel_values


config = VLMConfig(vision_model_path='siglip-so400m-patch14-384', image_pad_num=49)
model = VLM(config)
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
for step in range(3):
    input_ids, labels, pixel_values = make_batch(config)
    loss = model(input_ids, labels, pixel_values)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, 'loss', loss.item())
