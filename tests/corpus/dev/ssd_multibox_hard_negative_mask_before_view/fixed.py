from itertools import product
from math import sqrt

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

voc = {"num_classes": 21, "feature_maps": [38, 19, 10, 5, 3, 1], "min_dim": 300,
       "steps": [8, 16, 32, 64, 100, 300], "min_sizes": [30, 60, 111, 162, 213, 264],
       "max_sizes": [60, 111, 162, 213, 264, 315], "aspect_ratios": [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
       "variance": [0.1, 0.2]}


def prior_box(cfg):
    mean = []
    for k, f in enumerate(cfg["feature_maps"]):
        for i, j in product(range(f), repeat=2):
            f_k = cfg["min_dim"] / cfg["steps"][k]
            cx, cy = (j + 0.5) / f_k, (i + 0.5) / f_k
            s_k = cfg["min_sizes"][k] / cfg["min_dim"]
            mean += [cx, cy, s_k, s_k]
            s_k_prime = sqrt(s_k * (cfg["max_sizes"][k] / cfg["min_dim"]))
            mean += [cx, cy, s_k_prime, s_k_prime]
            for ar in cfg["aspect_ratios"][k]:
                mean += [cx, cy, s_k * sqrt(ar), s_k / sqrt(ar)]
                mean += [cx, cy, s_k / sqrt(ar), s_k * sqrt(ar)]
    return torch.Tensor(mean).view(-1, 4).clamp_(max=1, min=0)


def point_form(boxes):
    return torch.cat((boxes[:, :2] - boxes[:, 2:] / 2, boxes[:, :2] + boxes[:, 2:] / 2), 1)


def jaccard(box_a, box_b):
    max_xy = torch.min(box_a[:, None, 2:], box_b[None, :, 2:])
    min_xy = torch.max(box_a[:, None, :2], box_b[None, :, :2])
    inter = torch.clamp(max_xy - min_xy, min=0).prod(2)
    area_a = ((box_a[:, 2] - box_a[:, 0]) * (box_a[:, 3] - box_a[:, 1]))[:, None]
    area_b = ((box_b[:, 2] - box_b[:, 0]) * (box_b[:, 3] - box_b[:, 1]))[None, :]
    return inter / (area_a + area_b - inter)


def encode(matched, priors, variances):
    g_cxcy = ((matched[:, :2] + matched[:, 2:]) / 2 - priors[:, :2]) / (variances[0] * priors[:, 2:])
    g_wh = torch.log((matched[:, 2:] - matched[:, :2]) / priors[:, 2:]) / variances[1]
    return torch.cat([g_cxcy, g_wh], 1)


def match(threshold, truths, priors, variances, labels, loc_t, conf_t, idx):
    overlaps = jaccard(truths, point_form(priors))
    best_prior_overlap, best_prior_idx = overlaps.max(1)
    best_truth_overlap, best_truth_idx = overlaps.max(0)
    best_truth_overlap.index_fill_(0, best_prior_idx, 2)
    for j in range(best_prior_idx.size(0)):
        best_truth_idx[best_prior_idx[j]] = j
    matches = truths[best_truth_idx]
    conf = labels[best_truth_idx].long() + 1
    conf[best_truth_overlap < threshold] = 0
    loc_t[idx] = encode(matches, priors, variances)
    conf_t[idx] = conf


def log_sum_exp(x):
    x_max = x.data.max()
    return torch.log(torch.sum(torch.exp(x - x_max), 1, keepdim=True)) + x_max


class MultiBoxLoss(nn.Module):
    def __init__(self, num_classes, overlap_thresh, neg_pos, variance):
        super(MultiBoxLoss, self).__init__()
        self.num_classes = num_classes
        self.threshold = overlap_thresh
        self.negpos_ratio = neg_pos
        self.variance = variance

    def forward(self, predictions, targets):
        loc_data, conf_data, priors = predictions
        num = loc_data.size(0)
        num_priors = priors.size(0)
        loc_t = torch.Tensor(num, num_priors, 4)
        conf_t = torch.LongTensor(num, num_priors)
        for idx in range(num):
            truths, labels = targets[idx][:, :-1], targets[idx][:, -1]
            match(self.threshold, truths, priors, self.variance, labels, loc_t, conf_t, idx)
        pos = conf_t > 0
        pos_idx = pos.unsqueeze(pos.dim()).expand_as(loc_data)
        loc_p = loc_data[pos_idx].view(-1, 4)
        loss_l = F.smooth_l1_loss(loc_p, loc_t[pos_idx].view(-1, 4), reduction='sum')

        # Compute max conf across batch for hard negative mining
        batch_conf = conf_data.view(-1, self.num_classes)
        loss_c = log_sum_exp(batch_conf) - batch_conf.gather(1, conf_t.view(-1, 1))

        # Hard Negative Mining
        loss_c = loss_c.view(num, -1)
        loss_c[pos] = 0  # filter out pos boxes for now
        _, loss_idx = loss_c.sort(1, descending=True)
        _, idx_rank = loss_idx.sort(1)
        num_pos = pos.long().sum(1, keepdim=True)
        num_neg = torch.clamp(self.negpos_ratio * num_pos, max=pos.size(1) - 1)
        neg = idx_rank < num_neg.expand_as(idx_rank)

        pos_idx = pos.unsqueeze(2).expand_as(conf_data)
        neg_idx = neg.unsqueeze(2).expand_as(conf_data)
        conf_p = conf_data[(pos_idx | neg_idx)].view(-1, self.num_classes)
        targets_weighted = conf_t[(pos | neg)]
        loss_c = F.cross_entropy(conf_p, targets_weighted, reduction='sum')
        N = num_pos.sum().float()
        return loss_l / N, loss_c / N


class TinySSD(nn.Module):
    """Small backbone with the six SSD300 source maps: 38, 19, 10, 5, 3, 1."""
    def __init__(self, cfg, ch=16):
        super(TinySSD, self).__init__()
        self.num_classes = cfg["num_classes"]
        self.stem = nn.Sequential(nn.Conv2d(3, ch, 3, 2, 1), nn.ReLU(), nn.Conv2d(ch, ch, 3, 2, 1), nn.ReLU(),
                                  nn.Conv2d(ch, ch, 3, 2, 1), nn.ReLU())                     # 300 -> 38
        self.extras = nn.ModuleList([nn.Conv2d(ch, ch, 3, 2, 1), nn.Conv2d(ch, ch, 3, 2, 1),
                                     nn.Conv2d(ch, ch, 3, 2, 1), nn.Conv2d(ch, ch, 3, 1, 0),
                                     nn.Conv2d(ch, ch, 3, 1, 0)])                             # 19, 10, 5, 3, 1
        mbox = [2 + 2 * len(a) for a in cfg["aspect_ratios"]]                                # 4, 6, 6, 6, 4, 4
        self.loc = nn.ModuleList([nn.Conv2d(ch, m * 4, 3, padding=1) for m in mbox])
        self.conf = nn.ModuleList([nn.Conv2d(ch, m * self.num_classes, 3, padding=1) for m in mbox])
        self.priors = prior_box(cfg)

    def forward(self, x):
        sources = [self.stem(x)]
        for layer in self.extras:
            sources.append(F.relu(layer(sources[-1])))
        loc = torch.cat([l(s).permute(0, 2, 3, 1).reshape(x.size(0), -1) for s, l in zip(sources, self.loc)], 1)
        conf = torch.cat([c(s).permute(0, 2, 3, 1).reshape(x.size(0), -1) for s, c in zip(sources, self.conf)], 1)
        return loc.view(x.size(0), -1, 4), conf.view(x.size(0), -1, self.num_classes), self.priors


def random_targets(n_obj):
    xy = torch.rand(n_obj, 2) * 0.6
    wh = torch.rand(n_obj, 2) * 0.3 + 0.1
    labels = torch.randint(0, 20, (n_obj, 1)).float()
    return torch.cat([xy, xy + wh, labels], 1)          # [xmin, ymin, xmax, ymax, label]


net = TinySSD(voc)
criterion = MultiBoxLoss(voc["num_classes"], 0.5, 3, voc["variance"])
optimizer = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)

for iteration in range(3):
    images = torch.randn(2, 3, 300, 300)
    targets = [random_targets(int(torch.randint(1, 4, (1,)))) for _ in range(2)]
    out = net(images)
    loss_l, loss_c = criterion(out, targets)
    loss = loss_l + loss_c
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print("iter", iteration, "priors", out[2].size(0), "loss_l %.4f loss_c %.4f" % (loss_l.item(), loss_c.item()))
