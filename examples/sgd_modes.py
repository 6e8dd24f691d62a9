"""Full-batch gradient descent vs online SGD vs mini-batch SGD, at equal cost.

The course (section 3): for a loss f(θ) = (1/N) Σᵢ ℓᵢ(θ), gradient descent
computes all N per-sample gradients ∇ℓᵢ for each step θ ← θ − η ∇f(θ);
stochastic gradient descent steps after one sample (online) or a mini-batch of
B. "À nombre de calculs égal, convergence plus rapide": for the same number of
per-sample gradient computations, SGD makes N/B times more steps and ends lower.

This script trains the same softmax (multinomial logistic) regression three
times, with ``DataLoader(batch_size=N)``, ``batch_size=1`` and
``batch_size=B``, counts per-sample gradient computations, and plots the loss
on the whole training set against that count.

    python examples/sgd_modes.py --out sgd_modes.png
    python examples/sgd_modes.py --data synthetic --epochs 3 --out small.png
"""
import argparse

import numpy as np

from retrograd.course.sgd_modes import modes, train  # the course gallery's experiment


def load(name, n, seed):
    """Standardised features X (N, D) float32 and labels y (N,)."""
    if name == "digits":
        from sklearn.datasets import load_digits
        X, y = load_digits(return_X_y=True)
        if n:
            X, y = X[:n], y[:n]
    else:
        # Gaussian blobs with overlapping classes: a problem SGD cannot solve exactly.
        rng = np.random.default_rng(seed)
        c, d = 4, 20
        centres = rng.normal(0, 1.0, (c, d))
        y = rng.integers(0, c, n or 1000)
        X = centres[y] + rng.normal(0, 1.5, (len(y), d))
    X = (X - X.mean(0)) / (X.std(0) + 1e-8)
    return X.astype(np.float32), y.astype(np.int64)


def compare(X, y, epochs=10, lr=0.05, batch_size=32, seed=0):
    """The three modes on the same problem and budget: {mode: (counts, losses)}."""
    n = len(y)
    return {name: train(X, y, b, epochs, lr, seed) for name, b in modes(n, batch_size).items()}


def plot(results, out, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, (counts, losses) in results.items():
        ax.plot(counts, losses, marker="o" if len(counts) < 30 else None, ms=3, label=name)
    ax.set_xlabel("per-sample gradient computations")
    ax.set_ylabel("training loss (cross-entropy, whole set)")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="sgd_modes.png", help="PNG file to write")
    p.add_argument("--data", choices=["digits", "synthetic"], default="digits")
    p.add_argument("--n", type=int, default=0, help="number of samples (0: all / 1000)")
    p.add_argument("--epochs", type=int, default=10,
                   help="budget, in passes over the data (epochs × N computations)")
    p.add_argument("--lr", type=float, default=0.05, help="η, the same for the three modes")
    p.add_argument("--batch-size", type=int, default=32, help="B of mini-batch SGD")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    X, y = load(args.data, args.n, args.seed)
    results = compare(X, y, args.epochs, args.lr, args.batch_size, args.seed)
    budget = args.epochs * len(y)
    print(f"{args.data}: N={len(y)}, D={X.shape[1]}, η={args.lr}, "
          f"budget={budget} per-sample gradient computations")
    for name, b in modes(len(y), args.batch_size).items():
        steps = args.epochs * -(-len(y) // b)
        print(f"  {name:28s} steps={steps:6d}  final loss={results[name][1][-1]:.4f}")
    plot(results, args.out, f"{args.data}: equal gradient computations, η = {args.lr}")
    print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
