import torch
import torch.nn as nn

torch.manual_seed(0)

N_CLASSES, LATENT_DIM, IMG_SHAPE = 10, 16, (1, 16, 16)
IMG_SIZE = 16 * 16


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_emb = nn.Embedding(N_CLASSES, N_CLASSES)
        self.model = nn.Sequential(nn.Linear(LATENT_DIM + N_CLASSES, 128), nn.LeakyReLU(0.2, inplace=True),
                                   nn.Linear(128, IMG_SIZE), nn.Tanh())

    def forward(self, noise, labels):
        img = self.model(torch.cat((self.label_emb(labels), noise), -1))
        return img.view(img.size(0), *IMG_SHAPE)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_embedding = nn.Embedding(N_CLASSES, N_CLASSES)
        self.model = nn.Sequential(
            nn.Linear(N_CLASSES + IMG_SIZE, 64),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Dropout(0.4),
            nn.Linear(64, 1),
        )

    def forward(self, img, labels):
        d_in = torch.cat((img.view(img.size(0), -1), self.label_embedding(labels)), -1)
        return self.model(d_in)


adversarial_loss = nn.BCELoss()
generator, discriminator = Generator(), Discriminator()
optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
for i in range(3):
    real_imgs = torch.rand(8, *IMG_SHAPE) * 2 - 1
    labels = torch.randint(0, N_CLASSES, (8,))
    valid, fake = torch.ones(8, 1), torch.zeros(8, 1)
    optimizer_G.zero_grad()
    gen_imgs = generator(torch.randn(8, LATENT_DIM), labels)
    g_loss = adversarial_loss(discriminator(gen_imgs, labels), valid)
    g_loss.backward()
    optimizer_G.step()
    optimizer_D.zero_grad()
    d_loss = (adversarial_loss(discriminator(real_imgs, labels), valid)
              + adversarial_loss(discriminator(gen_imgs.detach(), labels), fake)) / 2
    d_loss.backward()
    optimizer_D.step()
    print(i, 'D %.3f G %.3f' % (d_loss.item(), g_loss.item()))
