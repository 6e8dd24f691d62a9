"""Fashion-MNIST: 70,000 28×28 images of clothes in 10 classes (Xiao, Rasul,
Vollgraf, Zalando 2017), a drop-in replacement for MNIST.

Classes: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
7 Sneaker, 8 Bag, 9 Ankle boot.
"""
from .files import Catalog, IdxFile, SystemDir
from .mnist import _load

# SHA-256 of the decompressed files: the content of the .gz files whose MD5 the
# authors publish (github.com/zalandoresearch/fashion-mnist: train-images
# 8d4fb7e6c68d591d4c3dfef9ec88bf0d, train-labels 25c81989df183df01b3e8a0aad5dffbe,
# t10k-images bef4ecab320f06d8554ea6380940ec79, t10k-labels
# bb300cfdad3c16e7a12a480ee83cd310). The content is what is checked, not the .gz:
# Debian recompresses the files, so its .gz have other MD5s and the same content, and
# any faithful copy, however compressed, is accepted (as for MNIST).
CATALOG = Catalog(
    name="fashion_mnist",
    files=(
        IdxFile("train-images-idx3-ubyte", (60000, 28, 28),
                sha256="c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        IdxFile("train-labels-idx1-ubyte", (60000,),
                sha256="bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        IdxFile("t10k-images-idx3-ubyte", (10000, 28, 28),
                sha256="5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        IdxFile("t10k-labels-idx1-ubyte", (10000,),
                sha256="0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    ),
    mirrors=("https://ossci-datasets.s3.amazonaws.com/fashion-mnist/",
             "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
    system_dirs=(SystemDir("/usr/share/datasets/fashion-mnist",
                           "Debian's package dataset-fashion-mnist",
                           "apt-get install --reinstall dataset-fashion-mnist"),),
)

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


def load_data(path=None, data_dir=None, download=True):
    """``((x_train, y_train), (x_test, y_test))`` as Keras returns them: uint8
    images (60000, 28, 28) / (10000, 28, 28), uint8 labels 0–9 (``CLASS_NAMES``).
    Files are searched as for ``mnist.load_data``, then in
    ``/usr/share/datasets/fashion-mnist``, then downloaded."""
    return _load(CATALOG, path, data_dir, download)
