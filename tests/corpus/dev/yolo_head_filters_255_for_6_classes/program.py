import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

ANCHORS = [(10, 13), (16, 30), (33, 23), (30, 61), (62, 45), (59, 119), (116, 90), (156, 198), (373, 326)]

# parsed yolov4-tiny-style .cfg, edited for a 6-class dataset
module_defs = [
    {"type": "convolutional", "filters": 8, "size": 3, "stride": 2, "batch_normalize": 1, "activation": "leaky"},
    {"type": "convolutional", "filters": 16, "size": 3, "stride": 2, "batch_normalize": 1, "activation": "leaky"},
    {"type": "convolutional", "filters": 32, "size": 3, "stride": 2, "batch_normalize": 1, "activation": "leaky"},
    {"type": "convolutional", "filters": 64, "size": 3, "stride": 2, "batch_normalize": 1, "activation": "leaky"},
    {"type": "convolutional", "filters": 128, "size": 3, "stride": 2, "batch_normalize": 1, "activation": "leaky"},
    {"type": "convolutional", "filters": 255, "size": 1, "stride": 1, "batch_normalize": 0, "activation": "linear"},
    {"type": "yolo", "mask": [6, 7, 8], "classes": 6},
]


class YOLOLayer(nn.Module):
    def __init__(self, anchors, nc, stride):
        super(YOLOLayer, self).__init__()
        self.anchors = torch.Tensor(anchors)
        self.na = len(anchors)      # number of anchors (3)
        self.nc = nc                # number of classes (6)
        self.no = nc + 5            # number of outputs per anchor (11)
        self.stride = stride

    def forward(self, p):
        bs, _, self.ny, self.nx = p.shape
        p = p.view(bs, self.na, self.no, self.ny, self.nx).permute(0, 1, 3, 4, 2).contiguous()  # prediction
        return p


def create_modules(module_defs, img_size):
    module_list, in_ch, stride = nn.ModuleList(), 3, 1
    for mdef in module_defs:
        if mdef["type"] == "convolutional":
            bn = mdef["batch_normalize"]
            layers = [nn.Conv2d(in_ch, mdef["filters"], mdef["size"], mdef["stride"], mdef["size"] // 2, bias=not bn)]
            if bn:
                layers.append(nn.BatchNorm2d(mdef["filters"]))
            if mdef["activation"] == "leaky":
                layers.append(nn.LeakyReLU(0.1))
            module_list.append(nn.Sequential(*layers))
            in_ch, stride = mdef["filters"], stride * mdef["stride"]
        elif mdef["type"] == "yolo":
            anchors = [ANCHORS[i] for i in mdef["mask"]]
            module_list.append(YOLOLayer(anchors, mdef["classes"], stride))
    return module_list


class Darknet(nn.Module):
    def __init__(self, module_defs, img_size=416):
        super(Darknet, self).__init__()
        self.module_list = create_modules(module_defs, img_size)

    def forward(self, x):
        for module in self.module_list:
            x = module(x)
        return x


def compute_loss(p, targets, nc):
    """Objectness BCE on every cell/anchor + box and class terms on the cells that hold an object."""
    bs, na, ny, nx, no = p.shape
    tobj = torch.zeros(bs, na, ny, nx)
    lbox, lcls = 0.0, 0.0
    for b, cls, x, y, w, h in targets.tolist():
        gi, gj = int(x * nx), int(y * ny)
        tobj[int(b), 0, gj, gi] = 1.0
        pi = p[int(b), 0, gj, gi]
        lbox = lbox + F.mse_loss(pi[:4].sigmoid(), torch.tensor([x * nx - gi, y * ny - gj, w, h]))
        lcls = lcls + F.cross_entropy(pi[5:].unsqueeze(0), torch.tensor([int(cls)]))
    lobj = F.binary_cross_entropy_with_logits(p[..., 4], tobj)
    return lbox + lobj + lcls


model = Darknet(module_defs)
nc = module_defs[-1]["classes"]
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.937)

for i in range(3):
    imgs = torch.rand(4, 3, 416, 416)
    # targets: [image, class, x, y, w, h] normalised
    targets = torch.cat([torch.arange(4).float().unsqueeze(1), torch.randint(0, nc, (4, 1)).float(),
                         torch.rand(4, 2) * 0.9, torch.rand(4, 2) * 0.3], 1)
    pred = model(imgs)
    loss = compute_loss(pred, targets, nc)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print("batch", i, "pred", tuple(pred.shape), "loss %.4f" % loss.item())
