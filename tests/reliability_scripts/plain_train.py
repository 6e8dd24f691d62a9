"""A plain (PyTorch-style) training loop for the determinism tests.

Imported by tests/test_reliability_determinism.py, and run as a script to resume
from a checkpoint in a fresh process:

    python plain_train.py CKPT OUT EPOCHS    # load CKPT, train up to EPOCHS, dump the state to OUT
"""
import json
import sys

import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.checkpoint import load_checkpoint, rng_state, save_checkpoint
from retrograd.data import DataLoader, TensorDataset
from retrograd.nn import functional as F
from retrograd.optim.schedules import LRScheduler, exponential


def data():
    rng = np.random.default_rng(123)      # fixed data, independent of the seeded generator
    x = rng.normal(size=(200, 12)).astype(np.float32)
    y = (x[:, :3].sum(1) > 0).astype(np.int64) + (x[:, 3] > 0.5)
    return x, y


def build(seed=0):
    """Model (two dropouts: one on the default generator, one on its own),
    Adam, a per-epoch exponential schedule, a shuffling DataLoader."""
    rg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(12, 24), nn.Tanh(), nn.Dropout(0.3), nn.Linear(24, 16),
                          nn.ReLU(), nn.Dropout(0.2, generator=np.random.default_rng(seed + 1)),
                          nn.Linear(16, 3))
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = LRScheduler(opt, exponential, lam=0.3)
    x, y = data()
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    return model, opt, sched, loader


def train(model, opt, sched, loader, start, stop):
    model.train()
    for _ in range(start, stop):
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()


def snapshot(model, opt, sched, epoch):
    """Everything a resumed run must reproduce, as {name: array} (RNG states as JSON)."""
    out = {f"w/{k}": t.array.copy() for k, t in model.state_dict().items()}
    sd = opt.state_dict()
    for i, slots in sd["state"].items():
        for name, v in slots.items():
            out[f"opt/{i}/{name}"] = np.asarray(v)
    out["lr"] = np.array([g["lr"] for g in opt.param_groups])
    out["sched_t"] = np.array(sched.t)
    out["epoch"] = np.array(epoch)
    out["rng"] = np.frombuffer(json.dumps(rng_state(model)).encode(), np.uint8)
    return out


def main(ckpt, out, epochs):
    model, opt, sched, loader = build(seed=99)     # another seed: the checkpoint must win
    start = load_checkpoint(ckpt, model, opt, sched)["epoch"]
    train(model, opt, sched, loader, start, epochs)
    save_checkpoint(ckpt + ".final", model, opt, sched, epoch=epochs)
    np.savez(out, **snapshot(model, opt, sched, epochs))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
