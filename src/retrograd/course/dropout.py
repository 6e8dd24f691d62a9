"""15. Dropout at inference (section 6, "Dropout : implémentation"): a network
trained with (inverted) dropout, then evaluated (a) with dropout kept and n
predictions averaged (Monte-Carlo), (b) once, with the activations rescaled —
which inverted dropout does at training time, so inference is the plain network.
For one softmax layer the rescaled network is exactly the normalised geometric
mean of all 2^d sub-networks."""
import itertools

import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.nn import functional as F

from .experiment import Result
from .training import evaluate, fit, load_mnist

NAME = "dropout"
TITLE = "dropout at inference: weight scaling vs Monte-Carlo averaging"
SLIDES = "§6 Régularisation : Dropout, Dropout : implémentation"
MNIST = True
ERRATA = ["The slide says to multiply all activations by p at inference, p being the "
          "probability of dropping a unit. The expected activation is (1 − p)·h: the scale "
          "is the keep probability 1 − p (the two agree only for p = ½). Inverted dropout "
          "(retrograd, PyTorch, Keras) divides by 1 − p during training instead, so "
          "inference uses the network unchanged."]
P = 0.3


def mlp(p=P, hidden=(256, 256), seed=0):
    rg.manual_seed(seed)
    layers, prev = [], 784
    for h in hidden:
        layers += [nn.Linear(prev, h), nn.ReLU(), nn.Dropout(p)]
        prev = h
    return nn.Sequential(*layers, nn.Linear(prev, 10))


def classic(model, factor, p=P):
    """The network as classic (non-inverted) dropout would have trained it: the
    layer after each Dropout has weights W/(1 − p); at inference each Dropout is
    replaced by h ↦ factor·h (the right factor is the keep probability 1 − p)."""
    layers, after_dropout = [], False
    for m in model:
        if isinstance(m, nn.Dropout):
            layers.append(nn.Activation(lambda h: h * factor))
            after_dropout = True
            continue
        if after_dropout and isinstance(m, nn.Linear):
            c = nn.Linear(m.in_features, m.out_features)
            c.weight.data[:] = m.weight.data / (1 - p)
            c.bias.data[:] = m.bias.data
            m, after_dropout = c, False
        layers.append(m)
    return nn.Sequential(*layers)


def mc_curve(model, X, y, counts, seed):
    """Accuracy and loss of the Monte-Carlo average of k softmax outputs, for k in
    ``counts``: running means of ``nn.mc_dropout_predict`` draws."""
    rg.manual_seed(seed)
    x, mean, done, out = rg.tensor(X), None, 0, {}
    for k in counts:
        part = nn.mc_dropout_predict(model, x, n=k - done, transform=F.softmax).numpy()
        mean = part if mean is None else (mean * done + part * (k - done)) / k
        done = k
        p = np.clip(mean[np.arange(len(y)), y], 1e-12, 1)
        out[k] = (float((mean.argmax(1) == y).mean()), float(-np.log(p).mean()))
    return out


def geometric_mean_check(d=10, k=3, p=0.5, seed=0):
    """One softmax layer with dropout on its d inputs: the normalised geometric mean
    of the 2^d sub-networks' outputs (weighted by their probabilities) vs the
    network with the inputs scaled by the keep probability. Returns the max gap."""
    rng = np.random.default_rng(seed)
    fc = nn.Linear(d, k)
    x = rng.standard_normal(d)
    log_mean = np.zeros(k)
    for mask in itertools.product((0.0, 1.0), repeat=d):
        mask = np.array(mask)
        weight = np.prod(np.where(mask == 1, 1 - p, p))
        with rg.no_grad():
            logp = F.log_softmax(fc(rg.tensor((x * mask)[None], dtype="float32"))).numpy()[0]
        log_mean += weight * logp
    geo = np.exp(log_mean) / np.exp(log_mean).sum()
    with rg.no_grad():
        scaled = F.softmax(fc(rg.tensor((x * (1 - p))[None], dtype="float32"))).numpy()[0]
    return float(np.abs(geo - scaled).max())


def run(out=None, quick=False, seed=0, data_dir=None):
    r = Result(NAME, TITLE, SLIDES, errata=list(ERRATA))
    n_train, n_test, epochs = (3000, 1000, 3) if quick else (10000, 2000, 8)
    X, y, Xt, yt = load_mnist(data_dir, n_train=n_train, n_test=n_test, seed=seed)
    model = mlp(seed=seed)
    fit(model, optim.SGD(model.parameters(), lr=0.05, momentum=0.9), X, y, epochs,
        batch_size=100, seed=seed)
    loss, acc = evaluate(model, Xt, yt)
    counts = [1, 2, 5, 10, 20] if quick else [1, 2, 5, 10, 20, 50]
    mc = mc_curve(model, Xt, yt, counts, seed)
    r.numbers.update(eval_mode=[acc, loss], mc={str(k): v for k, v in mc.items()})
    last = mc[counts[-1]]
    r.claim("apply dropout at inference and average the predictions; faster: one pass "
            "with scaled activations — a good approximation for an MLP",
            f"test accuracy: one scaled pass {100 * acc:.2f}%; Monte-Carlo "
            + ", ".join(f"{100 * mc[k][0]:.2f}% (n = {k})" for k in counts)
            + f" — n = {counts[-1]} within {100 * abs(last[0] - acc):.2f} points",
            abs(last[0] - acc) < 0.01 and last[0] > mc[1][0],
            f"|accuracy(Monte-Carlo, n = {counts[-1]}) − accuracy(one scaled pass)| < 1 point "
            f"({n_test // 100} of the {n_test} test images), and n = {counts[-1]} more accurate "
            "than n = 1")
    gap = geometric_mean_check(p=P)
    r.numbers["geometric_mean_gap"] = gap
    r.claim("equivalent to the geometric mean for a (one-layer) perceptron",
            f"softmax layer, dropout p = {P} on 10 inputs: max |normalised geometric mean of "
            f"the 2¹⁰ sub-networks − network × (1 − p)| = {gap:.1e}", gap < 1e-5,
            "max gap < 1e-5 (float32 forward passes)")
    # The erratum, on the classic-dropout form of the same network.
    keep = evaluate(classic(model, 1 - P), Xt, yt)
    slide = evaluate(classic(model, P), Xt, yt)
    r.numbers.update(scale_keep=list(keep), scale_p=list(slide))
    r.claim(f"at inference, multiply the activations by the keep probability 1 − p (the slide: "
            f"by p, the drop probability; here p = {P})",
            f"classic dropout network × keep probability {1 - P:g}: loss {keep[0]:.3f}, "
            f"accuracy {100 * keep[1]:.2f}% (= the inverted network's); × p = {P:g}: loss "
            f"{slide[0]:.3f}, accuracy {100 * slide[1]:.2f}%",
            abs(keep[0] - loss) < 1e-4 and slide[0] > keep[0],
            "× (1 − p): the inverted network's test loss within 1e-4; × p: a higher test loss")
    r.notes.append(f"784–256–256–10 ReLU with dropout p = {P} after each hidden layer, "
                   f"SGD η = 0.05, momentum 0.9, {epochs} epochs on {n_train} training images; "
                   f"{n_test} test images.")
    if out is not None:
        from retrograd.viz import new_figure
        fig, axes = new_figure(1, 2, width=4.2, height=3.2)
        ks = np.array(counts)
        for ax, i, name in ((axes[0], 0, "test accuracy"), (axes[1], 1, "test loss")):
            ax.semilogx(ks, [mc[k][i] for k in counts], "o-", label="Monte-Carlo average of n")
            ax.axhline((acc, loss)[i], color="k", ls="--", lw=1,
                       label="one pass, scaled (inverted dropout)")
            ax.axhline(slide[1 - i], color="C3", ls=":", lw=1.2,
                       label=f"one pass, classic net × p (slide; p = {P})")
            shown = [mc[k][i] for k in counts] + [(acc, loss)[i], slide[1 - i]]
            pad = 0.15 * (max(shown) - min(shown))
            ax.set_ylim(min(shown) - pad, max(shown) + pad)
            ax.set_xlabel("n (stochastic forward passes)")
            ax.set_ylabel(name)
            ax.grid(alpha=0.3, which="both")
            ax.legend(fontsize=7)
        fig.suptitle(f"MLP trained with dropout p = {P} on {n_train} MNIST images", fontsize=9)
        r.save(fig, out, "dropout.png")
    return r
