"""A Keras training run for the determinism tests.

Imported by tests/test_reliability_determinism.py, and run as a script to resume
from a ModelCheckpoint file in a fresh process:

    python keras_train.py MODEL_FILE OUT EPOCHS INITIAL_EPOCH
"""
import json
import sys

import numpy as np

from retrograd import keras
from retrograd.checkpoint import rng_state
from retrograd.keras import layers


def data():
    rng = np.random.default_rng(321)
    x = rng.normal(size=(160, 10)).astype(np.float32)
    y = (x[:, :2].sum(1) > 0).astype(np.int64) + (x[:, 2] > 0.5)
    return x, y


def build(seed=0):
    """An MLP with two dropouts (the default generator's and a seeded one), Adam
    on an exponentially decaying learning rate."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(10,)),
                              layers.Dense(24, activation="tanh"), layers.Dropout(0.3),
                              layers.Dense(16, activation="relu"),
                              layers.Dropout(0.2, seed=seed + 5),
                              layers.Dense(3, activation="softmax")])
    lr = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=5, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def fit(model, epochs, initial_epoch=0, callbacks=()):
    x, y = data()
    return model.fit(x, y, batch_size=32, epochs=epochs, initial_epoch=initial_epoch,
                     shuffle=True, verbose=0, callbacks=list(callbacks))


def snapshot(model):
    """Weights, optimizer slots, step count and generator states, as {name: array}."""
    out = {f"w/{i}": w for i, w in enumerate(model.get_weights())}
    sd = model.optimizer.inner.state_dict()
    for i, slots in sd["state"].items():
        for name, v in slots.items():
            out[f"opt/{i}/{name}"] = np.asarray(v)
    out["iterations"] = np.array(model.optimizer.iterations)
    out["lr"] = np.array(model.optimizer.learning_rate)
    out["rng"] = np.frombuffer(json.dumps(rng_state(model)).encode(), np.uint8)
    return out


def main(path, out, epochs, initial_epoch):
    keras.utils.set_random_seed(99)                # another seed: the file must win
    model = keras.models.load_model(path)
    fit(model, epochs, initial_epoch)
    np.savez(out, **snapshot(model))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
