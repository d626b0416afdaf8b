import torch
import torch.nn as nn

torch.manual_seed(0)

l1, l2, l3 = 4, 150, 2
model = nn.Sequential(nn.Linear(l1, l2), nn.LeakyReLU(), nn.Linear(l2, l3), nn.Softmax(dim=1))
optimizer = torch.optim.Adam(model.parameters(), lr=0.009)
gamma = 0.99


def discount_rewards(rewards):
    lenr = len(rewards)
    disc = torch.pow(gamma, torch.arange(lenr).float()) * rewards
    return disc / disc.max()


for episode in range(5):
    states = torch.randn(20, 4)                                       # one episode of 20 states
    probs = model(states)                                             # [20, 2]
    actions = torch.distributions.Categorical(probs=probs).sample()   # [20]
    rewards = torch.arange(20, 0, -1).float()                         # returns-to-go of a CartPole-like episode
    returns = discount_rewards(rewards)
    prob_batch = probs.gather(dim=1, index=actions.long().view(-1, 1)).squeeze(1)
    loss = -torch.sum(returns * torch.log(prob_batch))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('episode', episode, 'loss', round(loss.item(), 3), 'row sums', probs.sum(dim=1)[:3].tolist())
