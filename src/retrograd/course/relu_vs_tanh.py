"""13. ReLU vs tanh (section 6, "Rectified Linear Unit (ReLU)"): the same network,
the same initialisation and the same SGD, once with tanh and once with ReLU;
the number of iterations to reach a training error. The course cites ×6 fewer
iterations with ReLU for a 4-layer CNN on CIFAR-10 (Krizhevsky et al. 2012,
figure 1: three convolution + pooling stages and a fully connected output, no
regularisation, each network with its own fastest learning rate). Here: that
4-layer CNN on MNIST (CIFAR-10 is not available offline), each activation with
the best of three learning rates."""
import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.nn import functional as F

from .experiment import Result
from .training import load_mnist

NAME = "relu-vs-tanh"
TITLE = "iterations to a target training error, ReLU vs tanh (MNIST)"
SLIDES = "§6 Rectified Linear Unit (ReLU)"
MNIST = True


CHANNELS = (8, 16, 16)        # Krizhevsky's figure-1 network: 32, 32, 64 on 32×32×3 images


def cnn(activation, seed=0, channels=CHANNELS):
    """Four layers with weights, as Krizhevsky et al.'s figure 1: three stages of
    5×5 convolution ("same" padding), activation, 2×2 max pooling (28 → 14 → 7 → 3),
    then a fully connected layer to the 10 scores. PyTorch's default initialisation."""
    rg.manual_seed(seed)
    act = nn.ReLU if activation == "relu" else nn.Tanh
    layers, prev = [], 1
    for c in channels:
        layers += [nn.Conv2d(prev, c, 5, padding=2), act(), nn.MaxPool2d(2)]
        prev = c
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(prev * 3 * 3, 10))


def training_curve(model, X, y, X_eval, y_eval, iterations, every, lr, seed, stop_at=None):
    """SGD (momentum 0.9, batches of 128) for ``iterations`` steps; the error on
    (X_eval, y_eval) — training examples — every ``every`` steps, stopping early
    once it is ≤ ``stop_at``."""
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    rng = np.random.default_rng(seed)
    its, errors, it = [], [], 0
    while it < iterations:
        order = rng.permutation(len(y))
        for i in range(0, len(order) - 127, 128):
            idx = order[i:i + 128]
            loss = F.cross_entropy(model(rg.tensor(X[idx])), rg.tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            it += 1
            if it % every == 0:
                with rg.no_grad():
                    pred = model(rg.tensor(X_eval)).numpy().argmax(1)
                its.append(it)
                errors.append(float((pred != y_eval).mean()))
                if stop_at is not None and errors[-1] <= stop_at:
                    return np.array(its), np.array(errors)
            if it >= iterations:
                break
    return np.array(its), np.array(errors)


def first_reach(its, errors, target):
    hit = np.nonzero(errors <= target)[0]
    return int(its[hit[0]]) if len(hit) else None


COURSE_SPEEDUP = 6.0   # Krizhevsky, Sutskever, Hinton 2012: a 4-layer CNN on CIFAR-10
HOLDS_FROM = 4.5       # ×6 within 25%
FASTER_FROM = 1.25     # ReLU clearly faster: beyond the curves' resolution (one evaluation
                       # every 20 iterations, against 100–1000 iterations to a target)


def speedup_claim(r, reach, iterations):
    """The slide's ×6 judged on ``reach`` ({target error: {"relu": its, "tanh": its}},
    None for a target not reached in ``iterations``) at the hardest target: the
    speedup tanh/ReLU (a lower bound, iterations/ReLU's, when tanh never gets
    there). Holds from ×4.5; partial — ReLU faster, as the course says, but not ×6 —
    from ×1.25; fails below, or when ReLU does not reach the target. Returns the
    verdict."""
    def fmt(n):
        return str(n) if n is not None else f"> {iterations}"

    ratios = {t: (v["tanh"] or iterations) / v["relu"] for t, v in reach.items() if v["relu"]}
    hardest = min(reach)                  # the lowest training error
    speedup = ratios.get(hardest, 0.0)
    r.numbers["speedup"] = {str(t): (v if reach[t]["tanh"] else None) for t, v in ratios.items()}
    return r.claim(
        f"replacing tanh by ReLU converges in ×{COURSE_SPEEDUP:g} fewer iterations (4-layer CNN, "
        "CIFAR-10); here the same 4-layer CNN and SGD on MNIST",
        "iterations to a training error of " + "; ".join(
            f"{100 * t:g}%: ReLU {fmt(v['relu'])}, tanh {fmt(v['tanh'])}"
            + (f" (×{ratios[t]:.1f}{'+' if not v['tanh'] else ''})" if t in ratios else "")
            for t, v in reach.items()),
        speedup >= HOLDS_FROM,
        f"judged at the hardest target ({100 * hardest:g}%): holds for a speedup ≥ "
        f"×{HOLDS_FROM:g} (×{COURSE_SPEEDUP:g} within 25%); partial — ReLU faster, not "
        f"×{COURSE_SPEEDUP:g} — for ≥ ×{FASTER_FROM:g}; fails below",
        partial=speedup >= FASTER_FROM)


LEARNING_RATES = (0.01, 0.03, 0.1)    # SGD with momentum 0.9; each activation keeps its best


def fastest(activation, X, y, X_eval, y_eval, iterations, every, target, lrs, seed,
            channels=CHANNELS):
    """The learning rate among ``lrs`` that reaches ``target`` first (the lowest last
    error when none does), as Krizhevsky et al. chose theirs; returns (lr, curve, all
    the runs' iterations to the target)."""
    best, runs = None, {}
    for lr in lrs:
        curve = training_curve(cnn(activation, seed, channels), X, y, X_eval, y_eval, iterations,
                               every, lr=lr, seed=seed, stop_at=target)
        reach = first_reach(*curve, target)
        runs[lr] = reach
        key = (reach if reach is not None else iterations + 1, curve[1][-1])
        if best is None or key < best[0]:
            best = (key, lr, curve)
    return best[1], best[2], runs


def run(out=None, quick=False, seed=0, data_dir=None):
    r = Result(NAME, TITLE, SLIDES)
    # quick: a narrower network on fewer images for a few iterations, which tests the
    # experiment's code; its verdict says nothing of the slide (too few iterations)
    n_train, n_eval, iterations, every = (2000, 300, 40, 5) if quick else (None, 2000, 1000, 20)
    targets = (0.40, 0.25) if quick else (0.10, 0.05, 0.03, 0.02)
    lrs, channels = ((0.1,), (4, 8, 8)) if quick else (LEARNING_RATES, CHANNELS)
    X, y, _, _ = load_mnist(data_dir, n_train=n_train, seed=seed)
    X = X.reshape(len(X), 1, 28, 28)
    X_eval, y_eval = X[:n_eval], y[:n_eval]
    picked = {act: fastest(act, X, y, X_eval, y_eval, iterations, every, min(targets), lrs,
                           seed, channels)
              for act in ("relu", "tanh")}
    curves = {act: p[1] for act, p in picked.items()}
    reach = {t: {act: first_reach(*curves[act], t) for act in curves} for t in targets}
    r.numbers.update(iterations=iterations, reach={str(t): v for t, v in reach.items()},
                     learning_rate={act: p[0] for act, p in picked.items()},
                     reach_by_learning_rate={act: {str(k): v for k, v in p[2].items()}
                                             for act, p in picked.items()},
                     final_error={act: float(c[1][-1]) for act, c in curves.items()})
    speedup_claim(r, reach, iterations)
    r.notes.append(
        f"4-layer CNN (5×5 convolutions of {', '.join(map(str, channels))} channels, each "
        "followed by the activation and 2×2 max pooling, then a fully connected layer), "
        "PyTorch's default initialisation, SGD with momentum 0.9, batches of 128, no "
        f"regularisation; each activation with the fastest of η ∈ {{{', '.join(map(str, lrs))}}} "
        f"(ReLU: {picked['relu'][0]}, tanh: {picked['tanh'][0]}); training error on "
        f"{len(y_eval)} training images every {every} iterations, a run stopping at the "
        "hardest target. MNIST replaces CIFAR-10 (not available offline): its digits are "
        "learned in far fewer iterations than CIFAR-10's photographs, so the targets are "
        "lower than the paper's 25%. Why the ×6 may not show here: on MNIST a small CNN "
        "reaches these errors in a few hundred iterations, while its weights are still "
        "small and tanh works in its linear range, where it does not saturate — the "
        "saturation that slows tanh networks on CIFAR-10's harder, longer training; and "
        "each activation runs with its own best learning rate, which erases much of the "
        "difference. The course's statement is not reproduced on this data: a measurement "
        "on CIFAR-10 itself would be needed.")
    if out is not None:
        from retrograd.viz import new_figure
        fig, ax = new_figure(width=6.0, height=3.8)
        for act, style in (("relu", "-"), ("tanh", "--")):
            ax.plot(*curves[act], style, label=(f"ReLU (η = {picked[act][0]})" if act == "relu"
                                                 else f"tanh (η = {picked[act][0]})"))
        for t in targets:
            ax.axhline(t, color="0.6", lw=0.6, ls=":")
        ax.set_yscale("log")
        from matplotlib.ticker import FixedLocator, NullLocator, PercentFormatter
        ax.yaxis.set_major_locator(FixedLocator([0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("iteration (mini-batch of 128)")
        ax.set_ylabel("training error")
        ax.set_title("same 4-layer CNN, init and SGD, each with its best η\n"
                     "(dotted: the targets of the table)", fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend()
        r.save(fig, out, "relu_vs_tanh.png")
    return r
