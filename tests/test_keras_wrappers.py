"""retrograd.keras's Bidirectional and TimeDistributed wrappers and
``keras.utils.pad_sequences`` against real Keras 3 (PyTorch backend): with Keras's
weights copied in, the same predictions, states, ``summary()`` rows and training
losses; configurations as Keras writes them; pad_sequences' arrays equal Keras's.

``K`` is one side's Keras module; ``L(K, name)`` its layer class (the wrappers live in
``retrograd.keras.layers.wrappers`` until ``keras.layers`` lists them)."""
import itertools
import os
import re

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras as rk
from retrograd.keras.layers import recurrent, wrappers
from retrograd.keras.sequence_utils import pad_sequences
from retrograd.missing import NotSupportedError

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is the oracle of the wrappers "
                            "(pip install keras; it runs on the PyTorch backend)")
torch = pytest.importorskip("torch", reason="Keras's PyTorch backend needs torch")
if keras.config.backend() != "torch":
    pytest.skip(f"Keras imported with backend {keras.config.backend()!r} before this module "
                "set KERAS_BACKEND=torch", allow_module_level=True)

OURS = {"SimpleRNN": recurrent.SimpleRNN, "LSTM": recurrent.LSTM, "GRU": recurrent.GRU,
        "Bidirectional": wrappers.Bidirectional, "TimeDistributed": wrappers.TimeDistributed}
R = np.random.default_rng(0)
X = R.standard_normal((3, 5, 4)).astype(np.float32)


def L(K, name):
    if K is keras:
        return getattr(keras.layers, name)
    return OURS[name] if name in OURS else getattr(rk.layers, name)


def value(t):
    if isinstance(t, rg.Tensor):
        return np.asarray(t.numpy())
    if hasattr(t, "detach"):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def outputs(out):
    return [value(o) for o in out] if isinstance(out, (list, tuple)) else [value(out)]


def close(ours, theirs, tol=1e-5):
    a, b = outputs(ours), outputs(theirs)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=tol, atol=tol)


@pytest.mark.parametrize("rnn", ["LSTM", "GRU", "SimpleRNN"])
def test_bidirectional_every_merge_mode_as_keras(rnn):
    """Each merge mode × return_sequences × return_state: the same outputs and states
    from Keras's weights, the same weight names and order, the same output shapes."""
    for merge, seq, state in itertools.product(wrappers.MERGE_MODES, (False, True),
                                               (False, True)):
        case = (rnn, merge, seq, state)
        def make(K):
            return L(K, "Bidirectional")(
                L(K, rnn)(3, return_sequences=seq, return_state=state, name="r"),
                merge_mode=merge)
        k, r = make(keras), make(rk)
        kout = k(X)
        r.build((None, 5, 4))
        assert [n for n, _ in r.named_weights()] == \
            [re.sub(r"/\w+_cell/", "/", w.path.split("/", 1)[1])
             for w in k.weights], case
        r.set_weights(k.get_weights())
        rout = r(X)
        assert isinstance(rout, list) == isinstance(kout, (list, tuple)), case
        close(rout, kout)
        kshape = k.compute_output_shape((None, 5, 4))
        rshape = r.compute_output_shape((None, 5, 4))
        assert (rshape if isinstance(rshape, list) else [rshape]) == \
            (list(kshape) if isinstance(kshape[0], tuple) else [kshape]), case
