import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class PolicyGradientAgentConfig:
    def __init__(self, input_dim, output_dim, hidden_dim, gamma=0.99, lr=1e-3):
        self.input_dim, self.output_dim, self.hidden_dim = input_dim, output_dim, hidden_dim
        self.gamma, self.lr = gamma, lr


class IdsGameEnv:
    num_nodes, num_attributes = 4, 11

    def reset(self):
        return torch.rand(self.num_nodes, self.num_attributes)

    def step(self, action):
        return torch.rand(self.num_nodes, self.num_attributes), float(torch.rand(())), False


class FNNwithSoftmax(nn.Module):
    def __init__(self, input_dim, output_dim, hidden_dim):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(input_dim, hidden_dim), nn.ReLU(), nn.Linear(hidden_dim, output_dim))

    def forward(self, x):
        return F.softmax(self.layers(x), dim=-1)


config = PolicyGradientAgentConfig(
    input_dim=44,
    output_dim=40,
    hidden_dim=64)
env = IdsGameEnv()
policy = FNNwithSoftmax(config.input_dim, config.output_dim, config.hidden_dim)
optimizer = torch.optim.Adam(policy.parameters(), lr=config.lr)

for episode in range(2):
    obs = env.reset()
    log_probs, rewards = [], []
    for t in range(5):
        state = obs.flatten().unsqueeze(0)
        probs = policy(state)
        dist = torch.distributions.Categorical(probs)
        action = dist.sample()
        log_probs.append(dist.log_prob(action))
        obs, reward, done = env.step(action.item())
        rewards.append(reward)
    returns = torch.tensor([sum(config.gamma ** k * r for k, r in enumerate(rewards[i:])) for i in range(len(rewards))])
    loss = -(torch.cat(log_probs) * returns).sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('episode', episode, 'return', returns[0].item())
