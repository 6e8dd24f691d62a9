"""PyTorch's tutorials, run with ``torch`` bound to retrograd and to PyTorch.

Each function is a tutorial's code as published ("Learning PyTorch with Examples",
the tensors, autograd and quickstart tutorials, d2l's linear regression from
scratch), with its module passed in as ``torch``, fewer iterations, and, where it
draws random initial values, fixed ones, so that both runs can be compared."""
import math
import random

import numpy as np
import pytest

import retrograd

real_torch = pytest.importorskip("torch")
STEPS = 300


def both(tutorial, *args):
    return tutorial(retrograd, *args), tutorial(real_torch, *args)


def close(ours, theirs, rtol=1e-4, atol=1e-6):
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64),
                               np.asarray(theirs, dtype=np.float64), rtol=rtol, atol=atol)


# -- Learning PyTorch with Examples: the polynomial fit of sin(x) ------------------------
def polynomial_tensors(torch):
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, device=device, dtype=dtype) for v in (0.1, 0.2, -0.3, 0.05))
    learning_rate = 1e-6
    for t in range(STEPS):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return [a.item(), b.item(), c.item(), d.item(), loss]


def polynomial_autograd(torch):
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, dtype=dtype, requires_grad=True)
                  for v in (0.1, 0.2, -0.3, 0.05))
    learning_rate = 1e-6
    for t in range(STEPS):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return [a.item(), b.item(), c.item(), d.item(), loss.item()]


def polynomial_function(torch):
    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    for t in range(STEPS):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return [a.item(), b.item(), c.item(), d.item(), loss.item()]


def polynomial_nn_optim(torch, optimiser):
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():                       # the same initial weights in both runs
        model[0].weight.copy_(torch.tensor([[0.3, -0.2, 0.1]]))
        model[0].bias.copy_(torch.tensor([0.05]))
    loss_fn = torch.nn.MSELoss(reduction='sum')
    if optimiser == "manual":
        learning_rate = 1e-6
    else:
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for t in range(STEPS):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if optimiser == "manual":
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= learning_rate * param.grad
        else:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    linear_layer = model[0]
    return [linear_layer.bias.item(), linear_layer.weight[:, 0].item(),
            linear_layer.weight[:, 1].item(), linear_layer.weight[:, 2].item(), loss.item()]


def polynomial_module(torch):
    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.tensor(0.1))
            self.b = torch.nn.Parameter(torch.tensor(0.2))
            self.c = torch.nn.Parameter(torch.tensor(-0.3))
            self.d = torch.nn.Parameter(torch.tensor(0.05))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
    for t in range(STEPS):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [model.a.item(), model.b.item(), model.c.item(), model.d.item(), loss.item()]


@pytest.mark.parametrize("tutorial,args", [
    (polynomial_tensors, ()), (polynomial_autograd, ()), (polynomial_function, ()),
    (polynomial_nn_optim, ("manual",)), (polynomial_nn_optim, ("RMSprop",)),
    (polynomial_module, ()),
])
def test_polynomial_series_gives_pytorchs_coefficients(tutorial, args):
    ours, theirs = both(tutorial, *args)
    close(ours, theirs)


# -- d2l: linear regression from scratch -------------------------------------------------
def d2l_linear_regression(torch):
    random.seed(0)
    torch.manual_seed(0)

    def synthetic_data(w, b, num_examples):
        X = torch.normal(0, 1, (num_examples, len(w)))
        y = torch.matmul(X, w) + b
        y += torch.normal(0, 0.01, y.shape)
        return X, y.reshape((-1, 1))

    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = synthetic_data(true_w, true_b, 1000)

    def data_iter(batch_size, features, labels):
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)

    def linreg(X, w, b):
        return torch.matmul(X, w) + b

    def squared_loss(y_hat, y):
        return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

    def sgd(params, lr, batch_size):
        with torch.no_grad():
            for param in params:
                param -= lr * param.grad / batch_size
                param.grad.zero_()

    lr, num_epochs, batch_size = 0.03, 3, 10
    for epoch in range(num_epochs):
        for X, y in data_iter(batch_size, features, labels):
            l = squared_loss(linreg(X, w, b), y)  # noqa: E741 (the book's name)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_l = squared_loss(linreg(features, w, b), labels)
    return (true_w - w.reshape(true_w.shape)).tolist() + [
        (true_b - b).detach().item(), train_l.mean().item()]


def test_d2l_linear_regression_learns_what_pytorch_learns():
    """The data are drawn from each framework's own generator: both must recover
    w = (2, −3.4), b = 4.2 to the noise level, as the book shows."""
    ours, theirs = both(d2l_linear_regression)
    for result in (ours, theirs):
        assert np.all(np.abs(result[:3]) < 2e-3) and result[3] < 1e-4


# -- the tensors and autograd tutorials --------------------------------------------------
def tensors_tutorial(torch):
    data = [[1, 2], [3, 4]]
    x_data = torch.tensor(data)
    x_np = torch.from_numpy(np.array(data))
    x_ones = torch.ones_like(x_data)
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    shape = (2, 3,)
    out = [x_data, x_np, x_ones, torch.ones(shape), torch.zeros(shape)]
    assert x_rand.shape == x_data.shape and x_rand.dtype == torch.float
    tensor = torch.rand(3, 4)
    assert tensor.device == torch.device("cpu")
    tensor = torch.ones(4, 4)
    out += [tensor[0], tensor[:, 0], tensor[..., -1]]
    tensor[:, 1] = 0
    out += [torch.cat([tensor, tensor, tensor], dim=1), tensor @ tensor.T,
            tensor.matmul(tensor.T), tensor * tensor, tensor.mul(tensor)]
    y3 = torch.rand_like(out[-4])
    torch.matmul(tensor, tensor.T, out=y3)
    z3 = torch.rand_like(tensor)
    torch.mul(tensor, tensor, out=z3)
    out += [y3, z3]
    agg = tensor.sum()
    out.append(torch.tensor(agg.item()))
    tensor.add_(5)
    out.append(tensor)
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    out.append(torch.from_numpy(n.copy()))      # the bridge shares memory
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    out.append(t)
    return [(o.numpy().tolist(), str(o.dtype).removeprefix("torch.")) for o in out]


def test_tensors_tutorial():
    ours, theirs = both(tensors_tutorial)
    assert ours == theirs


def autograd_tutorial(torch):
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.tensor(np.linspace(-1, 1, 15).reshape(5, 3), dtype=torch.float,
                     requires_grad=True)
    b = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    assert z.grad_fn is not None and loss.grad_fn is not None
    loss.backward()
    out = [w.grad.numpy().copy(), b.grad.numpy().copy()]
    with torch.no_grad():
        z = torch.matmul(x, w) + b
    assert not z.requires_grad
    z = torch.matmul(x, w) + b
    assert not z.detach().requires_grad
    inp = torch.eye(4, 5, requires_grad=True)
    out_ = (inp + 1).pow(2).t()
    out_.backward(torch.ones_like(out_), retain_graph=True)
    out.append(inp.grad.numpy().copy())
    out_.backward(torch.ones_like(out_), retain_graph=True)
    out.append(inp.grad.numpy().copy())
    inp.grad.zero_()
    out_.backward(torch.ones_like(out_), retain_graph=True)
    out.append(inp.grad.numpy().copy())
    return out


def test_autograd_tutorial():
    ours, theirs = both(autograd_tutorial)
    for a, b in zip(ours, theirs):
        close(a, b, rtol=1e-6)


# -- the quickstart: train, save the weights, load them into a new model -----------------
def quickstart(torch, path):
    from_data = torch.utils.data
    device = torch.accelerator.current_accelerator().type \
        if torch.accelerator.is_available() else "cpu"

    class NeuralNetwork(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = torch.nn.Flatten()
            self.linear_relu_stack = torch.nn.Sequential(
                torch.nn.Linear(8 * 8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    rng = np.random.default_rng(0)
    X = torch.tensor(rng.random((64, 1, 8, 8)), dtype=torch.float)
    Y = torch.tensor(rng.integers(0, 10, 64))
    loader = from_data.DataLoader(from_data.TensorDataset(X, Y), batch_size=16)
    model = NeuralNetwork().to(device)
    with torch.no_grad():                          # the same initial weights
        for i, p in enumerate(model.parameters()):
            p.copy_(torch.tensor(np.cos(np.arange(p.numel()) + i).reshape(tuple(p.shape)),
                                 dtype=torch.float) * 0.1)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
    for epoch in range(2):
        model.train()
        for X_, y in loader:
            X_, y = X_.to(device), y.to(device)
            loss = loss_fn(model(X_), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    torch.save(model.state_dict(), path)
    model = NeuralNetwork().to(device)
    model.load_state_dict(torch.load(path, weights_only=True))
    model.eval()
    with torch.no_grad():
        pred = model(X)
        correct = (pred.argmax(1) == Y).type(torch.float).sum().item()
    return pred.numpy(), correct


def test_quickstart_trains_saves_and_loads(tmp_path):
    ours, theirs = quickstart(retrograd, tmp_path / "ours.pth"), \
        quickstart(real_torch, tmp_path / "theirs.pth")
    close(ours[0], theirs[0], rtol=1e-4, atol=1e-5)
    assert ours[1] == theirs[1]


# -- pytorch/examples: regression (polynomial fit with param.data.add_) ------------------
def examples_regression(torch, steps=300):
    """pytorch/examples' regression/main.py, with its random draws taken from NumPy so
    that both libraries see the same batches and the same initial layer."""
    rng = np.random.default_rng(0)
    degree = 4
    W_target = torch.tensor(rng.standard_normal((degree, 1)) * 5, dtype=torch.float)
    b_target = torch.tensor(rng.standard_normal(1) * 5, dtype=torch.float)

    def make_features(x):
        x = x.unsqueeze(1)
        return torch.cat([x ** i for i in range(1, degree + 1)], 1)

    def f(x):
        return x.mm(W_target) + b_target.item()

    def poly_desc(W, b):
        result = "y = "
        for i, w in enumerate(W):
            result += "{:+.2f} x^{} ".format(w, i + 1)
        return result + "{:+.2f}".format(b[0])

    fc = torch.nn.Linear(W_target.size(0), 1)
    with torch.no_grad():
        fc.weight.copy_(torch.tensor(rng.uniform(-0.5, 0.5, (1, degree)), dtype=torch.float))
        fc.bias.copy_(torch.tensor(rng.uniform(-0.5, 0.5, 1), dtype=torch.float))
    for batch_idx in range(1, steps + 1):
        batch_x = make_features(torch.tensor(rng.standard_normal(32), dtype=torch.float))
        batch_y = f(batch_x)
        fc.zero_grad()
        output = torch.nn.functional.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()
        for param in fc.parameters():
            param.data.add_(-0.1 * param.grad)
        if loss < 1e-3:
            break
    return (loss, batch_idx, poly_desc(fc.weight.view(-1), fc.bias),
            poly_desc(W_target.view(-1), b_target), fc.weight.detach().numpy().copy())


def test_pytorch_examples_regression():
    ours, theirs = both(examples_regression)
    assert ours[1] == theirs[1]                           # stopped at the same batch
    assert ours[3] == theirs[3]                           # the target, printed alike
    assert ours[2] == theirs[2]                           # the learned function, too
    # float32 through x⁴ features for 300 steps: the sums' order shows at 1e-3.
    np.testing.assert_allclose(ours[4], theirs[4], rtol=2e-3, atol=1e-3)


# -- "Sequence Models and LSTM Networks": the LSTM part-of-speech tagger ------------------
TAGGING = [("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
           ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])]


def lstm_tagger(torch):
    nn, F = torch.nn, torch.nn.functional
    word_to_ix = {}
    for sent, _ in TAGGING:
        for word in sent:
            word_to_ix.setdefault(word, len(word_to_ix))
    tag_to_ix = {"DET": 0, "NN": 1, "V": 2}

    class LSTMTagger(nn.Module):
        def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
            super(LSTMTagger, self).__init__()
            self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
            self.lstm = nn.LSTM(embedding_dim, hidden_dim)
            self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

        def forward(self, sentence):
            embeds = self.word_embeddings(sentence)
            lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
            tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
            return F.log_softmax(tag_space, dim=1)

    def prepare(seq, to_ix):
        return torch.tensor([to_ix[w] for w in seq], dtype=torch.long)

    return LSTMTagger(6, 6, len(word_to_ix), len(tag_to_ix)), word_to_ix, tag_to_ix, prepare


def test_lstm_tagger_trains_as_in_pytorch():
    """The tutorial's tagger (Embedding → LSTM → Linear → log_softmax, NLLLoss, SGD, its
    300 epochs), from PyTorch's initial weights: the same losses epoch by epoch, and
    the right tags at the end."""
    (ours, w2i, t2i, prep_o), (theirs, _, _, prep_t) = both(lstm_tagger)
    ours.load_state_dict({k: retrograd.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    losses = {}
    for torch, model, prep in ((retrograd, ours, prep_o), (real_torch, theirs, prep_t)):
        loss_function = torch.nn.NLLLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        losses[torch.__name__] = []
        for epoch in range(300):           # the tutorial's 300 epochs
            for sentence, tags in TAGGING:
                model.zero_grad()
                loss = loss_function(model(prep(sentence, w2i)), prep(tags, t2i))
                loss.backward()
                optimizer.step()
            losses[torch.__name__].append(loss.item())
        with torch.no_grad():
            assert model(prep(TAGGING[0][0], w2i)).argmax(dim=1).tolist() == [0, 1, 2, 0, 1]
    close(losses["retrograd"], losses["torch"], rtol=1e-4)
