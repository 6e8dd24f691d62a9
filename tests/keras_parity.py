"""What the parity tests against real Keras 3 share: importing Keras on the PyTorch
backend (or skipping the test module with the reason) and reading either side's
tensors as NumPy arrays."""
import os

import numpy as np
import pytest

import retrograd as rg


def import_keras(what):
    """(keras, torch) with Keras on the PyTorch backend; skips the calling test module
    when either is missing or Keras was imported with another backend first. ``what``
    completes "real Keras 3 is the oracle of …" in the skip reason."""
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras", reason=f"real Keras 3 is the oracle of {what} "
                                "(pip install keras; it runs on the PyTorch backend)")
    torch = pytest.importorskip("torch", reason="Keras's PyTorch backend needs torch")
    if keras.config.backend() != "torch":
        pytest.skip(f"Keras imported with backend {keras.config.backend()!r} before this "
                    "module set KERAS_BACKEND=torch", allow_module_level=True)
    return keras, torch


def value(t):
    """A NumPy array from either side's tensor (or an array)."""
    if isinstance(t, rg.Tensor):
        return np.asarray(t.numpy())
    if hasattr(t, "detach"):
        return t.detach().cpu().numpy()
    return np.asarray(t)


def outputs(out):
    """A layer's result (one tensor or a list of them) as a list of arrays."""
    return [value(o) for o in out] if isinstance(out, (list, tuple)) else [value(out)]


def keras_files_both_ways(keras, rk, theirs, x, tmp_path, atol=1e-5):
    """Real Keras's model ``theirs`` saved as a .keras file loads here with its
    predictions on ``x``; saved again here, it loads in Keras with them too."""
    theirs.save(tmp_path / "k.keras")
    ours = rk.saving.load_model(tmp_path / "k.keras")
    want = np.asarray(theirs.predict(x, verbose=0))
    np.testing.assert_allclose(np.asarray(ours.predict(x, verbose=0)), want, atol=atol)
    ours.save(tmp_path / "r.keras")
    back = keras.saving.load_model(tmp_path / "r.keras")
    np.testing.assert_allclose(np.asarray(back.predict(x, verbose=0)), want, atol=atol)
