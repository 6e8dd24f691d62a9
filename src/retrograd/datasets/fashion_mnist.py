"""Fashion-MNIST: 70,000 28×28 images of clothes in 10 classes (Xiao, Rasul,
Vollgraf, Zalando 2017), a drop-in replacement for MNIST.

Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
7 Sneaker, 8 Bag, 9 Ankle boot.
"""
from .files import Catalog, IdxFile
from .mnist import _load

# The authors publish MD5 checksums of the .gz files (github.com/zalandoresearch/
# fashion-mnist): those are the ones checked, on the compressed file.
CATALOG = Catalog(
    name="fashion_mnist",
    files=(
        IdxFile("train-images-idx3-ubyte", (60000, 28, 28),
                md5_gz="8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        IdxFile("train-labels-idx1-ubyte", (60000,),
                md5_gz="25c81989df183df01b3e8a0aad5dffbe"),
        IdxFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                md5_gz="bef4ecab320f06d8554ea6380940ec79"),
        IdxFile("t10k-labels-idx1-ubyte", (10000,),
                md5_gz="bb300cfdad3c16e7a12a480ee83cd310"),
    ),
    mirrors=("https://ossci-datasets.s3.amazonaws.com/fashion-mnist/",
             "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
    system_dirs=("/usr/share/datasets/fashion-mnist",),   # Debian: dataset-fashion-mnist
)

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def load_data(path=None, data_dir=None, download=True):
    """``((x_train, y_train), (x_test, y_test))`` as Keras returns them: uint8
    images (60000, 28, 28) / (10000, 28, 28), uint8 labels 0–9 (``CLASS_NAMES``).
    Files are searched as for ``mnist.load_data``, then in
    ``/usr/share/datasets/fashion-mnist``, then downloaded."""
    return _load(CATALOG, path, data_dir, download)
