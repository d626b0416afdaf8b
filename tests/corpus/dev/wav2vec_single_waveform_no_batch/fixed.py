import torch
import torch.nn as nn

torch.manual_seed(0)


class ConvFeatureExtractionModel(nn.Module):
    def __init__(self, conv_layers=((32, 10, 5), (32, 3, 2), (32, 3, 2))):
        super().__init__()
        layers, in_d = [], 1
        for dim, k, stride in conv_layers:
            layers.append(nn.Sequential(nn.Conv1d(in_d, dim, k, stride=stride, bias=False), nn.GELU()))
            in_d = dim
        self.conv_layers = nn.ModuleList(layers)

    def forward(self, x):
        x = x.unsqueeze(1)          # BxT -> BxCxT
        for conv in self.conv_layers:
            x = conv(x)
        return x


class Wav2VecModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.feature_extractor = ConvFeatureExtractionModel()
        self.post_extract_proj = nn.Linear(32, 48)
        self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(48, 4, 96, batch_first=True), 1)

    def forward(self, source, mask=False, features_only=True):
        features = self.feature_extractor(source).transpose(1, 2)
        x = self.post_extract_proj(features)
        return {'x': self.encoder(x)}


model = Wav2VecModel()
model.eval()
wav = torch.randn(16000)               # one second of 16 kHz audio, as read from a file
z = wav.unsqueeze(0)
with torch.no_grad():
    c = model.forward(z, mask=False, features_only=True)
print(c['x'].shape)
