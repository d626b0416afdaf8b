import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader

torch.manual_seed(0)
np.random.seed(0)

cfg = dict(griding_num=100, num_lanes=4, cls_num_per_lane=18, batch_size=4, use_aux=True,
           img_h=288, img_w=800, sim_loss_w=0.0)


def load_png(h, w, channels):
    # stand-in for cv2.imread / PIL on the label png of the custom dataset
    lanes = np.random.randint(0, cfg['num_lanes'] + 1, (h, w)).astype(np.uint8)
    return np.stack([lanes] * channels, axis=-1) if channels > 1 else lanes


class LaneClsDataset(Dataset):
    def __init__(self, n=8):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, idx):
        img = torch.rand(3, cfg['img_h'], cfg['img_w'])
        cls_label = torch.randint(0, cfg['griding_num'] + 1, (cfg['cls_num_per_lane'], cfg['num_lanes']))
        # custom dataset: labels were saved as 3-channel png (CULane stores 1-channel ones)
        seg_label = load_png(cfg['img_h'] // 8, cfg['img_w'] // 8, 3)
        seg_label = torch.from_numpy(seg_label).long()
        return img, cls_label, seg_label


class ParsingNet(nn.Module):
    def __init__(self, cls_dim=(101, 18, 4), use_aux=True):
        super().__init__()
        self.cls_dim = cls_dim
        self.use_aux = use_aux
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),  # 1/8: 36 x 100
        )
        self.aux_seg = nn.Conv2d(32, cls_dim[-1] + 1, 1)
        self.pool = nn.Conv2d(32, 8, 1)
        self.cls = nn.Sequential(nn.Linear(8 * 9 * 25, 256), nn.ReLU(), nn.Linear(256, int(np.prod(cls_dim))))

    def forward(self, x):
        fea = self.backbone(x)
        seg_out = self.aux_seg(fea) if self.use_aux else None
        fea = F.adaptive_avg_pool2d(self.pool(fea), (9, 25)).flatten(1)
        group_cls = self.cls(fea).view(-1, *self.cls_dim)
        return group_cls, seg_out


def calc_loss(loss_dict, results):
    loss = 0
    for name, op, weight, keys in zip(loss_dict['name'], loss_dict['op'], loss_dict['weight'], loss_dict['data_src']):
        datas = [results[k] for k in keys]
        loss_cur = op(*datas)
        loss = loss + loss_cur * weight
    return loss


net = ParsingNet(cls_dim=(cfg['griding_num'] + 1, cfg['cls_num_per_lane'], cfg['num_lanes']), use_aux=cfg['use_aux'])
optimizer = torch.optim.Adam(net.parameters(), lr=4e-4)
loader = DataLoader(LaneClsDataset(), batch_size=cfg['batch_size'], shuffle=True)
loss_dict = {
    'name': ['cls_loss', 'aux_loss'],
    'op': [nn.CrossEntropyLoss(), nn.CrossEntropyLoss()],
    'weight': [1.0, 1.0],
    'data_src': [('cls_out', 'cls_label'), ('seg_out', 'seg_label')],
}

for epoch in range(1):
    net.train()
    for img, cls_label, seg_label in loader:
        cls_out, seg_out = net(img)
        results = {'cls_out': cls_out, 'cls_label': cls_label, 'seg_out': seg_out, 'seg_label': seg_label}
        loss = calc_loss(loss_dict, results)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', loss.item())
