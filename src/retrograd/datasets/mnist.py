"""MNIST: 70,000 handwritten digits, 28×28 grey levels (LeCun, Cortes, Burges).

>>> (x_train, y_train), (x_test, y_test) = mnist.load_data()
>>> x_train.shape, x_train.dtype, y_train.shape      # (60000, 28, 28) uint8, (60000,)
"""
from pathlib import Path

from .files import Catalog, IdxFile, load_arrays, load_npz

# SHA-256 of the decompressed files, identical to the original LeCun files: the check
# holds whatever gzip produced the .gz (it only sees the IDX bytes).
CATALOG = Catalog(
    name="mnist",
    files=(
        IdxFile("train-images-idx3-ubyte", (60000, 28, 28),
                sha256="ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        IdxFile("train-labels-idx1-ubyte", (60000,),
                sha256="65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        IdxFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                sha256="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        IdxFile("t10k-labels-idx1-ubyte", (10000,),
                sha256="ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
    ),
    mirrors=("https://ossci-datasets.s3.amazonaws.com/mnist/",
             "https://storage.googleapis.com/cvdf-datasets/mnist/"),
)


def load_data(path=None, data_dir=None, download=True):
    """``((x_train, y_train), (x_test, y_test))`` exactly as Keras returns them:
    uint8 images (60000, 28, 28) / (10000, 28, 28) and uint8 labels 0–9.

    ``path`` / ``data_dir``: a directory holding the four IDX files (``.gz`` or
    not), or a Keras ``mnist.npz`` (checked against the same SHA-256; a bare
    ``"mnist.npz"`` is looked up in Keras's cache ``~/.keras/datasets``); otherwise
    ``$RETROGRAD_DATA/mnist``, the user cache, then a checked download (unless
    ``download=False``). Every file is checked on its decompressed content."""
    return _load(CATALOG, path, data_dir, download)


def _load(catalog, path, data_dir, download):
    where = path if path is not None else data_dir
    if where is not None and str(where).endswith(".npz"):
        npz = Path(where)
        if npz.exists() or npz.name != str(where):
            return load_npz(npz, catalog)
        # Keras's form, load_data(path="mnist.npz"): a file name in Keras's cache.
        cached = Path.home() / ".keras" / "datasets" / npz.name
        if cached.is_file():
            return load_npz(cached, catalog)
        where = None
    x_train, y_train, x_test, y_test = load_arrays(catalog, where, download=download)
    return (x_train, y_train), (x_test, y_test)
