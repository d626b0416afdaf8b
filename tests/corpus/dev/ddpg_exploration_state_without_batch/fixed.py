import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)

STATE_DIM, ACTION_DIM, ACTION_LIM = 3, 1, 2.0


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.fcs1 = nn.Linear(STATE_DIM, 32)
        self.fca1 = nn.Linear(ACTION_DIM, 32)
        self.fc2 = nn.Linear(64, 1)

    def forward(self, state, action):
        s1 = F.relu(self.fcs1(state))
        a1 = F.relu(self.fca1(action))
        return self.fc2(torch.cat((s1, a1), dim=1))


class Actor(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(STATE_DIM, 32)
        self.fc2 = nn.Linear(32, ACTION_DIM)

    def forward(self, state):
        return torch.tanh(self.fc2(F.relu(self.fc1(state)))) * ACTION_LIM


class Trainer:
    def __init__(self):
        self.actor, self.critic = Actor(), Critic()

    def get_exploration_action(self, state):
        action = self.actor.forward(state).detach()
        noisy = action + 0.2 * torch.randn_like(action)
        q = self.critic.forward(state, noisy)
        return noisy.clamp(-ACTION_LIM, ACTION_LIM), q


class Pendulum:
    def reset(self):
        return np.random.uniform(-1, 1, STATE_DIM)

    def step(self, a):
        return np.random.uniform(-1, 1, STATE_DIM), -float(np.abs(a).sum()), False


env, trainer = Pendulum(), Trainer()
obs = env.reset()
for t in range(5):
    state = torch.from_numpy(obs).float().unsqueeze(0)
    action, q = trainer.get_exploration_action(state)
    obs, reward, done = env.step(action.numpy())
    print('t', t, 'reward %.3f' % reward, 'q %.3f' % q.item())
