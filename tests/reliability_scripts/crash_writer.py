"""A training process to be killed: for tests/test_reliability_crash.py.

Run as ``python crash_writer.py CHECKPOINT``, it imports retrograd once, prints
``ready``, then for each ``go`` line on stdin forks a child that resumes from
CHECKPOINT (if any) and trains, saving a checkpoint after every step and printing
``saved <step>`` once the save has returned. The parent prints ``pid <pid>``, waits
for the child (which the test SIGKILLs) and prints ``dead <status>``. Forking a
warm process makes each kill cost milliseconds instead of an interpreter start.
"""
import hashlib
import os
import sys

import numpy as np

import retrograd as rg
from retrograd import nn, optim
from retrograd.checkpoint import load_checkpoint, save_checkpoint
from retrograd.nn import functional as F

MAX_STEPS = 3000       # a child that is never killed still stops


def build():
    rg.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                          nn.Linear(256, 10))
    return model, optim.Adam(model.parameters(), lr=1e-3)


def digest(model, opt):
    """SHA-256 of the weights and optimiser slots: a mixed file cannot match it."""
    h = hashlib.sha256()
    for t in model.state_dict().values():
        h.update(t.array.tobytes())
    for slots in opt.state_dict()["state"].values():
        for v in slots.values():
            h.update(np.asarray(v).tobytes())
    return h.hexdigest()


def child(path):
    model, opt = build()
    step = 0
    if os.path.exists(path):
        step = load_checkpoint(path, model, opt)["extra"]["step"]
    rng = np.random.default_rng(step)
    x = rg.tensor(rng.normal(size=(32, 64)).astype(np.float32))
    y = rg.tensor(rng.integers(0, 10, size=32))
    for _ in range(MAX_STEPS):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        save_checkpoint(path, model, opt, epoch=0,
                        extra={"step": step, "sha256": digest(model, opt)})
        os.write(1, f"saved {step}\n".encode())


def main(path):
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        pid = os.fork()
        if pid == 0:
            try:
                child(path)
            finally:
                os._exit(0)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"dead {status}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
