"""torchvision's ``datasets.MNIST`` and ``datasets.FashionMNIST`` over
``retrograd.datasets`` (the same checked files, found the same way).

``MNIST(root, train=True, transform=None, target_transform=None, download=False)``:
item i is ``(transform(image), target_transform(label))`` with the image an (28, 28)
uint8 array (torchvision: a PIL image; ``transforms.ToTensor`` takes both) and the
label an int. The files are looked for in torchvision's layout ``root/MNIST/raw``,
then where ``retrograd.datasets`` looks (``$RETROGRAD_DATA``, a checkout's
``../shared/data``, the user cache, the system's dataset packages); ``download=True``
allows a (checked) download into the user cache when they are nowhere.
"""
from pathlib import Path

import numpy as np

from ..data import Dataset
from ..datasets import fashion_mnist, mnist
from ..missing import module_getattr
from ..tensor import Tensor

__all__ = ["MNIST", "FashionMNIST"]


class MNIST(Dataset):
    """The 60,000 training or 10,000 test digits of MNIST."""

    module = mnist
    folder = "MNIST"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        self.root, self.train = root, train
        self.transform, self.target_transform = transform, target_transform
        raw = Path(root).expanduser() / self.folder / "raw" if root is not None else None
        data_dir = raw if raw is not None and raw.is_dir() else None
        (x_train, y_train), (x_test, y_test) = self.module.load_data(data_dir=data_dir,
                                                                     download=download)
        images, labels = (x_train, y_train) if train else (x_test, y_test)
        self.data = Tensor._wrap(images)                        # (N, 28, 28) uint8
        self.targets = Tensor._wrap(labels.astype(np.int64))    # (N,) int64

    def __len__(self):
        return len(self.targets.array)

    def __getitem__(self, index):
        img, target = self.data.array[index], int(self.targets.array[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __repr__(self):
        split = "Train" if self.train else "Test"
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n"
                f"    Root location: {self.root}\n    Split: {split}")


class FashionMNIST(MNIST):
    """The 60,000 training or 10,000 test images of Zalando's Fashion-MNIST."""

    module = fashion_mnist
    folder = "FashionMNIST"
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]


__getattr__ = module_getattr(__name__, dict.fromkeys(
    ("CIFAR10", "CIFAR100", "ImageNet", "ImageFolder", "SVHN", "KMNIST", "EMNIST", "QMNIST",
     "STL10", "CelebA", "CocoDetection", "VOCSegmentation", "DatasetFolder"),
    "retrograd.vision has MNIST and FashionMNIST only (no network access or image "
    "decoding here); wrap other arrays in retrograd.utils.data.TensorDataset"))
