"""Keras's image file utilities (``keras.utils.load_img``, ``img_to_array``,
``array_to_img``, ``save_img``), through Pillow — an optional dependency
(``pip install pillow``, or retrograd's ``images`` extra), imported when first used.
Files are decoded by Pillow only; nothing read is executed. Saving is atomic (a
temporary file renamed over the target).

>>> img = load_img("cat.jpg", target_size=(180, 180)); x = img_to_array(img)  # (180, 180, 3)
"""
import io
import os
import pathlib
import warnings

import numpy as np

from ..serialization import atomic_write
from .config import floatx
from ..tensor import Tensor


def pil_image():
    """PIL.Image, or an ImportError naming the package to install."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("keras image utilities need Pillow to read and write image files: "
                          "pip install pillow (or pip install retrograd[images])") from None
    return Image


_INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _data_format(data_format):
    if data_format in (None, "channels_last"):
        return "channels_last"
    if data_format == "channels_first":
        return data_format
    raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                     f"'channels_last'. Received: data_format={data_format!r}")


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """A PIL image from a file (a path or an ``io.BytesIO``), converted to
    ``color_mode`` ("rgb", "rgba", "grayscale") and resized to ``target_size``
    (height, width) with Pillow's ``interpolation``; ``keep_aspect_ratio`` first
    crops the centred box of the target's aspect ratio (Keras's)."""
    Image = pil_image()
    if isinstance(path, io.BytesIO):
        img = Image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode == "rgba":
        if img.mode != "RGBA":
            img = img.convert("RGBA")
    elif color_mode == "rgb":
        if img.mode != "RGB":
            img = img.convert("RGB")
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        size = (int(target_size[1]), int(target_size[0]))      # Pillow's (width, height)
        if img.size != size:
            if interpolation not in _INTERPOLATIONS:
                raise ValueError(f"Invalid interpolation method {interpolation} specified. "
                                 f"Supported methods are {', '.join(_INTERPOLATIONS)}")
            resample = getattr(Image.Resampling, interpolation.upper())
            box = None
            if keep_aspect_ratio:
                width, height = img.size
                crop_h = min(height, (width * size[1]) // size[0])
                crop_w = min(width, (height * size[0]) // size[1])
                h0, w0 = (height - crop_h) // 2, (width - crop_w) // 2
                box = [w0, h0, w0 + crop_w, h0 + crop_h]
            img = img.resize(size, resample, box=box)
    return img


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image (or array) as a float32 array (H, W, C) (channels_first: (C, H, W));
    a grayscale image gets a channel axis of 1."""
    data_format = _data_format(data_format)
    x = np.asarray(img, dtype=dtype or floatx())
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape if data_format == "channels_first" else x.shape + (1,))
    else:
        raise ValueError(f"Unsupported image shape: {x.shape}")
    return x


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A PIL image from an array (H, W, C) with 1, 3 or 4 channels; ``scale`` maps
    the values' range onto [0, 255] first (Keras's)."""
    Image = pil_image()
    data_format = _data_format(data_format)
    if hasattr(x, "numpy"):
        x = x.numpy()
    x = np.array(x, dtype=dtype or floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array "
                         f"with shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels == 4:
        return Image.fromarray(x.astype("uint8"), "RGBA")
    if channels == 3:
        return Image.fromarray(x.astype("uint8"), "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return Image.fromarray(x[:, :, 0].astype("int32"), "I")
        return Image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Write an image array to ``path`` (format from the suffix unless
    ``file_format``), atomically; RGBA saved as JPEG is converted to RGB with a
    warning, as Keras does."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    if isinstance(path, (str, pathlib.Path, os.PathLike)):
        atomic_write(path, lambda f: img.save(f, format=file_format or None, **kwargs))
    else:
        img.save(path, format=file_format or None, **kwargs)


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last",
                 backend_module=None):
    """An image (H, W, C) or batch (N, H, W, C) resized to ``size`` (height, width)
    without distorting it: the largest centred box of the target's aspect ratio,
    resized (Keras's ``smart_resize``). Returns a NumPy array (float32)."""
    from .layers.image_preprocessing import resize
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    a = np.asarray(x.numpy() if hasattr(x, "numpy") else x, np.float32)
    if a.ndim not in (3, 4):
        raise ValueError(f"Expected an image array with shape `(height, width, channels)`, "
                         f"or `(batch_size, height, width, channels)`, but got input with "
                         f"incorrect rank, of shape {a.shape}.")
    if _data_format(data_format) == "channels_first":
        a = np.moveaxis(a, -3, -1)
    batch = a if a.ndim == 4 else a[None]
    out = resize(Tensor(batch), int(size[0]), int(size[1]), interpolation,
                 crop_to_aspect_ratio=True).numpy()
    out = out if a.ndim == 4 else out[0]
    return np.moveaxis(out, -1, -3) if data_format == "channels_first" else out
