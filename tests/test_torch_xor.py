"""Issue 14's acceptance test: the XOR network trained by hand, the way PyTorch
tutorials write it, runs unchanged with ``import retrograd as torch`` and follows
PyTorch's trajectory step by step.

The code below is written once, for a module called ``torch``; it runs with
``torch`` = retrograd and ``torch`` = PyTorch from the same initial weights
(float64, full batch, plain gradient steps). The gradient step is written the two
tutorial ways, ``p.data -= lr * p.grad`` and ``with torch.no_grad(): p -= lr *
p.grad``, and the gradient is forgotten with ``p.grad.zero_()`` or ``p.grad = None``;
the network is raw tensors (tanh, sigmoid, MSE) or ``nn.Sequential`` (BCELoss).
Every parameter must equal PyTorch's after every step (rtol 1e-10) and the trained
network must classify the four points correctly."""
import numpy as np
import pytest

import retrograd

real_torch = pytest.importorskip("torch")

# NumPy float64 arrays: retrograd.tensor(list of Python floats, dtype=float64) rounds
# through float32 today (creation._python_data; test_torch_tensors.py's xfail).
X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y = np.array([[0.0], [1.0], [1.0], [0.0]])
W1 = np.array([[0.5, -0.4], [-0.3, 0.6], [0.8, 0.7], [-0.6, -0.5]])     # 2-4-1
B1 = np.array([0.1, -0.1, -0.2, 0.3])
W2 = np.array([[0.7, -0.5, 0.6, -0.4]])
B2 = np.array([0.05])
STEPS, LR = 1000, 1.0


def train_tensors(torch, step, forget):
    """The 'autograd' tutorial's form: parameters as tensors requiring grad."""
    x = torch.tensor(X, dtype=torch.float64)
    y = torch.tensor(Y, dtype=torch.float64)
    w1 = torch.tensor(W1, dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor(B1, dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor(W2, dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(B2, dtype=torch.float64, requires_grad=True)
    params = [w1, b1, w2, b2]
    for t in range(STEPS):
        h = torch.tanh(x @ w1.T + b1)
        y_pred = torch.sigmoid(h @ w2.T + b2)
        loss = ((y_pred - y) ** 2).mean()
        loss.backward()
        update(torch, params, step, forget)
        yield params, y_pred


def train_module(torch, step, forget):
    """The 'nn' tutorial's form: a Sequential, a loss module, the model's parameters."""
    x = torch.tensor(X, dtype=torch.float64)
    y = torch.tensor(Y, dtype=torch.float64)
    model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(),
                                torch.nn.Linear(4, 1), torch.nn.Sigmoid())
    model.to(torch.float64)
    with torch.no_grad():
        for p, v in zip(model.parameters(), (W1, B1, W2, B2)):
            p.copy_(torch.tensor(v, dtype=torch.float64))
    loss_fn = torch.nn.BCELoss()
    for t in range(STEPS):
        y_pred = model(x)
        loss = loss_fn(y_pred, y)
        loss.backward()
        update(torch, list(model.parameters()), step, forget)
        yield list(model.parameters()), y_pred


def update(torch, params, step, forget):
    if step == "data":
        for p in params:
            p.data -= LR * p.grad
    else:
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
    for p in params:
        if forget == "zero_":
            p.grad.zero_()
        else:
            p.grad = None


@pytest.mark.parametrize("train,step,forget", [
    (train_tensors, "data", "zero_"), (train_module, "data", "None"),
    (train_module, "no_grad", "zero_"), (train_tensors, "no_grad", "None"),
])   # each step with each network, each way of forgetting with each step
def test_xor_follows_pytorch_step_by_step(train, step, forget):
    ours, theirs = [], []
    for (a, pred), (b, _) in zip(train(retrograd, step, forget), train(real_torch, step, forget)):
        assert all(p.dtype == retrograd.float64 and p.requires_grad and p.is_leaf for p in a)
        ours.append([p.numpy().copy() for p in a])
        theirs.append([q.detach().numpy().copy() for q in b])
    assert len(ours) == len(theirs) == STEPS
    for k in range(4):                                         # every parameter …
        a = np.stack([s[k] for s in ours])
        b = np.stack([s[k] for s in theirs])
        bad = ~np.isclose(a, b, rtol=1e-10, atol=0).reshape(STEPS, -1).all(axis=1)
        assert not bad.any(), (f"parameter {k} differs from PyTorch's after step "
                               f"{np.argmax(bad) + 1}: {a[bad][0]} vs {b[bad][0]}")
    predicted = (pred.detach().numpy() > 0.5).astype(float)     # … after every step
    assert (predicted == Y).all(), pred                        # 100 % accuracy
