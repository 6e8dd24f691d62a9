"""What retrograd.keras lacks of Keras 3 raises a clear error naming it, never a bare
AttributeError (issue 15): every public name of each module of real Keras 3 is either
in retrograd.keras or refused with NotSupportedError naming ``keras.<module>.<name>``."""
import functools
import os
import warnings

import pytest

from retrograd import keras as rk
from retrograd.keras.missing import KERAS3
from retrograd.missing import NotSupportedError

os.environ["KERAS_BACKEND"] = "torch"
keras = pytest.importorskip("keras", reason="real Keras 3 is the oracle of the API's extent")


def _module(root, path):
    return functools.reduce(getattr, path.split("."), root)


@pytest.mark.parametrize("path", sorted(KERAS3))
def test_every_keras_name_is_there_or_refused_by_name(path):
    ours, theirs = _module(rk, path), _module(keras, path)
    listed = set(KERAS3[path])
    for name in sorted(listed):
        with pytest.raises(NotSupportedError, match=rf"keras\.{path}\.{name} is not in "):
            getattr(ours, name)
        assert not hasattr(ours, name)          # guards like hasattr(keras.ops, "fft") work
    # A Keras newer than the table's (3.15) may have names it does not list: those
    # still raise AttributeError; say which, so that the table can be brought up to date.
    new = [n for n in dir(theirs) if not n.startswith("_") and not hasattr(ours, n)
           and n not in listed]
    if new:
        warnings.warn(f"keras.{path} {keras.__version__} has names retrograd/keras/missing.py "
                      f"does not list: {new[:20]}")
    with pytest.raises(AttributeError, match="has no attribute 'surely_not_a_keras_name'"):
        getattr(ours, "surely_not_a_keras_name")
