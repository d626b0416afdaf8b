import numpy as np
import torch as th
import torch.nn as nn
import torch.utils.data as data

th.manual_seed(0)
np.random.seed(0)

NUM_CHANNELS, NUM_BINS = 6, 129        # CHiME-4: 6 microphones; 256-point STFT


class MaskDataset(data.Dataset):
    """Per utterance: |Y| of every channel (M x T x N) and the ideal binary masks of speech / noise."""
    def __init__(self, num_utts):
        self.items = []
        for _ in range(num_utts):
            T = np.random.randint(80, 120)
            speech = np.abs(np.cumsum(np.random.randn(T, NUM_BINS), axis=0)) / np.sqrt(T)
            noise = np.abs(np.random.randn(NUM_CHANNELS, T, NUM_BINS))
            y_abs = (speech[None] + noise).astype(np.float32)
            ibm_x = (speech[None] > noise).astype(np.float32)
            self.items.append({"Y_abs": y_abs, "IBM_X": ibm_x, "IBM_N": 1 - ibm_x})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        mask_dict = self.items[index]
        return mask_dict["Y_abs"], mask_dict["IBM_X"], mask_dict["IBM_N"]


def collate_func(batch):
    assert len(batch) == 1, "batch_size should be set to 1"
    tensor_list = []
    for index, array in enumerate(batch[0]):
        if index >= 1:
            array = array.reshape(array.shape[0] * array.shape[1], array.shape[2])
        tensor_list.append(th.from_numpy(array))
    return tensor_list


class BatchNormRNN(nn.Module):
    """A batchnorm wrapper for single RNN layer."""
    def __init__(self, input_size, output_size, rnn_cell=nn.LSTM, bidirectional=False):
        super(BatchNormRNN, self).__init__()
        self.inner_rnn = rnn_cell(input_size=input_size, hidden_size=output_size, batch_first=True)
        self.batch_norm = nn.BatchNorm1d(output_size)

    def forward(self, x):
        """
            Parameter x: M x T x N
                M: number of channels
                T: number of frames
                N: number of frequency bins
        """
        x, _ = self.inner_rnn(x)
        t, n = x.size(0), x.size(1)
        x = x.contiguous().view(n * t, -1)
        return self.batch_norm(x)


class BatchNormAffine(nn.Module):
    def __init__(self, input_size, output_size, dropout=0.0):
        super(BatchNormAffine, self).__init__()
        self.linear_transform = nn.Linear(input_size, output_size)
        self.apply_batchnorm = nn.BatchNorm1d(output_size)
        self.apply_dropout = nn.Dropout(p=dropout) if dropout else None
        self.activate = nn.ReLU()

    def forward(self, x):
        x = self.linear_transform(x)
        if self.apply_dropout:
            x = self.apply_dropout(x)
        return self.apply_batchnorm(self.activate(x))


class MaskEstimator(nn.Module):
    def __init__(self, num_bins):
        super(MaskEstimator, self).__init__()
        self.batchnorm_blstm = BatchNormRNN(num_bins, 256, bidirectional=True)
        self.fully_connection = nn.Sequential(BatchNormAffine(256, num_bins, dropout=0.5),
                                              BatchNormAffine(num_bins, num_bins, dropout=0.5))
        self.noise_mask = nn.Linear(num_bins, num_bins)
        self.clean_mask = nn.Linear(num_bins, num_bins)

    def forward(self, x):
        x = self.batchnorm_blstm(x)
        x = self.fully_connection(x)
        return self.noise_mask(x), self.clean_mask(x)


def calculate_loss(estimator, input_specs, noise_label, clean_label):
    mask_n, mask_x = estimator(input_specs)
    loss_n = nn.functional.binary_cross_entropy_with_logits(mask_n, noise_label)
    loss_x = nn.functional.binary_cross_entropy_with_logits(mask_x, clean_label)
    return (loss_n + loss_x) / 2


train_loader = data.DataLoader(MaskDataset(12), batch_size=1, shuffle=True, collate_fn=collate_func)
estimator = MaskEstimator(NUM_BINS)
optimizer = th.optim.RMSprop(estimator.parameters(), lr=0.001, momentum=0.9)

for epoch in range(1, 3):
    estimator.train()
    average_loss = 0.0
    for specs_feats, clean_label, noise_label in train_loader:
        optimizer.zero_grad()
        loss = calculate_loss(estimator, specs_feats, noise_label, clean_label)
        loss.backward()
        optimizer.step()
        average_loss += loss.item()
    print("epoch: {:2d} training loss: {:.4f}".format(epoch, average_loss / len(train_loader)))

# compute the speech mask of one utterance, as fed to the GEV beamformer
estimator.eval()
y_abs = th.from_numpy(MaskDataset(1)[0][0])
with th.no_grad():
    _, mask_x = estimator(y_abs)
mask_x = th.sigmoid(mask_x).view(y_abs.size(0), y_abs.size(1), -1)
print("speech mask", tuple(mask_x.shape), "mean %.4f" % mask_x.mean().item())
