"""Keras's image preprocessing layers on (batch, H, W, C) or unbatched (H, W, C)
images: resizing and cropping (``Resizing``, ``CenterCrop``, ``RandomCrop``) and the
data augmentation of image tutorials (``RandomFlip``, ``RandomRotation``,
``RandomZoom``, ``RandomTranslation``, ``RandomContrast``, ``RandomBrightness``).

When they augment: a random layer transforms its input in training (``fit``'s steps,
``layer(x, training=True)``) and is the identity at inference (``predict``,
``evaluate``, ``training=False``). Called on its own without ``training=``, it
augments, as Keras's do (their ``call`` defaults to ``training=True``), and so does a
model holding it called without ``training=`` (``model(x)``, ``augment(images)``).

Geometric layers sample the input at p = A·(x, y, 1) for each output pixel (x, y)
(Keras's ``affine_transform``: the 8-number transform [a₀ a₁ a₂ b₀ b₁ b₂ 0 0] gives
x' = a₀x + a₁y + a₂, y' = b₀x + b₁y + b₂), nearest or bilinear, points outside the
image taken by ``fill_mode``: "reflect" (d c b a | a b c d | d c b a), "wrap"
(a b c d | a b c d), "nearest" (a a a a | a b c d | d d d d), "constant"
(``fill_value``). The outputs are gathers and products of the input, so gradients
flow through them. The random numbers are retrograd's (``seed=`` fixes the layer's
sequence; otherwise retrograd's default generator): their ranges and distributions
are Keras's, their values are not.

>>> augment = keras.Sequential([RandomFlip("horizontal"), RandomRotation(0.1)])
"""
import math
import sys

import numpy as np

from ...backend import array_module
from ...nn.upsampling import interpolate
from ...ops import shape as _shape
from ...random import resolve
from ...tensor import Tensor
from ..ops.image import resize as _resize_op
from .layer import Layer
from ...missing import NotSupportedError

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _data_format(data_format, who):
    if data_format is None:
        return "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{who}: The `data_format` argument must be one of "
                         f"{{'channels_first', 'channels_last'}}. Received: "
                         f"data_format={data_format!r}")
    return data_format


class _ImageLayer(Layer):
    """The shared protocol: rank-3 or rank-4 images, channels_first moved to
    channels_last and back, ``training`` resolved as the module docstring says,
    the input cast to float32 (Keras's compute dtype)."""


    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format, type(self).__name__)
        self.built = True

    def __call__(self, *args, **kwargs):
        # Keras's call defaults to training=True: without ``training=`` here or on an
        # enclosing model call (fit's steps, predict, evaluate, model(x, training=…)),
        # the layer augments.
        if kwargs.get("training") is None and args and \
                isinstance(args[0], (Tensor, np.ndarray)) and not _mode_given(self):
            kwargs["training"] = True
        return super().__call__(*args, **kwargs)

    def _draws(self, training):
        return bool(self.training if training is None else training)

    def _generator(self):
        if getattr(self, "_rng", None) is None:
            self._rng = None if self.seed is None else np.random.default_rng(self.seed)
        return resolve(self._rng)

    def call(self, inputs, training=None):
        who = f"{type(self).__name__} {self.name!r}"
        x = inputs if isinstance(inputs, Tensor) else Tensor(np.asarray(inputs))
        if x.ndim not in (3, 4):
            raise ValueError(f"{who}: expected images of rank 3 (H, W, C) or 4 (batch, H, "
                             f"W, C), got an input of shape {tuple(x.shape)}")
        unbatched = x.ndim == 3
        if unbatched:
            x = x[None]
        if self.data_format == "channels_first":
            x = x.permute(0, 2, 3, 1)
        y = self._images(x, self._draws(training))
        if self.data_format == "channels_first":
            y = y.permute(0, 3, 1, 2)
        return y[0] if unbatched else y

    def _images(self, x, training):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


def _mode_given(layer):
    """Whether a model holding ``layer`` set the mode above this call: in
    ``fit``/``evaluate``/``predict`` or the ``*_on_batch`` methods (keras/trainer.py),
    or in a call given ``training=`` (``Model._in_mode``). The frames of this call are
    searched, as Keras's call context would say; a model that does not hold the layer
    (one training on batches that this layer augments, in a ``map``) does not count."""
    from .. import trainer
    from ..model import Model          # here: the model module imports the layers
    in_mode, steps = Model._in_mode.__code__, trainer.__file__
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_filename == steps or code is in_mode and \
                frame.f_locals.get("training") is not None:
            owner = frame.f_locals.get("self")
            if isinstance(owner, Model) and any(m is layer for m in owner.modules()):
                return True
        frame = frame.f_back
    return False


def _float(x):
    return x if x.dtype == np.float32 else x.to(dtype=np.float32)


def _base_factor(factor, bounds, who):
    """Keras's ``factor``: a number f (→ (−|f|, |f|), the lower end kept within the
    bounds) or a pair (sorted)."""
    msg = (f"{who}: The `factor` argument should be a number (or a list of two numbers) "
           f"in the range [{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not bounds[0] <= factor <= bounds[1]:
            raise ValueError(msg)
        factor = abs(factor)
        return (max(-factor, bounds[0]), factor)
    raise ValueError(msg)


def _axis_factor(factor, name, who, open_low):
    """RandomZoom's and RandomTranslation's factors: f → (−|f|, |f|), a pair sorted,
    each in (−1, 1] for zoom (``open_low``), [−1, 1] for translation."""
    low = "(-1.0" if open_low else "[-1.0"
    msg = (f"{who}: The `{name}` argument should be a number (or a list of two numbers) "
           f"in the range {low}, 1.0]. ")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(msg + f"Received: {name}={factor}")
        values = list(factor)
    elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
        values = [factor]
    else:
        raise ValueError(msg + f"Received: {name}={factor}")
    for v in values:
        if v > 1.0 or (v <= -1.0 if open_low else v < -1.0):
            raise ValueError(msg + f"Received: input_number={v}")
    if len(values) == 2:
        return tuple(sorted(values))
    return (-abs(factor), abs(factor))


def _check_modes(fill_mode, interpolation, who):
    if fill_mode not in _FILL_MODES:
        raise NotImplementedError(f"{who}: Unknown `fill_mode` {fill_mode}. Expected of one "
                                  f"{_FILL_MODES}.")
    if interpolation not in _INTERPOLATIONS:
        raise NotImplementedError(f"{who}: Unknown `interpolation` {interpolation}. Expected "
                                  f"of one {_INTERPOLATIONS}.")


# -- sampling at transformed coordinates (Keras's affine_transform, map_coordinates) ------
def _mirror(index, size):
    s = size - 1                        # half-wavelength of the triangular wave
    return np.abs((index + s) % (2 * s) - s)


def _fix(index, size, fill_mode):
    """Indices outside [0, size) mapped inside, as ``fill_mode`` says (Keras's index
    fixers; "constant" clips and masks the points afterwards)."""
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "reflect":
        return (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2
    return np.clip(index, 0, size - 1)


def _nodes(coord, order):
    """[(index, weight)] of 1-D interpolation at ``coord``: the nearest pixel (numbers
    rounded half to even, as torch.round) or the two neighbours, linearly."""
    if order == 0:
        return [(np.round(coord).astype(np.int64), None)]
    lower = np.floor(coord)
    upper_w = coord - lower
    index = lower.astype(np.int64)
    return [(index, 1 - upper_w), (index + 1, upper_w)]


def affine_transform(images, transforms, interpolation="bilinear", fill_mode="constant",
                     fill_value=0.0):
    """Keras's ``ops.image.affine_transform`` on a float Tensor (B, H, W, C):
    output[b, y, x] = input[b, b₀x + b₁y + b₂, a₀x + a₁y + a₂] for the 8-number
    transform of each image (its projective terms c₀, c₁ must be 0), interpolated and
    filled as the module docstring says. Differentiable in ``images``."""
    t = np.asarray(transforms, np.float32).reshape(-1, 8)
    B, H, W, _ = images.shape
    if len(t) != B:
        raise ValueError(f"affine_transform: {len(t)} transforms for {B} images")
    if np.any(t[:, 6:] != 0):
        raise ValueError("affine_transform: projective transforms (c0, c1 ≠ 0) are not "
                         "supported")
    col = [t[:, k][:, None, None] for k in range(6)]
    xs = np.arange(W, dtype=np.float32)[None, None, :]
    ys = np.arange(H, dtype=np.float32)[:, None][None]
    src_y = ys * col[4] + xs * col[3] + col[5]          # Keras's order of the sums
    src_x = ys * col[1] + xs * col[0] + col[2]
    order = _INTERPOLATIONS.index(interpolation)
    xp = array_module(images.array)
    C = images.shape[3]
    pixels = images.reshape(B * H * W, C)      # one flat gather per neighbour: faster
    base = (np.arange(B, dtype=np.int64) * H)[:, None, None]
    out = None
    for iy, wy in _nodes(src_y, order):
        for ix, wx in _nodes(src_x, order):
            w = np.ones(iy.shape, np.float32) if wy is None else (wy * wx).astype(np.float32)
            flat = (base + _fix(iy, H, fill_mode)) * W + _fix(ix, W, fill_mode)
            value = pixels[xp.asarray(flat.reshape(-1))].reshape(B, H, W, C)
            if fill_mode == "constant":
                valid = (iy >= 0) & (iy < H) & (ix >= 0) & (ix < W)
                term = value * Tensor(xp.asarray((w * valid)[..., None]))
                if fill_value:
                    term = term + Tensor(xp.asarray(
                        (w * np.float32(fill_value) * ~valid)[..., None]))
            else:
                term = value * Tensor(xp.asarray(w[..., None]))
            out = term if out is None else out + term
    return out


def _affine_matrix(angle, height, width):
    """Keras's ``_compute_affine_matrix`` for a rotation by ``angle`` (degrees, one per
    image) about the image's centre, in float32: the 8-number transforms (B, 8)."""
    angle = np.asarray(angle, np.float32) * np.float32(math.pi / 180.0)
    cos, sin = np.cos(angle), np.sin(angle)
    cx, cy = np.float32(0.5) * np.float32(width - 1), np.float32(0.5) * np.float32(height - 1)
    a0, a1, b0, b1 = cos, -sin, sin, cos
    a2 = cx - cx * a0 - cy * a1
    b2 = cy - cx * b0 - cy * b1
    zeros = np.zeros_like(angle)
    return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(np.float32)


class _Geometric(_ImageLayer):

    def __init__(self, fill_mode, interpolation, seed, fill_value, data_format, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        _check_modes(fill_mode, interpolation, type(self).__name__)
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.seed, self.fill_value = seed, fill_value

    def _images(self, x, training):
        x = _float(x)
        if not training:
            return x
        B, H, W, _ = x.shape
        return affine_transform(x, self._transforms(B, H, W), self.interpolation,
                                self.fill_mode, self.fill_value)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value}


class RandomRotation(_Geometric):
    """Rotates each image by an angle uniform in [lower·360°, upper·360°] about its
    centre (``factor`` = f: (−f, f); a pair (lower, upper)), filling as ``fill_mode``
    says. ``RandomRotation(0.1)``: ±36°.

    >>> RandomRotation(0.1, fill_mode="constant")
    """

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = _base_factor(factor, (-1, 1), "RandomRotation")

    def _transforms(self, B, H, W):
        g = self._generator()
        lower, upper = self.factor[0] * 360.0, self.factor[1] * 360.0
        angle = g.uniform(lower, upper, size=B).astype(np.float32)
        return _affine_matrix(angle, H, W)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


class RandomZoom(_Geometric):
    """Zooms each image by a factor uniform in [1 + lower, 1 + upper] of its height
    (``height_factor`` = f: (−f, f); negative values zoom in, positive out) and of its
    width (``width_factor``; None: the height's factor, keeping the aspect ratio),
    about the image's centre.

    >>> RandomZoom(0.2)
    """

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _axis_factor(height_factor, "height_factor", "RandomZoom", True)
        self.width_range = None if width_factor is None else \
            _axis_factor(width_factor, "width_factor", "RandomZoom", True)

    def _transforms(self, B, H, W):
        g = self._generator()
        zy = g.uniform(1.0 + self.height_range[0], 1.0 + self.height_range[1], B)
        zx = zy if self.width_range is None else \
            g.uniform(1.0 + self.width_range[0], 1.0 + self.width_range[1], B)
        zy, zx = zy.astype(np.float32), zx.astype(np.float32)
        return zoom_matrix(zx, zy, H, W)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


def zoom_matrix(zx, zy, height, width):
    """Keras's zoom transforms: x' = zₓ·x + (W − 1)/2·(1 − zₓ), y' likewise."""
    zx, zy = np.asarray(zx, np.float32), np.asarray(zy, np.float32)
    x_offset = (np.float32(width) - 1) / 2 * (1 - zx)
    y_offset = (np.float32(height) - 1) / 2 * (1 - zy)
    z = np.zeros_like(zx)
    return np.stack([zx, z, x_offset, z, zy, y_offset, z, z], axis=1).astype(np.float32)


class RandomTranslation(_Geometric):
    """Shifts each image by a fraction uniform in [lower, upper] of its height
    (``height_factor``) and of its width (``width_factor``); f gives (−f, f).

    >>> RandomTranslation(0.1, 0.1)
    """

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_range = _axis_factor(height_factor, "height_factor", "RandomTranslation",
                                         False)
        self.width_range = _axis_factor(width_factor, "width_factor", "RandomTranslation",
                                        False)

    def _transforms(self, B, H, W):
        g = self._generator()
        ty = (g.uniform(*self.height_range, B) * H).astype(np.float32)
        tx = (g.uniform(*self.width_range, B) * W).astype(np.float32)
        return translation_matrix(tx, ty)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


def translation_matrix(tx, ty):
    """Keras's translation transforms: x' = x − tₓ, y' = y − t_y (pixels)."""
    tx, ty = np.asarray(tx, np.float32), np.asarray(ty, np.float32)
    o, z = np.ones_like(tx), np.zeros_like(tx)
    return np.stack([o, z, -tx, z, o, -ty, z, z], axis=1)


class RandomFlip(_ImageLayer):
    """Flips each image, with probability ½, left-right (``mode="horizontal"``),
    upside down (``"vertical"``) or both at once (``"horizontal_and_vertical"``, the
    default: one draw per image for both axes, as Keras).

    >>> RandomFlip("horizontal")
    """
    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None,
                 **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in self._MODES:
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode "
                             f"argument {mode}")
        self.mode, self.seed = mode, seed

    def _images(self, x, training):
        x = _float(x)
        if not training:
            return x
        flips = self._generator().random(x.shape[0]) <= 0.5
        xp = array_module(x.array)
        keep = Tensor(xp.asarray((~flips).astype(np.float32)[:, None, None, None]))
        flip = Tensor(xp.asarray(flips.astype(np.float32)[:, None, None, None]))
        y = x
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            y = y.flip(2)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            y = y.flip(1)
        return y * flip + x * keep

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


class RandomContrast(_ImageLayer):
    """y = clip((x − μ)·c + μ, value_range), μ the mean of each image and channel over
    its pixels, c uniform in [1 − lower, 1 + upper] per image (``factor`` = f:
    [1 − f, 1 + f]; a pair (lower, upper), each in [0, 1]).

    >>> RandomContrast(0.2)
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _base_factor(factor, (0, 1), "RandomContrast")
        self.value_range, self.seed = value_range, seed

    def _images(self, x, training):
        if not training:
            return x
        x = _float(x)
        c = self._generator().uniform(1.0 - self.factor[0], 1.0 + self.factor[1],
                                      x.shape[0]).astype(np.float32)
        c = Tensor(array_module(x.array).asarray(c[:, None, None, None]))
        mean = x.mean(axis=1, keepdims=True).mean(axis=2, keepdims=True)
        return ((x - mean) * c + mean).clip(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


class RandomBrightness(_ImageLayer):
    """y = clip(x + δ, value_range), δ = u·(max − min) of ``value_range``, u uniform in
    [lower, upper] per image (``factor`` = f: [−f, f]; a pair, each in [−1, 1]).

    >>> RandomBrightness(0.2, value_range=(0, 1))
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _base_factor(factor, (-1, 1), "RandomBrightness")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"RandomBrightness: The `value_range` argument should be a "
                             f"list of two numbers. Received: value_range={value_range}")
        self.value_range, self.seed = sorted(value_range), seed

    def _images(self, x, training):
        if not training:
            return x
        u = self._generator().uniform(self.factor[0], self.factor[1], x.shape[0])
        delta = (u * (self.value_range[1] - self.value_range[0])).astype(np.float32)
        delta = Tensor(array_module(x.array).asarray(delta[:, None, None, None]))
        if x.dtype.kind != "f":     # Keras adds in the images' dtype (uint8 stays uint8)
            delta = delta.to(dtype=x.dtype)
        return (x + delta).clip(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


# -- resizing and cropping --------------------------------------------------------------
def _crop_box(height, width, target_height, target_width):
    """Keras's centred box of the target's aspect ratio inside an image (smart_resize's)."""
    crop_h = max(min(height, int(float(width * target_height) / target_width)), 1)
    crop_w = max(min(width, int(float(height * target_width) / target_height)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def resize(x, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_value=0.0):
    """Keras's ``ops.image.resize`` (torch backend) on a float Tensor (B, H, W, C):
    half-pixel centres, no antialiasing ("bilinear"; "nearest" is PyTorch's
    nearest-exact), optionally after cropping or padding to the target's aspect ratio."""
    B, H, W, C = x.shape
    if crop_to_aspect_ratio:
        h0, w0, ch, cw = _crop_box(H, W, height, width)
        x = x[:, h0:h0 + ch, w0:w0 + cw]
    elif pad_to_aspect_ratio:
        ph = max(H, int(float(W * height) / width))
        pw = max(W, int(float(H * width) / height))
        dh, dw = int(float(ph - H) / 2), int(float(pw - W) / 2)
        xp = array_module(x.array)
        if dh > 0:
            band = Tensor(xp.full((B, dh, W, C), fill_value, dtype=x.dtype))
            x = _cat([band, x, band], 1)
        if dw > 0:
            band = Tensor(xp.full((B, x.shape[1], dw, C), fill_value, dtype=x.dtype))
            x = _cat([band, x, band], 2)
    mode = "bilinear" if interpolation == "bilinear" else "nearest-exact"
    y = interpolate(x.permute(0, 3, 1, 2), size=(height, width), mode=mode,
                    align_corners=False if mode == "bilinear" else None)
    return y.permute(0, 2, 3, 1)


def _cat(tensors, axis):
    return _shape.concatenate(tensors, axis=axis)


def _check_size(height, width, who):
    for arg, v in (("height", height), ("width", width)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v <= 0:
            raise ValueError(f"{who}: `{arg}` must be a positive integer. Received: "
                             f"{arg}={v!r}")
    return int(height), int(width)


class Resizing(_ImageLayer):
    """Resizes images to (``height``, ``width``) as Keras's (``ops.image.resize``):
    "bilinear" or "bicubic" with half-pixel centres (``antialias`` when shrinking), or
    "nearest";
    ``crop_to_aspect_ratio`` first takes the largest centred box of the target's aspect
    ratio, ``pad_to_aspect_ratio`` pads with ``fill_value`` to it. Integer images come
    back rounded in their dtype (saturated), as Keras's.

    >>> Resizing(180, 180)
    """

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = _check_size(height, width, "Resizing")
        if interpolation not in ("bilinear", "nearest", "bicubic"):
            raise NotSupportedError(f"Resizing: interpolation={interpolation!r} is not "
                                    "supported by retrograd (it has 'bilinear', 'nearest' "
                                    "and 'bicubic')")
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError("Resizing: Only one of `pad_to_aspect_ratio` & "
                             "`crop_to_aspect_ratio` can be `True`.")
        if fill_mode != "constant":
            raise ValueError(f"Resizing: Invalid value for argument `fill_mode`. Only "
                             f"`'constant'` is supported. Received: fill_mode={fill_mode}")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value, self.antialias = fill_mode, fill_value, bool(antialias)

    def _images(self, x, training):     # keras.ops.image.resize, as Keras's layer calls it
        return _resize_op(x, (self.height, self.width), self.interpolation, self.antialias,
                          self.crop_to_aspect_ratio, self.pad_to_aspect_ratio,
                          fill_value=self.fill_value, data_format="channels_last")

    def compute_output_shape(self, input_shape):
        return _sized(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


def _sized(input_shape, height, width, data_format):
    shape = list(input_shape)
    h = len(shape) - (3 if data_format == "channels_last" else 2)
    shape[h], shape[h + 1] = height, width
    return tuple(shape)


class CenterCrop(_ImageLayer):
    """The centred (``height``, ``width``) box of each image (start ⌊(H − h)/2⌋); an
    image smaller than that on one side is cropped to the target's aspect ratio and
    resized (bilinear), as Keras's ``smart_resize``.

    >>> CenterCrop(150, 150)
    """

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = _check_size(height, width, "CenterCrop")

    def _images(self, x, training):
        x = _float(x)
        H, W = x.shape[1], x.shape[2]
        if H >= self.height and W >= self.width:
            h0, w0 = (H - self.height) // 2, (W - self.width) // 2
            return x[:, h0:h0 + self.height, w0:w0 + self.width]
        return resize(x, self.height, self.width, crop_to_aspect_ratio=True)

    def compute_output_shape(self, input_shape):
        return _sized(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomCrop(_ImageLayer):
    """In training, a (``height``, ``width``) box at a uniformly random place (the same
    for the whole batch, as Keras); an image not larger than the box on both sides is
    centre-cropped to its aspect ratio and resized. At inference the images pass
    unchanged (as Keras 3's, whose output then keeps the input's size).

    >>> RandomCrop(24, 24)
    """

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height, self.width = _check_size(height, width, "RandomCrop")
        self.seed = seed

    def _images(self, x, training):
        if not training:
            return x
        x = _float(x)
        H, W = x.shape[1], x.shape[2]
        if H > self.height and W > self.width:
            g = self._generator()
            h0 = int(g.uniform(0, H - self.height + 1))
            w0 = int(g.uniform(0, W - self.width + 1))
        else:
            h0, w0, _, _ = _crop_box(H, W, self.height, self.width)
        y = x[:, h0:h0 + self.height, w0:w0 + self.width]
        if y.shape[1:3] != (self.height, self.width):
            y = resize(y, self.height, self.width)
        return y

    def compute_output_shape(self, input_shape):
        return _sized(input_shape, self.height, self.width, self.data_format)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}
