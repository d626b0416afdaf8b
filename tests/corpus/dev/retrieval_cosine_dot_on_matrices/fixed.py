import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

embedder = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten())
embedder.eval()

query_imgs, query_ids = torch.rand(8, 3, 32, 32), torch.randint(0, 5, (8,))
gallery_imgs, gallery_ids = torch.rand(20, 3, 32, 32), torch.randint(0, 5, (20,))


def extract(imgs):
    with torch.no_grad():
        return F.normalize(embedder(imgs), dim=1)


def rank1(query_feat, gallery_feat):
    scores = torch.mm(query_feat, gallery_feat.t())
    best = scores.argmax(dim=1)
    return (gallery_ids[best] == query_ids).float().mean().item()


print('rank-1', rank1(extract(query_imgs), extract(gallery_imgs)))
