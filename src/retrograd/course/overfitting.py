"""14. Over-fitting and regularisation (section 3 "Optimisation, généralisation
et sur-apprentissage", "Régularisation"; section 6 "Dropout"): a large MLP on a
small subset of MNIST fits its training set perfectly while the validation loss
rises; an L2 penalty α‖w‖² (weight decay) or dropout shrinks the gap between
training and validation."""
import retrograd as rg
from retrograd import nn, optim
from retrograd.nn import regularizers

from .experiment import Result
from .training import fit, load_mnist

NAME = "overfitting"
TITLE = "train vs validation: no regularisation, L2 weight decay, dropout (MNIST subset)"
SLIDES = "§3 Optimisation, généralisation et sur-apprentissage, Régularisation; §6 Dropout"
MNIST = True


def mlp(l2=0.0, dropout=0.0, hidden=(512, 512), seed=0):
    """784–512–512–10 ReLU; ``l2``: the penalty α‖W‖² on every kernel (the course's
    ℒ_r = ℒ + αR(w)); ``dropout``: p after each hidden layer (and p/2.5 on the input,
    as Srivastava et al.)."""
    rg.manual_seed(seed)
    reg = regularizers.L2(l2) if l2 else None
    layers, prev = ([nn.Dropout(dropout / 2.5)] if dropout else []), 784
    for h in hidden:
        layers.append(nn.Dense(h, activation="relu", input_dim=prev, kernel_regularizer=reg))
        if dropout:
            layers.append(nn.Dropout(dropout))
        prev = h
    layers.append(nn.Dense(10, input_dim=prev, kernel_regularizer=reg))
    return nn.Sequential(*layers)


GAP = 0.05      # over-fitting: validation accuracy ≥ 5 points below the training one
SHRINK = 0.9    # regularisation: the loss gap shrinks by at least 10%

# n_train, n_val, epochs, batch size, hidden layers
SIZES = {"full": (3000, 5000, 30, 100, (512, 512)), "quick": (2000, 1000, 10, 100, (256, 256))}


def run(out=None, quick=False, seed=0, data_dir=None):
    r = Result(NAME, TITLE, SLIDES)
    n_train, n_val, epochs, batch, hidden = SIZES["quick" if quick else "full"]
    X, y, Xv, yv = load_mnist(data_dir, n_train=n_train, n_test=n_val, seed=seed)
    setups = {"no regularisation": {}, "L2, α = 0.001": {"l2": 1e-3},
              "dropout p = 0.5": {"dropout": 0.5}}
    histories = {}
    for name, kw in setups.items():
        model = mlp(hidden=hidden, seed=seed, **kw)
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        histories[name] = fit(model, opt, X, y, epochs, batch_size=batch, val=(Xv, yv),
                              seed=seed, penalty=model.regularization_loss if kw.get("l2")
                              else None)
    gaps = {k: (h["val_loss"][-1] - h["loss"][-1], h["accuracy"][-1] - h["val_accuracy"][-1])
            for k, h in histories.items()}
    r.numbers["final"] = {k: {m: float(v[-1]) for m, v in h.items()} for k, h in histories.items()}
    r.numbers["gaps"] = {k: list(map(float, v)) for k, v in gaps.items()}
    base = histories["no regularisation"]
    rise = base["val_loss"][-1] - min(base["val_loss"])
    gap = base["accuracy"][-1] - base["val_accuracy"][-1]
    r.claim("optimisation ≠ apprentissage: a large model over-fits a small training set",
            f"784–{'–'.join(map(str, hidden))}–10 on {n_train} images: training accuracy "
            f"{100 * base['accuracy'][-1]:.1f}%, validation {100 * base['val_accuracy'][-1]:.1f}%;"
            f" validation loss {min(base['val_loss']):.3f} at best, {base['val_loss'][-1]:.3f} "
            f"after {epochs} epochs",
            base["accuracy"][-1] >= 0.99 and gap >= GAP and rise > 0,
            f"training accuracy ≥ 99%, validation accuracy at least {100 * GAP:g} points lower, "
            "and the validation loss ends above its minimum (it has started to rise)")
    b = gaps["no regularisation"]
    reg = {k: v for k, v in gaps.items() if k != "no regularisation"}
    r.claim("regularisation (weight decay L2, dropout) reduces the gap between training "
            "and test performance",
            f"gap ℒ_val − ℒ_train: {b[0]:.3f} without, " + ", ".join(
                f"{v[0]:.3f} with {k}" for k, v in reg.items())
            + f"; accuracy gap: {100 * b[1]:.1f}% without, " + ", ".join(
                f"{100 * v[1]:.1f}% with {k.split(',')[0]}" for k, v in reg.items()),
            all(v[0] <= SHRINK * b[0] for v in reg.values()),
            f"judged on the loss gap: ≤ {SHRINK:g} × the unregularised one with each "
            f"regulariser (the accuracy gap is shown, not judged: one point is {n_val // 100} "
            f"of the {n_val} validation images)")
    r.notes.append(f"SGD η = 0.05, momentum 0.9, batches of {batch}, {epochs} epochs; "
                   f"{n_train} training and {n_val} validation images (from the test set). "
                   "L2 is the course's penalty α‖W‖² on the kernels (Dense("
                   "kernel_regularizer=L2(α)), added through model.regularization_loss()).")
    if out is not None:
        from retrograd.viz import new_figure, plot_history
        fig, axes = new_figure(2, 3, width=3.4, height=2.8, squeeze=False)
        for c, (name, h) in enumerate(histories.items()):
            plot_history(h, axes=[axes[0, c], axes[1, c]], color=f"C{c}")
            axes[0, c].set_title(f"{name}\nloss gap {gaps[name][0]:.3f}, accuracy gap "
                                 f"{100 * gaps[name][1]:.1f}%", fontsize=9)
            axes[0, c].set_ylim(0, max(max(hh["val_loss"]) for hh in histories.values()) * 1.1)
            axes[1, c].set_ylim(0.85, 1.005)
        r.save(fig, out, "overfitting.png")
    return r
