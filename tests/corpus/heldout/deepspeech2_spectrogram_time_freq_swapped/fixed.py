import math

import torch
import torch.nn as nn

torch.manual_seed(0)

LABELS = "_'ABCDEFGHIJKLMNOPQRSTUVWXYZ "
audio_conf = {"sample_rate": 16000, "window_size": 0.02, "window_stride": 0.01}


def load_audio_spectrogram(y, sample_rate, window_size, window_stride):
    """Log-magnitude STFT of a waveform, normalised."""
    n_fft = int(sample_rate * window_size)
    hop_length = int(sample_rate * window_stride)
    window = torch.hamming_window(n_fft)
    D = torch.stft(y, n_fft=n_fft, hop_length=hop_length, win_length=n_fft, window=window, return_complex=True)
    spect = torch.log1p(D.abs())
    spect = (spect - spect.mean()) / spect.std()
    return spect  # (freq bins, frames), as the model expects


class DeepSpeech(nn.Module):
    def __init__(self, labels, audio_conf, rnn_hidden_size=256, nb_layers=2):
        super(DeepSpeech, self).__init__()
        self.labels = labels
        sample_rate, window_size = audio_conf["sample_rate"], audio_conf["window_size"]
        self.conv = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=(41, 11), stride=(2, 2), padding=(20, 5)),
            nn.BatchNorm2d(32),
            nn.Hardtanh(0, 20, inplace=True),
            nn.Conv2d(32, 32, kernel_size=(21, 11), stride=(2, 1), padding=(10, 5)),
            nn.BatchNorm2d(32),
            nn.Hardtanh(0, 20, inplace=True))
        # Based on above convolutions and spectrogram size using conv formula (W - F + 2P)/ S+1
        rnn_input_size = int(math.floor((sample_rate * window_size) / 2) + 1)
        rnn_input_size = int(math.floor(rnn_input_size + 2 * 20 - 41) / 2 + 1)
        rnn_input_size = int(math.floor(rnn_input_size + 2 * 10 - 21) / 2 + 1)
        rnn_input_size *= 32
        self.rnn = nn.LSTM(rnn_input_size, rnn_hidden_size, num_layers=nb_layers, bidirectional=True)
        self.fc = nn.Linear(2 * rnn_hidden_size, len(labels))

    def get_seq_lens(self, input_length):
        seq_len = input_length
        for m in self.conv.modules():
            if type(m) == nn.modules.conv.Conv2d:
                seq_len = (seq_len + 2 * m.padding[1] - m.dilation[1] * (m.kernel_size[1] - 1) - 1) // m.stride[1] + 1
        return seq_len.int()

    def forward(self, x, lengths):
        output_lengths = self.get_seq_lens(lengths)
        x = self.conv(x)
        sizes = x.size()
        x = x.view(sizes[0], sizes[1] * sizes[2], sizes[3])  # Collapse feature dimension
        x = x.transpose(1, 2).transpose(0, 1).contiguous()  # TxNxH
        x, _ = self.rnn(x)
        x = self.fc(x).transpose(0, 1)                       # NxTxlabels
        return x.log_softmax(-1), output_lengths


def greedy_decode(log_probs, labels):
    best = log_probs.argmax(-1).tolist()
    out, prev = [], None
    for idx in best:
        if idx != prev and idx != 0:
            out.append(labels[idx])
        prev = idx
    return "".join(out)


model = DeepSpeech(LABELS, audio_conf)
model.eval()

# a 7.5 s utterance (752 hops of 10 ms -> 753 STFT frames)
waveform = torch.randn(752 * 160) * 0.05
spect = load_audio_spectrogram(waveform, **audio_conf)
print("spect", tuple(spect.shape))
spect = spect.view(1, 1, spect.size(0), spect.size(1))
input_sizes = torch.IntTensor([spect.size(3)]).int()
with torch.no_grad():
    out, output_sizes = model(spect, input_sizes)
print("output", tuple(out.shape), "output_sizes", output_sizes.tolist())
print("transcript:", repr(greedy_decode(out[0, :output_sizes[0]], LABELS)[:40]))
