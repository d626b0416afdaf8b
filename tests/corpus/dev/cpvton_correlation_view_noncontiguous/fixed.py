import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class FeatureExtraction(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(cin, 16, 4, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 4, 2, 1), nn.ReLU(),
                                   nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU())

    def forward(self, x):
        return self.model(x)


class FeatureL2Norm(nn.Module):
    def forward(self, feature):
        return feature / (feature.pow(2).sum(1, keepdim=True) + 1e-6).sqrt()


class FeatureCorrelation(nn.Module):
    def forward(self, feature_A, feature_B):
        b, c, h, w = feature_A.size()
        feature_A = feature_A.transpose(2, 3).contiguous().view(b, c, h * w)
        feature_B = feature_B.view(b, c, h * w).transpose(1, 2)
        feature_mul = torch.bmm(feature_B, feature_A)
        correlation_tensor = feature_mul.view(b, h, w, h * w).transpose(2, 3).transpose(1, 2)
        return correlation_tensor


class FeatureRegression(nn.Module):
    def __init__(self, input_nc, output_dim=6):
        super().__init__()
        self.linear = nn.LazyLinear(output_dim)

    def forward(self, x):
        x = x.reshape(x.size(0), -1)
        return torch.tanh(self.linear(x))


class GMM(nn.Module):
    def __init__(self):
        super().__init__()
        self.extractionA = FeatureExtraction(22)
        self.extractionB = FeatureExtraction(3)
        self.l2norm = FeatureL2Norm()
        self.correlation = FeatureCorrelation()
        self.regression = FeatureRegression(input_nc=8 * 6)

    def forward(self, inputA, inputB):
        featureA = self.l2norm(self.extractionA(inputA))
        featureB = self.l2norm(self.extractionB(inputB))
        correlation = self.correlation(featureA, featureB)
        return self.regression(correlation)


model = GMM()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
agnostic = torch.randn(2, 22, 64, 48)
cloth = torch.randn(2, 3, 64, 48)
theta_gt = torch.zeros(2, 6)
for step in range(2):
    theta = model(agnostic, cloth)
    loss = F.l1_loss(theta, theta_gt)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print('loss', loss.item())
