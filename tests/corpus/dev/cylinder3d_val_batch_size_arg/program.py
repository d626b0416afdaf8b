import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

NUM_POINTS = 48
NUM_CLASSES = 5
VAL_BATCH_SIZE = 6


class PointVoxelNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.point_mlp = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8))
        self.head = nn.Linear(8 + 3, NUM_CLASSES)

    def forward(self, pt_fea, grid, batch_size):
        feats = self.point_mlp(pt_fea.reshape(-1, 4))              # [B*N, 8]
        feats = feats.view(batch_size, -1, 8)                       # [B, N, 8]
        grid = grid.float().view(batch_size, -1, 3) / 10.0
        scene = feats.max(dim=1).values                             # [B, 8]
        return self.head(torch.cat([scene, grid.mean(dim=1)], dim=1))


val_pt = torch.randn(14, NUM_POINTS, 4)
val_grid = torch.randint(0, 10, (14, NUM_POINTS, 3))
val_lab = torch.randint(0, NUM_CLASSES, (14,))
val_loader = DataLoader(TensorDataset(val_pt, val_grid, val_lab), batch_size=VAL_BATCH_SIZE)

my_model = PointVoxelNet()
my_model.eval()
val_batch_size = VAL_BATCH_SIZE
val_loss_list = []
with torch.no_grad():
    for val_pt_fea_ten, val_grid_ten, val_label_tensor in val_loader:
        predict_labels = my_model(val_pt_fea_ten, val_grid_ten, val_batch_size)
        loss = F.cross_entropy(predict_labels, val_label_tensor)
        val_loss_list.append(loss.item())
print('val loss', sum(val_loss_list) / len(val_loss_list))
