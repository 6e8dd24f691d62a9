"""The course's arguments, run: XOR needs a hidden layer; dropout keeps the expected
activation; a PReLU slope is learned."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.nn import functional as F
from harness import check_grad, check_jvp

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
XOR_Y = np.array([0, 1, 1, 0])


def _train(model, steps, lr):
    """A plain loop with manual SGD: p.data -= lr * p.grad."""
    x, y = rg.tensor(XOR_X), rg.tensor(XOR_Y)
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad.data
    with rg.no_grad():
        return nn.metrics.accuracy(model(x), y), loss.item()


def test_xor_needs_a_hidden_layer():
    rg.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    acc, loss = _train(mlp, 1500, 0.5)
    assert acc == 1.0 and loss < 0.05
    logreg = nn.Linear(2, 2)
    acc, _ = _train(logreg, 1500, 0.5)
    assert acc <= 0.75           # a linear boundary gets at most 3 of the 4 points right


def test_xor_with_keras_style_dense_layers():
    rg.manual_seed(1)
    mlp = nn.Sequential(nn.Dense(8, activation="tanh"), nn.Dense(2))
    acc, _ = _train(mlp, 1500, 0.5)
    assert acc == 1.0


def test_dropout_keeps_the_expected_activation():
    x = rg.ones(1000, 1000)
    for p in (0.1, 0.5, 0.8):
        y = F.dropout(x, p, generator=0).numpy()
        assert abs(y.mean() - 1) < 0.01                          # E[y] = x
        assert abs((y == 0).mean() - p) < 0.005
        np.testing.assert_allclose(np.unique(y), [0, 1 / (1 - p)], rtol=1e-6)
    layer = nn.Dropout(0.5)
    layer.eval()
    assert layer(x) is x                                         # identity at inference
    assert F.dropout(x, 0.5, training=False) is x


def test_dropout_gradient_uses_the_same_mask():
    x = np.random.default_rng(0).standard_normal((4, 5))
    f = lambda t: F.dropout(t, 0.4, generator=3)  # noqa: E731  (an int seed: one fixed mask)
    check_grad(f, x)
    check_jvp(f, x)
    t = rg.tensor(x, requires_grad=True)
    y = f(t)
    y.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), (y.numpy() != 0) / 0.6)
    assert F.dropout(rg.ones(3, dtype="float32"), 0.5).dtype == np.float32


def test_dropout_probability_is_checked():
    for p in (1.0, -0.1, 1.5, "0.5"):
        with pytest.raises(ValueError, match=r"Dropout: the drop probability p must lie in "
                                             r"\[0, 1\)"):
            nn.Dropout(p)
    with pytest.raises(ValueError, match=r"dropout: .*p=1.*drop every unit"):
        F.dropout(rg.ones(2), 1)


def test_mc_dropout_averages_stochastic_predictions():
    rg.manual_seed(0)
    model = nn.Sequential(nn.Dropout(0.5), nn.Linear(20, 3))
    model.eval()
    x = rg.randn(4, 20)
    exact = model(x).numpy()                 # inverted dropout: the plain network
    mc = nn.mc_dropout_predict(model, x, n=2000)
    assert not model.training and not model[0].training      # modes restored
    # dropout then a linear map: the MC mean converges to the plain network's output
    np.testing.assert_allclose(mc.numpy(), exact, atol=0.1)
    one = nn.mc_dropout_predict(model, x, n=1).numpy()
    assert np.abs(one - exact).max() > 0.05                    # each pass is stochastic
    probs = nn.mc_dropout_predict(model, x, n=50, transform=F.softmax).numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
    assert not mc.requires_grad
    with pytest.raises(ValueError, match="has no Dropout layer"):
        nn.mc_dropout_predict(nn.Linear(2, 2), x, 3)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        nn.mc_dropout_predict(model, x, 0)


def test_prelu_slope_moves_under_training():
    """Fit y = x for x > 0, 0.6x otherwise: the learned slope goes from 0.25 to 0.6."""
    act = nn.PReLU()
    assert act.weight.numpy().tolist() == [0.25]
    x = rg.tensor(np.linspace(-3, 3, 64).reshape(-1, 1))
    target = np.where(x.numpy() > 0, x.numpy(), 0.6 * x.numpy())
    for _ in range(200):
        loss = F.mse_loss(act(x), target)
        act.zero_grad()
        loss.backward()
        act.weight.data -= 0.5 * act.weight.grad.data
    assert abs(act.weight.item() - 0.6) < 1e-3


def test_per_channel_prelu_learns_one_slope_per_channel():
    act = nn.PReLU(num_parameters=2)
    x = rg.tensor(-np.ones((8, 2)))
    target = np.tile([-0.1, -0.9], (8, 1))
    for _ in range(300):
        loss = F.mse_loss(act(x), target)
        act.zero_grad()
        loss.backward()
        act.weight.data -= 0.5 * act.weight.grad.data
    np.testing.assert_allclose(act.weight.numpy(), [0.1, 0.9], atol=1e-3)


def test_docs_snippet_runs_and_solves_xor(capsys):
    """docs/nn.md's example is the XOR argument: keep it runnable."""
    import re
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "docs" / "nn.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    rg.manual_seed(0)
    for code in blocks:
        exec(compile(code, "docs/nn.md", "exec"), {})
    assert capsys.readouterr().out.strip().splitlines()[-1] == "1.0"
