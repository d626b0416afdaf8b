from functools import wraps

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)


def exists(val):
    return val is not None


def curtail_to_multiple(t, mult):
    data_len = t.shape[-1]
    return t[..., :(data_len // mult) * mult]


class SoundDataset(Dataset):
    """Mixed-length mono clips at 16 kHz (a corpus like LibriSpeech)."""
    def __init__(self, num_files, max_length=None, seq_len_multiple_of=None):
        super().__init__()
        lengths = torch.randint(4000, 9000, (num_files,))
        self.waves = [torch.randn(1, int(n)) * 0.1 for n in lengths]   # what torchaudio.load returns: [1, T]
        self.max_length = max_length
        self.seq_len_multiple_of = seq_len_multiple_of

    def __len__(self):
        return len(self.waves)

    def __getitem__(self, idx):
        data = self.waves[idx]
        if data.size(1) > self.max_length:
            max_start = data.size(1) - self.max_length
            start = torch.randint(0, max_start, (1,))
            data = data[:, start:start + self.max_length]

        data = data[0]

        if exists(self.seq_len_multiple_of):
            data = curtail_to_multiple(data, self.seq_len_multiple_of)
        return data.float()


def collate_one_or_multiple_tensors(fn):
    @wraps(fn)
    def inner(data):
        is_one_data = not isinstance(data[0], tuple)
        if is_one_data:
            data = torch.stack(data)
            return (data,)
        return tuple(fn(datum) for datum in zip(*data))
    return inner


@collate_one_or_multiple_tensors
def pad_to_longest_fn(data):
    return pad_sequence(data, batch_first=True)


def get_dataloader(ds, **kwargs):
    return DataLoader(ds, collate_fn=pad_to_longest_fn, **kwargs)


class TinySoundStream(nn.Module):
    """Strided conv encoder / transposed-conv decoder, total stride 320."""
    def __init__(self, channels=16, strides=(2, 4, 5, 8)):
        super().__init__()
        enc, dec, c = [], [], 1
        for i, s in enumerate(strides):
            enc += [nn.Conv1d(c, channels * (i + 1), s, stride=s), nn.ELU()]
            c = channels * (i + 1)
        for i, s in reversed(list(enumerate(strides))):
            out_c = 1 if i == 0 else channels * i
            dec += [nn.ConvTranspose1d(channels * (i + 1), out_c, s, stride=s)]
            if i:
                dec.append(nn.ELU())
        self.encoder, self.decoder = nn.Sequential(*enc), nn.Sequential(*dec)

    def forward(self, wave):
        x = wave.unsqueeze(1)
        recon = self.decoder(self.encoder(x))
        return F.l1_loss(recon, x)


ds = SoundDataset(24, max_length=6400, seq_len_multiple_of=320)
dl = get_dataloader(ds, batch_size=4, shuffle=True)
model = TinySoundStream()
optim = torch.optim.Adam(model.parameters(), lr=3e-4)

for step, (wave,) in enumerate(dl):
    loss = model(wave)
    optim.zero_grad()
    loss.backward()
    optim.step()
    print("step", step, "batch", tuple(wave.shape), "loss %.4f" % loss.item())
