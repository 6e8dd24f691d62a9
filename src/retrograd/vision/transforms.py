"""torchvision's basic image transforms, on NumPy images (torchvision's take PIL images).

An image is an (H, W) or (H, W, C) array — what ``vision.datasets`` returns — or a
(C, H, W) tensor once ``ToTensor`` has made it one:

    ToTensor:   uint8 pixels p ∈ {0…255} (H, W[, C]) → float32 p / 255 in [0, 1], (C, H, W)
    Normalize:  x[c] → (x[c] − mean[c]) / std[c], channel by channel
"""
import numpy as np

from ..missing import module_getattr
from ..tensor import Tensor

__all__ = ["Compose", "ToTensor", "Normalize", "Lambda"]


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        inner = "".join(f"\n    {t!r}" for t in self.transforms)
        return f"Compose({inner}\n)"


class ToTensor:
    """(H, W) or (H, W, C) pixels → a float32 (C, H, W) tensor; uint8 values are
    divided by 255 (to [0, 1]), float values are kept, as torchvision does."""

    def __call__(self, pic):
        a = np.asarray(pic.array if isinstance(pic, Tensor) else pic)
        if a.ndim not in (2, 3):
            raise ValueError(f"ToTensor: expected an (H, W) or (H, W, C) image, got shape "
                             f"{a.shape}")
        a = a[None] if a.ndim == 2 else np.moveaxis(a, -1, 0)
        a = a.astype(np.float32) / 255 if a.dtype == np.uint8 else a.astype(np.float32)
        return Tensor._wrap(np.ascontiguousarray(a))

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """x[c] ← (x[c] − mean[c]) / std[c] on a (C, H, W) tensor (one value per channel,
    or one for all)."""

    def __init__(self, mean, std, inplace=False):
        self.mean, self.std, self.inplace = tuple(mean), tuple(std), inplace
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize: std evaluates to zero, got std={self.std}")

    def __call__(self, tensor):
        if not isinstance(tensor, Tensor) or tensor.ndim < 3:
            shape = getattr(tensor, "shape", None)
            raise TypeError(f"Normalize: expected a (C, H, W) tensor (apply ToTensor first), "
                            f"got {type(tensor).__name__} of shape {shape}")
        c = tensor.shape[-3]
        if len(self.mean) not in (1, c) or len(self.std) not in (1, c):
            raise ValueError(f"Normalize: {len(self.mean)} means and {len(self.std)} stds for "
                             f"an image of {c} channels")
        a = tensor.array
        mean = np.asarray(self.mean, dtype=a.dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=a.dtype).reshape(-1, 1, 1)
        if self.inplace:
            a -= mean
            a /= std
            return tensor
        return Tensor._wrap((a - mean) / std)

    def __repr__(self):
        return f"Normalize(mean={self.mean}, std={self.std})"


class Lambda:
    """A user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Lambda: the argument must be callable, got "
                            f"{type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return "Lambda()"


_AUGMENTATION = "retrograd.vision has no data augmentation; transform the arrays yourself " \
                "(e.g. with transforms.Lambda)"
__getattr__ = module_getattr(__name__, dict.fromkeys(
    ("RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation",
     "RandomResizedCrop", "RandomAffine", "ColorJitter", "Resize", "CenterCrop", "Pad",
     "Grayscale", "RandomErasing", "AutoAugment", "RandAugment", "ToPILImage",
     "PILToTensor", "ConvertImageDtype", "GaussianBlur"), _AUGMENTATION))
