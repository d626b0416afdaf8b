import torch
import torch.nn as nn

torch.manual_seed(0)


class LayerNormLSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.i2h = nn.Linear(input_size, 4 * hidden_size)
        self.h2h = nn.Linear(hidden_size, 4 * hidden_size, bias=False)
        self.ln_i, self.ln_h, self.ln_c = nn.LayerNorm(4 * hidden_size), nn.LayerNorm(4 * hidden_size), nn.LayerNorm(hidden_size)

    def forward(self, x, hc):                           # x: [B, F], h/c: [B, H]
        h, c = hc
        i2h, h2h = self.ln_i(self.i2h(x)), self.ln_h(self.h2h(h))
        preact = i2h + h2h
        i, f, o, g = preact.chunk(4, 1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(self.ln_c(c))
        return h, c


class LSTM(nn.Module):
    """Multi-layer LSTM with layer normalisation; time-major unless batch_first."""

    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        self.hidden_size, self.num_layers, self.batch_first = hidden_size, num_layers, batch_first
        self.layers = nn.ModuleList([LayerNormLSTMCell(input_size if l == 0 else hidden_size, hidden_size)
                                     for l in range(num_layers)])

    def init_hidden(self, batch_size):
        z = torch.zeros(self.num_layers, batch_size, self.hidden_size)
        return z, z.clone()

    def layer_forward(self, cell, x, hc):               # x: [T, B, F]
        outputs = []
        for t in range(x.size(0)):
            hc = cell(x[t], hc)
            outputs.append(hc[0])
        return torch.stack(outputs), hc

    def forward(self, x, hidden):
        layer_input = x.permute(1, 0, 2) if self.batch_first else x
        h0, c0 = hidden
        hs, cs = [], []
        for l, cell in enumerate(self.layers):
            layer_input, (h, c) = self.layer_forward(cell, layer_input, (h0[l], c0[l]))
            hs.append(h)
            cs.append(c)
        out = layer_input.permute(1, 0, 2) if self.batch_first else layer_input
        return out, (torch.stack(hs), torch.stack(cs))


model = LSTM(50, 100, 2, batch_first=True)
head = nn.Linear(100, 5)
opt = torch.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=1e-3)
for step in range(3):
    x = torch.randn(32, 50, 50)                          # batch 32, 50 steps, 50 features
    y = torch.randint(0, 5, (32,))
    out, _ = model(x, model.init_hidden(32))
    loss = nn.functional.cross_entropy(head(out[:, -1]), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print('step', step, 'loss', round(loss.item(), 4))
