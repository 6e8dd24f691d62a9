"""4. XOR (section 2, "Le problème du XOR" and "Garanties théoriques"): logistic
regression cannot separate it; one hidden layer can, and the slide's hand-set
network of Heaviside neurons ("x ET non y", "non x ET y", then "OU") computes it
exactly."""
import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.nn import functional as F

from .experiment import Result

NAME = "xor"
TITLE = "XOR: logistic regression fails, a hidden layer succeeds"
SLIDES = "§2 Limites du perceptron, Garanties théoriques"
ERRATA = ["The MLP slide writes the hidden layer as h = φ(W_s h + b_s) (h on both sides); "
          "it is h = φ(Wx + b), and the output ŷ = softmax(W_s h + b_s)."]

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
Y = np.array([0, 1, 1, 0], dtype=np.int64)


def train(model, steps, lr=0.1):
    """Full-batch Adam on the 4 points; returns the final accuracy."""
    opt = optim.Adam(model.parameters(), lr=lr)
    x, y = rg.tensor(X), rg.tensor(Y)
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return accuracy(model)


def accuracy(model):
    with rg.no_grad():
        out = model(rg.tensor(X)).numpy()
    pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > 0.5).astype(int)
    return float((pred == Y).mean())


def hand_set():
    """The slide's network: h₁ = H(x − y − ½) ("x ET non y"), h₂ = H(y − x − ½)
    ("non x ET y"), ŷ = H(h₁ + h₂ − ½) ("OU")."""
    hidden, output = nn.Linear(2, 2), nn.Linear(2, 1)
    hidden.weight.data[:] = [[1, -1], [-1, 1]]
    hidden.bias.data[:] = [-0.5, -0.5]
    output.weight.data[:] = [[1, 1]]
    output.bias.data[:] = [-0.5]
    return nn.Sequential(hidden, nn.Heaviside(), output, nn.Heaviside())


def best_linear_accuracy(n_angles=3600):
    """The best accuracy of any line: sweep directions, try every threshold."""
    best = 0.0
    for a in np.linspace(0, np.pi, n_angles, endpoint=False):
        proj = X @ np.array([np.cos(a), np.sin(a)])
        for t in np.concatenate([proj - 1e-6, proj + 1e-6]):
            pred = (proj > t).astype(int)
            best = max(best, (pred == Y).mean(), (1 - pred == Y).mean())
    return float(best)


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES, errata=list(ERRATA))
    rg.manual_seed(seed)
    steps = 300 if quick else 1000
    logreg = nn.Linear(2, 2)
    lr_acc = train(logreg, steps)
    n_angles = 360 if quick else 3600
    best = best_linear_accuracy(n_angles)
    r.numbers.update(logreg_accuracy=lr_acc, best_linear_accuracy=best)
    r.claim("logistic regression (linear boundary) cannot solve XOR: ≤ 75%",
            f"trained logistic regression: {100 * lr_acc:.0f}%; best of all lines: "
            f"{100 * best:.0f}%", lr_acc <= 0.75 and best <= 0.75,
            f"exact: ≤ 3 of the 4 points right, for the trained model and for every line "
            f"(directions every {180 / n_angles:g}°, every threshold)")
    mlp = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    mlp_acc = train(mlp, steps)
    r.numbers["mlp_accuracy"] = mlp_acc
    r.claim("one hidden layer (MLP 2–8–2, tanh) learns XOR: 100%",
            f"MLP after {steps} Adam steps: {100 * mlp_acc:.0f}%", mlp_acc == 1.0,
            "exact: the 4 points right")
    net = hand_set()
    with rg.no_grad():
        h = net[1](net[0](rg.tensor(X))).numpy()
        yhat = net(rg.tensor(X)).numpy()[:, 0]
    r.numbers.update(hand_set_hidden=h.tolist(), hand_set_output=yhat.tolist())
    and_not = [float(a and not b) for a, b in X]
    not_and = [float(b and not a) for a, b in X]
    r.claim("hand-set: top neuron 'x ET non y', bottom 'non x ET y', output 'OU' = XOR",
            f"h₁ = {h[:, 0].astype(int).tolist()}, h₂ = {h[:, 1].astype(int).tolist()}, "
            f"ŷ = {yhat.astype(int).tolist()} on (0,0), (0,1), (1,0), (1,1)",
            h[:, 0].tolist() == and_not and h[:, 1].tolist() == not_and
            and yhat.tolist() == Y.tolist(),
            "exact: the slide's truth tables on the 4 inputs")
    if out is not None:
        from retrograd.viz import new_figure, plot_decision_boundary
        fig, axes = new_figure(1, 3, width=3.6, height=3.1)
        bounds = (-0.5, 1.5, -0.5, 1.5)
        panels = ((logreg, f"logistic regression: {100 * lr_acc:.0f}%"),
                  (mlp, f"MLP 2–8–2 (tanh): {100 * mlp_acc:.0f}%"),
                  (net, "hand-set Heaviside network: 100%"))
        for ax, (model, name) in zip(axes, panels):
            plot_decision_boundary(model, X, Y, ax=ax, bounds=bounds, title=name, proba=True)
            ax.set_aspect("equal")
        r.save(fig, out, "xor.png")
    return r
