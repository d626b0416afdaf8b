import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

cfgs = {
    'model': {
        'd_model': 64,
        'feature_dim': 2048,
        'n_clusters': 16,
    },
    'train': {'batch_size': 4, 'lr': 1e-4},
}


class FrontDoorIntervention(nn.Module):
    def __init__(self, cfgs):
        super().__init__()
        d_model = cfgs['model']['d_model']
        d_feat = cfgs['model']['feature_dim']
        self.prob_m = nn.Linear(d_model, d_model)
        self.prob_x_hat = nn.Linear(d_feat, d_model)
        self.fc = nn.Linear(d_model * 2, d_model)

    def forward(self, x, m, x_hat):
        prob_m = self.prob_m(m)                                  # [B, T, d]
        prob_x_hat = self.prob_x_hat(x_hat)                      # [B, K, d]
        attn = torch.softmax(prob_m @ prob_x_hat.transpose(1, 2), dim=-1)
        return self.fc(torch.cat([x, attn @ prob_x_hat], dim=-1))


class Refiner(nn.Module):
    def __init__(self, cfgs):
        super().__init__()
        self.do = FrontDoorIntervention(cfgs)
        self.head = nn.Linear(cfgs['model']['d_model'], 5)

    def forward(self, video_proj, visual_clusters):
        m = self.do(video_proj, video_proj, visual_clusters) + video_proj
        return self.head(m.mean(dim=1))


B = cfgs['train']['batch_size']
video_f = torch.randn(B, 10, cfgs['model']['d_model'])
visual_clusters = torch.randn(B, cfgs['model']['n_clusters'], 2048)   # pooled ResNet features
answers = torch.randint(0, 5, (B,))
model = Refiner(cfgs)
optimizer = torch.optim.AdamW(model.parameters(), lr=cfgs['train']['lr'])
for step in range(3):
    logits = model(video_f, visual_clusters)
    loss = F.cross_entropy(logits, answers)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
