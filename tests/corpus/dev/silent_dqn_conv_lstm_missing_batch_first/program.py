import random
from collections import deque

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
random.seed(0)

BATCH_SIZE = 32
LSTM_MEMORY = 128
GAMMA = 0.99
N_ACTIONS = 4


class DQN(nn.Module):
    def __init__(self, n_action):
        super(DQN, self).__init__()
        self.conv1 = nn.Conv2d(4, 32, kernel_size=8, stride=4)    # 84 -> 20
        self.conv2 = nn.Conv2d(32, 64, kernel_size=4, stride=2)   # 20 -> 9
        self.conv3 = nn.Conv2d(64, 64, kernel_size=3, stride=2)   # 9 -> 4
        self.lstm = nn.LSTM(16, LSTM_MEMORY, 1)
        self.affine1 = nn.Linear(LSTM_MEMORY * 64, 512)
        self.affine2 = nn.Linear(512, n_action)

    def forward(self, x):
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        h = F.relu(self.conv3(h))
        h = h.view(h.size(0), 64, 16)          # (batch, 64 channels, 16 positions)
        h, _ = self.lstm(h)                    # read as (seq, batch, feature)
        h = F.relu(self.affine1(h.reshape(h.size(0), -1)))
        return self.affine2(h)


def random_transition():
    state = torch.rand(4, 84, 84)
    next_state = torch.rand(4, 84, 84)
    return state, random.randrange(N_ACTIONS), random.random(), next_state, random.random() < 0.1


replay = deque(maxlen=1000)
for _ in range(200):
    replay.append(random_transition())

dqn, target = DQN(N_ACTIONS), DQN(N_ACTIONS)
target.load_state_dict(dqn.state_dict())
optimizer = torch.optim.RMSprop(dqn.parameters(), lr=1e-4)
for step in range(4):
    batch = random.sample(replay, BATCH_SIZE - step % 2)   # the replay sometimes yields 31
    states = torch.stack([t[0] for t in batch])
    actions = torch.tensor([t[1] for t in batch])
    rewards = torch.tensor([t[2] for t in batch])
    next_states = torch.stack([t[3] for t in batch])
    dones = torch.tensor([float(t[4]) for t in batch])
    q = dqn(states).gather(1, actions.unsqueeze(1)).squeeze(1)
    with torch.no_grad():
        q_next = target(next_states).max(1)[0]
    expected = rewards + GAMMA * q_next * (1 - dones)
    loss = F.smooth_l1_loss(q, expected)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    print('step', step, 'batch', states.size(0), 'loss', round(loss.item(), 5))
