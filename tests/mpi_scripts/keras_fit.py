"""Keras ``fit(..., distributed=...)`` on a small MLP, run by tests/test_keras_distributed.py.

    mpirun -n 2 python tests/mpi_scripts/keras_fit.py --out DIR [--no-shuffle] [--plain]
                                                               [--weighted]

Each rank seeds its generators with 100 + rank, so the ranks start from different
weights (the broadcast of rank 0's must fix that) and draw different seeds (the
shared shuffle seed must fix that). The model is float64 so that the comparison with
one process can be tight. Saves DIR/weights_rank{r}.npz and DIR/history_rank{r}.json;
the fit has a CSVLogger writing DIR/log_rank{r}.csv, which only rank 0 may run.
``--plain``: one process, ``fit`` without ``distributed`` (the reference for
``--no-shuffle``, where no shuffle seed is involved). ``--weighted``: with per-sample
weights (Σᵢ wᵢ ℓᵢ / N per global batch).
"""
import argparse
import json
import os

import numpy as np

from retrograd import distributed as dist
from retrograd import keras
from retrograd.keras import layers

N, D, H, C = 89, 12, 16, 3
BATCH, EPOCHS = 32, 3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--no-shuffle", action="store_true")
    parser.add_argument("--plain", action="store_true")
    parser.add_argument("--weighted", action="store_true")
    args = parser.parse_args()
    world = dist.init(timeout=60)
    keras.utils.set_random_seed(100 + world.rank)
    data = np.random.default_rng(0)
    x = data.normal(size=(N, D)).astype(np.float32)
    y = (x[:, :C] @ data.normal(size=(C, C))).argmax(axis=1)
    w = data.uniform(0.0, 2.0, size=N) if args.weighted else None
    model = keras.Sequential([keras.Input(shape=(D,)), layers.Dense(H, activation="tanh"),
                              layers.Dense(H, activation="tanh"),
                              layers.Dense(C, activation="softmax")])
    model.double()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    log = os.path.join(args.out, f"log_rank{world.rank}.csv")
    # 89 samples, 20 % held out: 71 to train, global batches 32 + 32 + 7 (4 + 3 on 2 ranks)
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=2,
                        validation_split=0.2, shuffle=not args.no_shuffle,
                        callbacks=[keras.callbacks.CSVLogger(log)], sample_weight=w,
                        distributed=not args.plain)
    np.savez(os.path.join(args.out, f"weights_rank{world.rank}.npz"), *model.get_weights())
    with open(os.path.join(args.out, f"history_rank{world.rank}.json"), "w") as f:
        json.dump({"history": history.history, "size": world.size}, f)


if __name__ == "__main__":
    main()
