"""Keras ``evaluate``/``predict(..., distributed=True)``, run by
tests/test_keras_distributed.py.

    mpirun -n 2 python tests/mpi_scripts/keras_evaluate.py --out DIR

Every rank builds the same model (seed 0) and data, then evaluates and predicts
twice: on its share (``distributed=True``) and alone on all the data (the
one-process reference). A one-output model with sample weights and weighted metrics,
and a two-input, two-output model. Writes DIR/result_rank{r}.json and
DIR/predict_rank{r}.npz; rank 0 prints the progress bar, the others nothing.
"""
import argparse
import json
import os

import numpy as np

from retrograd import distributed as dist
from retrograd import keras
from retrograd.keras import layers

N = 37      # an odd count: the ranks' shares of the last batch differ


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    world = dist.init(timeout=60)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, 6)).astype(np.float32)
    x2 = rng.normal(size=(N, 3)).astype(np.float32)
    y = rng.integers(0, 3, N)
    yr = rng.normal(size=(N, 2)).astype(np.float32)
    w = rng.uniform(0, 2, N)
    keras.utils.set_random_seed(0)
    one = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(8, activation="relu"),
                            layers.Dense(3, activation="softmax")])
    one.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                weighted_metrics=["accuracy"])
    a, b = keras.Input(shape=(6,), name="a"), keras.Input(shape=(3,), name="b")
    h = layers.Dense(8, activation="tanh")(layers.Concatenate()([a, b]))
    two = keras.Model([a, b], [layers.Dense(3, activation="softmax", name="cls")(h),
                               layers.Dense(2, name="reg")(h)])
    two.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"],
                loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    result = {"size": world.size}
    for name, kw in (("dist", {"distributed": True}), ("plain", {})):
        verbose = 2 if name == "dist" else 0
        result[name] = {
            "one": one.evaluate(x, y, sample_weight=w, batch_size=8, verbose=verbose,
                                return_dict=True, **kw),
            "two": two.evaluate([x, x2], [y, yr], batch_size=8, verbose=0,
                                return_dict=True, **kw)}
        p1 = one.predict(x, batch_size=8, verbose=verbose, **kw)
        pc, pr = two.predict({"a": x, "b": x2}, batch_size=5, verbose=0, **kw)
        np.savez(os.path.join(args.out, f"predict_{name}_rank{world.rank}.npz"), p1=p1, pc=pc,
                 pr=pr)
    with open(os.path.join(args.out, f"result_rank{world.rank}.json"), "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
