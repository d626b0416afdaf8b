import torch
import torch.nn as nn

torch.manual_seed(0)

x = torch.linspace(-3, 3, 200).unsqueeze(1)                  # [200, 1]
y = torch.sin(2 * x) + 0.1 * x ** 2                           # [200, 1]

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=10, line_search_fn='strong_wolfe')


def closure():
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    return loss


for step in range(5):
    loss = optimizer.step(closure)
    print('step', step, 'mse', loss.item())
