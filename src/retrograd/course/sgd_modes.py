"""7. Full-batch gradient descent vs online SGD vs mini-batch SGD at an equal
number of gradient computations (section 3, "Descente de gradient
stochastique", "Avantages et inconvénients"), on the softmax regression of
scikit-learn's 8×8 digits; the three modes are one parameter of the
``DataLoader``, the batch size B."""
import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.data import DataLoader, TensorDataset
from retrograd.nn import functional as F

from .experiment import Result

NAME = "sgd-modes"
TITLE = "full-batch GD vs online vs mini-batch SGD at equal gradient computations"
SLIDES = "§3 Descente de gradient stochastique, Avantages et inconvénients"


def load(quick):
    from retrograd.datasets import digits
    (x, y), _ = digits(test_fraction=0.2, seed=0)
    x = x.reshape(len(x), -1).astype(np.float32) / 16.0
    x = (x - x.mean(0)) / (x.std(0) + 1e-3)
    if quick:
        x, y = x[:300], y[:300]
    return x, y.astype(np.int64)


def train(X, y, batch_size, epochs, lr, seed, points_per_epoch=10):
    """SGD with batches of B for ``epochs`` × N per-sample gradients; returns
    (computations so far, loss on the whole set) at regular checkpoints."""
    rg.manual_seed(seed)
    model = nn.Linear(X.shape[1], int(y.max()) + 1)   # softmax regression
    for p in model.parameters():
        p.data[:] = 0                    # the same start for the three modes
    opt = optim.SGD(model.parameters(), lr=lr)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                        generator=np.random.default_rng(seed))
    Xt, yt = rg.tensor(X), rg.tensor(y)
    every = max(1, len(y) // points_per_epoch)
    counts, losses, done, mark = [], [], 0, 0

    def record():
        with rg.no_grad():
            losses.append(float(F.cross_entropy(model(Xt), yt)))
        counts.append(done)

    record()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += len(yb)              # one per-sample gradient per example
            if done >= mark + every:
                mark = done - done % every
                record()
    if counts[-1] != done:
        record()
    return np.array(counts), np.array(losses)


def modes(n, batch_size):
    """The course's three modes are one parameter, the batch size B."""
    return {"full-batch GD (B = N)": n, "online SGD (B = 1)": 1,
            f"mini-batch SGD (B = {batch_size})": batch_size}


def run(out=None, quick=False, seed=0):
    r = Result(NAME, TITLE, SLIDES)
    X, y = load(quick)
    n, epochs, lr, b = len(y), (3 if quick else 10), 0.05, 32
    sizes = modes(n, b)
    res = {name: train(X, y, bs, epochs, lr, seed) for name, bs in sizes.items()}
    (fc, fl), (oc, ol), (mc, ml) = res.values()
    r.numbers.update(n=n, epochs=epochs, lr=lr, final_loss={k: float(v[1][-1])
                                                           for k, v in res.items()},
                     updates={k: epochs * -(-n // bs) for k, bs in sizes.items()})
    r.claim("× N updates (online), × N/B (mini-batch) for the same computations",
            f"{epochs} × N = {epochs * n} per-sample gradients: "
            + ", ".join(f"{r.numbers['updates'][k]} updates ({k.split(' (')[0]})"
                        for k in sizes),
            fc[-1] == oc[-1] == mc[-1] == epochs * n,
            f"exact: each mode computes {epochs} × N per-sample gradients")
    r.claim("à nombre de calculs égal, convergence plus rapide (SGD vs full batch)",
            f"training loss after {epochs} passes: full batch {fl[-1]:.3f}, online "
            f"{ol[-1]:.3f}, mini-batch {ml[-1]:.3f}",
            ol[-1] < fl[-1] and ml[-1] < fl[-1],
            "online and mini-batch both end below full batch's training loss")
    if out is not None:
        from retrograd.viz import new_figure
        fig, ax = new_figure(width=6.0, height=3.8)
        for name, (c, l) in res.items():
            ax.plot(c / n, l, marker="o", ms=2.5, label=name)
        ax.set_xlabel("per-sample gradient computations / N (passes over the data)")
        ax.set_ylabel("cross-entropy on the whole training set")
        ax.set_yscale("log")
        ax.set_title(f"softmax regression, 8×8 digits (N = {n}), η = {lr}", fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
        r.save(fig, out, "sgd_modes.png")
    return r
