import torch

torch.manual_seed(0)

num_inputs, num_outputs = 784, 10
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(1, num_outputs, requires_grad=True)


def softmax(X):
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=1, keepdim=True)             # [N, 1] broadcast over classes


def net(X):
    return softmax(X.reshape((-1, W.shape[0])) @ W + b)


def cross_entropy(y_hat, y):
    return -torch.log(y_hat[range(len(y_hat)), y])


images = torch.rand(256, 1, 28, 28)
labels = torch.randint(0, 10, (256,))
lr = 0.1
for epoch in range(3):
    for i in range(0, 256, 64):
        X, y = images[i:i + 64], labels[i:i + 64]
        loss = cross_entropy(net(X), y).mean()
        loss.backward()
        with torch.no_grad():
            W -= lr * W.grad
            b -= lr * b.grad
            W.grad.zero_()
            b.grad.zero_()
    acc = (net(images).argmax(dim=1) == labels).float().mean()
    print('epoch', epoch, 'loss', round(loss.item(), 4), 'acc', acc.item())
