import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

config = {
    "model_params": {"in_channels": 3, "latent_dim": 64, "hidden_dims": [16, 32, 64, 128, 256, 512]},
    "data_params": {"patch_size": 128, "train_batch_size": 8},
    "exp_params": {"LR": 0.005, "kld_weight": 0.00025, "max_steps": 3},
}


class VanillaVAE(nn.Module):
    def __init__(self, in_channels, latent_dim, hidden_dims=None):
        super(VanillaVAE, self).__init__()
        self.latent_dim = latent_dim
        modules = []
        if hidden_dims is None:
            hidden_dims = [32, 64, 128, 256, 512]
        # Build Encoder: every block halves the image
        for h_dim in hidden_dims:
            modules.append(nn.Sequential(
                nn.Conv2d(in_channels, out_channels=h_dim, kernel_size=3, stride=2, padding=1),
                nn.BatchNorm2d(h_dim),
                nn.LeakyReLU()))
            in_channels = h_dim
        self.encoder = nn.Sequential(*modules)
        self.fc_mu = nn.Linear(hidden_dims[-1] * 4, latent_dim)
        self.fc_var = nn.Linear(hidden_dims[-1] * 4, latent_dim)

        # Build Decoder
        self.decoder_input = nn.Linear(latent_dim, hidden_dims[-1] * 4)
        hidden_dims = list(reversed(hidden_dims))
        modules = []
        for i in range(len(hidden_dims) - 1):
            modules.append(nn.Sequential(
                nn.ConvTranspose2d(hidden_dims[i], hidden_dims[i + 1], kernel_size=3, stride=2,
                                   padding=1, output_padding=1),
                nn.BatchNorm2d(hidden_dims[i + 1]),
                nn.LeakyReLU()))
        self.decoder = nn.Sequential(*modules)
        self.final_layer = nn.Sequential(
            nn.ConvTranspose2d(hidden_dims[-1], hidden_dims[-1], kernel_size=3, stride=2,
                               padding=1, output_padding=1),
            nn.BatchNorm2d(hidden_dims[-1]),
            nn.LeakyReLU(),
            nn.Conv2d(hidden_dims[-1], out_channels=3, kernel_size=3, padding=1),
            nn.Tanh())

    def encode(self, input):
        result = self.encoder(input)
        result = torch.flatten(result, start_dim=1)
        mu = self.fc_mu(result)
        log_var = self.fc_var(result)
        return [mu, log_var]

    def decode(self, z):
        result = self.decoder_input(z)
        result = result.view(-1, 512, 2, 2)
        result = self.decoder(result)
        return self.final_layer(result)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        return torch.randn_like(std) * std + mu

    def forward(self, input):
        mu, log_var = self.encode(input)
        z = self.reparameterize(mu, log_var)
        return [self.decode(z), input, mu, log_var]

    def loss_function(self, recons, input, mu, log_var, kld_weight):
        recons_loss = F.mse_loss(recons, input)
        kld_loss = torch.mean(-0.5 * torch.sum(1 + log_var - mu ** 2 - log_var.exp(), dim=1), dim=0)
        return recons_loss + kld_weight * kld_loss


# synthetic "CelebA" crops at the configured patch size, scaled to [-1, 1]
size = config["data_params"]["patch_size"]
images = torch.rand(32, 3, size, size) * 2 - 1
loader = DataLoader(TensorDataset(images), batch_size=config["data_params"]["train_batch_size"], shuffle=True)

model = VanillaVAE(**config["model_params"])
optimizer = torch.optim.Adam(model.parameters(), lr=config["exp_params"]["LR"])

model.train()
for step, (real_img,) in enumerate(loader):
    recons, inp, mu, log_var = model(real_img)
    loss = model.loss_function(recons, inp, mu, log_var, config["exp_params"]["kld_weight"])
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print("step", step, "loss %.4f" % loss.item(), "recon", tuple(recons.shape))
    if step + 1 == config["exp_params"]["max_steps"]:
        break
