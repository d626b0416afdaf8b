import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
np.random.seed(0)

# custom dataset: 300 items with 100-d embeddings, users rate items 1..5
n_items, emb_size, frame_size = 300, 100, 10
item_embeddings = torch.randn(n_items, emb_size) * 0.1
users = [(np.random.randint(0, n_items, 40), np.random.randint(1, 6, 40)) for _ in range(60)]

params = {"gamma": 0.99, "min_value": -10, "max_value": 10, "policy_step": 10, "soft_tau": 0.001,
          "policy_lr": 1e-5, "value_lr": 1e-5, "batch_size": 32}


def get_batch(batch_size):
    """State = embeddings of the last frame_size items + their ratings; action = next item's embedding."""
    states, actions, rewards, next_states, dones = [], [], [], [], []
    for _ in range(batch_size):
        items, ratings = users[np.random.randint(len(users))]
        t = np.random.randint(0, len(items) - frame_size - 1)
        emb = item_embeddings[items[t:t + frame_size + 1]]
        r = torch.tensor(ratings[t:t + frame_size + 1], dtype=torch.float) / 5.0
        states.append(torch.cat([emb[:-1].flatten(), r[:-1]]))
        next_states.append(torch.cat([emb[1:].flatten(), r[1:]]))
        actions.append(emb[-1])
        rewards.append(r[-1])
        dones.append(0.0)
    return (torch.stack(states), torch.stack(actions), torch.stack(rewards),
            torch.stack(next_states), torch.tensor(dones))


class Actor(nn.Module):
    def __init__(self, input_dim, action_dim, hidden_size, init_w=2e-1):
        super(Actor, self).__init__()
        self.drop_layer = nn.Dropout(p=0.5)
        self.linear1 = nn.Linear(input_dim, hidden_size)
        self.linear2 = nn.Linear(hidden_size, hidden_size)
        self.linear3 = nn.Linear(hidden_size, action_dim)
        self.linear3.weight.data.uniform_(-init_w, init_w)
        self.linear3.bias.data.uniform_(-init_w, init_w)

    def forward(self, state, tanh=False):
        action = F.relu(self.linear1(state))
        action = self.drop_layer(action)
        action = F.relu(self.linear2(action))
        action = self.drop_layer(action)
        action = self.linear3(action)
        return torch.tanh(action) if tanh else action


class Critic(nn.Module):
    def __init__(self, input_dim, action_dim, hidden_size, init_w=3e-5):
        super(Critic, self).__init__()
        self.drop_layer = nn.Dropout(p=0.5)
        self.linear1 = nn.Linear(input_dim + action_dim, hidden_size)
        self.linear2 = nn.Linear(hidden_size, hidden_size)
        self.linear3 = nn.Linear(hidden_size, 1)
        self.linear3.weight.data.uniform_(-init_w, init_w)
        self.linear3.bias.data.uniform_(-init_w, init_w)

    def forward(self, state, action):
        value = torch.cat([state, action], 1)
        value = F.relu(self.linear1(value))
        value = self.drop_layer(value)
        value = F.relu(self.linear2(value))
        value = self.drop_layer(value)
        return self.linear3(value)


def soft_update(net, target_net, soft_tau):
    for target_param, param in zip(target_net.parameters(), net.parameters()):
        target_param.data.copy_(target_param.data * (1.0 - soft_tau) + param.data * soft_tau)


def ddpg_update(batch, params, nets, optimizer, step):
    state, action, reward, next_state, done = batch
    reward, done = reward.unsqueeze(1), done.unsqueeze(1)

    next_action = nets["target_policy_net"](next_state)
    target_value = nets["target_value_net"](next_state, next_action.detach())
    expected_value = reward + (1.0 - done) * params["gamma"] * target_value
    expected_value = torch.clamp(expected_value, params["min_value"], params["max_value"])
    value = nets["value_net"](state, action)
    value_loss = torch.pow(value - expected_value.detach(), 2).mean()

    optimizer["value_optimizer"].zero_grad()
    value_loss.backward()
    optimizer["value_optimizer"].step()

    policy_loss = -nets["value_net"](state, nets["policy_net"](state)).mean()
    if step % params["policy_step"] == 0:
        optimizer["policy_optimizer"].zero_grad()
        policy_loss.backward()
        optimizer["policy_optimizer"].step()
        soft_update(nets["value_net"], nets["target_value_net"], params["soft_tau"])
        soft_update(nets["policy_net"], nets["target_policy_net"], params["soft_tau"])
    return value_loss.item(), policy_loss.item()


# the networks as defined in the ML-20M example notebook
value_net = Critic(1010, 100, 256, 54e-2)
policy_net = Actor(1010, 100, 256, 6e-1)

nets = {"value_net": value_net, "target_value_net": copy.deepcopy(value_net),
        "policy_net": policy_net, "target_policy_net": copy.deepcopy(policy_net)}
optimizer = {"value_optimizer": torch.optim.Adam(value_net.parameters(), lr=params["value_lr"]),
             "policy_optimizer": torch.optim.Adam(policy_net.parameters(), lr=params["policy_lr"])}

for step in range(20):
    v_loss, p_loss = ddpg_update(get_batch(params["batch_size"]), params, nets, optimizer, step)
    if step % 5 == 0:
        print("step", step, "value_loss %.4f policy_loss %.4f" % (v_loss, p_loss))
