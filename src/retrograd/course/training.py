"""The training loop the experiments share, written with the public low-level
API (``nn``, ``optim``, ``data``) as a user would write it."""
import numpy as np

import retrograd as rg
from retrograd.data import DataLoader, TensorDataset
from retrograd.nn import functional as F


def evaluate(model, X, y, batch_size=2000):
    """``(mean cross-entropy, accuracy)`` of ``model`` (which outputs scores) on
    X, y, in evaluation mode and without a graph."""
    was = model.training
    model.eval()
    total, correct = 0.0, 0
    try:
        with rg.no_grad():
            for i in range(0, len(y), batch_size):
                s = model(rg.tensor(X[i:i + batch_size]))
                t = rg.tensor(y[i:i + batch_size])
                total += float(F.cross_entropy(s, t, reduction="sum"))
                correct += int((s.numpy().argmax(1) == y[i:i + batch_size]).sum())
    finally:
        model.train(was)
    return total / len(y), correct / len(y)


def fit(model, optimizer, X, y, epochs, batch_size=128, val=None, seed=0, penalty=None,
        on_step=None, scheduler=None):
    """Mini-batch training on cross-entropy; returns the history
    ``{"loss", "accuracy"[, "val_loss", "val_accuracy"]}`` (one value per epoch,
    measured on the whole sets after the epoch). ``penalty()``: a term added to
    the loss (e.g. ``model.regularization_loss``); ``on_step(step, loss)`` is
    called after each update and may return True to stop."""
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True,
                        generator=np.random.default_rng(seed))
    history = {"loss": [], "accuracy": []}
    if val is not None:
        history.update(val_loss=[], val_accuracy=[])
    step = 0
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            if penalty is not None:
                loss = loss + penalty()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            if on_step is not None and on_step(step, float(loss)):
                return history
        if scheduler is not None:
            scheduler.step()
        loss, acc = evaluate(model, X, y)
        history["loss"].append(loss)
        history["accuracy"].append(acc)
        if val is not None:
            loss, acc = evaluate(model, *val)
            history["val_loss"].append(loss)
            history["val_accuracy"].append(acc)
    return history


def load_mnist(data_dir=None, n_train=None, n_test=None, seed=0):
    """MNIST as float32 vectors in [0, 1] (N, 784) and int64 labels:
    ``(X_train, y_train, X_test, y_test)``, optionally a fixed random subset of
    each. ``data_dir``: where the IDX files are (default: retrograd.datasets'
    search order)."""
    from retrograd.datasets import mnist
    (xtr, ytr), (xte, yte) = mnist.load_data(path=data_dir)
    rng = np.random.default_rng(seed)
    tr = rng.permutation(len(ytr))[:n_train] if n_train else slice(None)
    te = rng.permutation(len(yte))[:n_test] if n_test else slice(None)
    prep = lambda x: x.reshape(len(x), -1).astype(np.float32) / 255.0  # noqa: E731
    return prep(xtr[tr]), ytr[tr].astype(np.int64), prep(xte[te]), yte[te].astype(np.int64)
