import argparse
import copy
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical

torch.manual_seed(0)
np.random.seed(0)

parser = argparse.ArgumentParser()
parser.add_argument('--T_horizon', type=int, default=256, help='length of long trajectory')
parser.add_argument('--gamma', type=float, default=0.99)
parser.add_argument('--lambd', type=float, default=0.95)
parser.add_argument('--clip_rate', type=float, default=0.2)
parser.add_argument('--K_epochs', type=int, default=4)
parser.add_argument('--net_width', type=int, default=64)
parser.add_argument('--lr', type=float, default=1e-3)
parser.add_argument('--batch_size', type=int, default=64)
parser.add_argument('--entropy_coef', type=float, default=0.01)
parser.add_argument('--max_train_steps', type=int, default=1024)
opt = parser.parse_args([])


class CartPole:
    """Minimal CartPole-v1 dynamics (4-d state, 2 actions)."""
    def reset(self):
        self.s = np.random.uniform(-0.05, 0.05, 4)
        self.t = 0
        return self.s.astype(np.float32)

    def step(self, a):
        x, x_dot, th, th_dot = self.s
        force = 10.0 if a == 1 else -10.0
        costh, sinth = math.cos(th), math.sin(th)
        temp = (force + 0.05 * th_dot ** 2 * sinth) / 1.1
        thacc = (9.8 * sinth - costh * temp) / (0.5 * (4.0 / 3.0 - 0.1 * costh ** 2 / 1.1))
        xacc = temp - 0.05 * thacc * costh / 1.1
        self.s = np.array([x + 0.02 * x_dot, x_dot + 0.02 * xacc, th + 0.02 * th_dot, th_dot + 0.02 * thacc])
        self.t += 1
        dead = bool(abs(self.s[0]) > 2.4 or abs(self.s[2]) > 0.2095)
        return self.s.astype(np.float32), 1.0, dead, self.t >= 500


class Actor(nn.Module):
    def __init__(self, state_dim, action_dim, net_width):
        super(Actor, self).__init__()
        self.l1 = nn.Linear(state_dim, net_width)
        self.l2 = nn.Linear(net_width, net_width)
        self.l3 = nn.Linear(net_width, action_dim)

    def forward(self, state):
        n = torch.tanh(self.l1(state))
        return torch.tanh(self.l2(n))

    def pi(self, state, softmax_dim=0):
        n = self.forward(state)
        return F.softmax(self.l3(n), dim=softmax_dim)


class Critic(nn.Module):
    def __init__(self, state_dim, net_width):
        super(Critic, self).__init__()
        self.C1 = nn.Linear(state_dim, net_width)
        self.C2 = nn.Linear(net_width, net_width)
        self.C3 = nn.Linear(net_width, 1)

    def forward(self, state):
        return self.C3(torch.relu(self.C2(torch.relu(self.C1(state)))))


class PPO_discrete:
    def __init__(self, state_dim, action_dim, opt):
        self.opt = opt
        self.actor = Actor(state_dim, action_dim, opt.net_width)
        self.critic = Critic(state_dim, opt.net_width)
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=opt.lr)
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=opt.lr)
        T = opt.T_horizon
        self.s_hoder = np.zeros((T, state_dim), dtype=np.float32)
        self.a_hoder = np.zeros((T, 1), dtype=np.int64)
        self.r_hoder = np.zeros((T, 1), dtype=np.float32)
        self.s_next_hoder = np.zeros((T, state_dim), dtype=np.float32)
        self.logprob_a_hoder = np.zeros((T, 1), dtype=np.float32)
        self.done_hoder = np.zeros((T, 1), dtype=np.bool_)
        self.dw_hoder = np.zeros((T, 1), dtype=np.bool_)

    def select_action(self, s, deterministic):
        s = torch.from_numpy(s).float()          # a single state, shape (state_dim,)
        with torch.no_grad():
            pi = self.actor.pi(s, softmax_dim=0)
            if deterministic:
                return torch.argmax(pi).item(), None
            m = Categorical(pi)
            a = m.sample().item()
            return a, pi[a].item()

    def put_data(self, s, a, r, s_next, prob_a, done, dw, idx):
        self.s_hoder[idx], self.a_hoder[idx], self.r_hoder[idx] = s, a, r
        self.s_next_hoder[idx], self.logprob_a_hoder[idx] = s_next, prob_a
        self.done_hoder[idx], self.dw_hoder[idx] = done, dw

    def train(self):
        o = self.opt
        s, a, r = torch.from_numpy(self.s_hoder), torch.from_numpy(self.a_hoder), torch.from_numpy(self.r_hoder)
        s_next, old_prob_a = torch.from_numpy(self.s_next_hoder), torch.from_numpy(self.logprob_a_hoder)
        done, dw = torch.from_numpy(self.done_hoder), torch.from_numpy(self.dw_hoder)
        with torch.no_grad():
            vs, vs_ = self.critic(s), self.critic(s_next)
            deltas = (r + o.gamma * vs_ * (~dw) - vs).flatten().numpy()
            adv = [0]
            for dlt, d in zip(deltas[::-1], done.flatten().numpy()[::-1]):
                adv.append(dlt + o.gamma * o.lambd * adv[-1] * (~d))
            adv.reverse()
            adv = torch.tensor(copy.deepcopy(adv[0:-1])).unsqueeze(1).float()
            td_target = adv + vs
            adv = (adv - adv.mean()) / (adv.std() + 1e-4)
        optim_iter_num = int(math.ceil(s.shape[0] / o.batch_size))
        for _ in range(o.K_epochs):
            perm = torch.randperm(s.shape[0])
            s, a, td_target, adv, old_prob_a = s[perm], a[perm], td_target[perm], adv[perm], old_prob_a[perm]
            for i in range(optim_iter_num):
                index = slice(i * o.batch_size, min((i + 1) * o.batch_size, s.shape[0]))
                prob = self.actor.pi(s[index], softmax_dim=1)          # a batch of states, shape (B, 2)
                entropy = Categorical(prob).entropy().sum(0, keepdim=True)
                prob_a = prob.gather(1, a[index])
                ratio = torch.exp(torch.log(prob_a) - torch.log(old_prob_a[index]))
                surr1 = ratio * adv[index]
                surr2 = torch.clamp(ratio, 1 - o.clip_rate, 1 + o.clip_rate) * adv[index]
                a_loss = -torch.min(surr1, surr2) - o.entropy_coef * entropy
                self.actor_optimizer.zero_grad()
                a_loss.mean().backward()
                self.actor_optimizer.step()
                c_loss = (self.critic(s[index]) - td_target[index]).pow(2).mean()
                self.critic_optimizer.zero_grad()
                c_loss.backward()
                self.critic_optimizer.step()


env, eval_env = CartPole(), CartPole()
agent = PPO_discrete(4, 2, opt)
s, traj_lenth, total_steps = env.reset(), 0, 0
while total_steps < opt.max_train_steps:
    a, prob_a = agent.select_action(s, deterministic=False)
    s_next, r, dw, tr = env.step(a)
    done = dw or tr
    agent.put_data(s, a, r, s_next, prob_a, done, dw, idx=traj_lenth)
    s = env.reset() if done else s_next
    traj_lenth += 1
    total_steps += 1
    if traj_lenth % opt.T_horizon == 0:
        agent.train()
        traj_lenth = 0

scores = []
for _ in range(3):
    s, done, score = eval_env.reset(), False, 0.0
    while not done:
        a, _ = agent.select_action(s, deterministic=True)
        s, r, dw, tr = eval_env.step(a)
        done, score = dw or tr, score + r
    scores.append(score)
print("steps", total_steps, "eval scores", scores)
