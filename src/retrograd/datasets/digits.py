"""scikit-learn's bundled handwritten digits: 1,797 images of 8×8 pixels with grey
levels 0–16, 10 classes. It ships inside scikit-learn (no download), so it is the
dataset of last resort when MNIST is not on the machine."""
import numpy as np


def digits(test_fraction=0.2, seed=0):
    """``((x_train, y_train), (x_test, y_test))`` in MNIST's layout: uint8 images
    (n, 8, 8) with values 0–16 (divide by 16 to scale to [0, 1]) and uint8 labels.

    The split is a fixed shuffle (``seed``) keeping ``test_fraction`` for testing."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("digits() needs scikit-learn: pip install 'retrograd[datasets]' "
                          "(or scikit-learn)") from None
    if not 0 < test_fraction < 1:
        raise ValueError(f"digits: test_fraction must be in (0, 1), got {test_fraction!r}")
    bunch = load_digits()
    x = bunch.images.astype(np.uint8)
    y = bunch.target.astype(np.uint8)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    return (x[train], y[train]), (x[test], y[test])
