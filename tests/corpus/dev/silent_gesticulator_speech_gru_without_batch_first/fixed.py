import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

AUDIO_DIM, TEXT_DIM, POSE_DIM = 26, 32, 45
PAST, FUTURE = 10, 20                       # context frames around the current frame
SPEECH_ENC_FRAMES = PAST + 1 + FUTURE


class GesticulatorLite(nn.Module):
    """Speech (audio + text features) windows -> GRU encoder -> autoregressive pose decoder."""
    def __init__(self, hidden=64, n_prev_poses=3):
        super().__init__()
        self.n_prev_poses = n_prev_poses
        self.encode_speech = nn.Sequential(nn.Linear(AUDIO_DIM + TEXT_DIM, 64), nn.Tanh())
        self.gru = nn.GRU(64, hidden, num_layers=1, batch_first=True)
        self.first_layer = nn.Sequential(nn.Linear(hidden + n_prev_poses * POSE_DIM, 128), nn.Tanh())
        self.output_layer = nn.Linear(128, POSE_DIM)

    def forward(self, audio, text, pose_prev):
        """audio [B, T, A], text [B, T, X] (the full sequence), pose_prev [B, 3, P] -> poses [B, T', P]"""
        B, T = audio.shape[:2]
        speech = self.encode_speech(torch.cat([audio, text], dim=2))          # [B, T, 64]
        motion = []
        prev = pose_prev
        for t in range(PAST, T - FUTURE):
            curr_speech = speech[:, t - PAST:t + FUTURE + 1]                   # [B, 31, 64], batch first
            speech_enc, _ = self.gru(curr_speech)
            enc = speech_enc[:, -1]                                            # [B, hidden]
            pose = self.output_layer(self.first_layer(torch.cat([enc, prev.flatten(1)], dim=1)))
            motion.append(pose)
            prev = torch.cat([prev[:, 1:], pose.unsqueeze(1)], dim=1)
        return torch.stack(motion, dim=1)


audio = torch.randn(24, 60, AUDIO_DIM)
text = torch.randn(24, 60, TEXT_DIM)
poses = torch.randn(24, 60, POSE_DIM) * 0.3
model = GesticulatorLite()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for i in range(0, 24, 8):
        a, x, p = audio[i:i + 8], text[i:i + 8], poses[i:i + 8]
        pred = model(a, x, p[:, PAST - 3:PAST])
        loss = F.mse_loss(pred, p[:, PAST:60 - FUTURE])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print('epoch', epoch, 'loss', round(loss.item(), 4))
