"""``keras.ops.image``: resizing, cropping, padding, grayscale and patches of image
batches, channels-last by default ((batch, height, width, channels); a single image
(height, width, channels) works too), with Keras 3's arguments.

``resize`` is retrograd's ``nn.functional.interpolate`` (what Keras's PyTorch
backend calls); ``affine_transform``/``map_coordinates`` are weighted gathers;
``extract_patches`` is a convolution by an identity kernel, as Keras's.
"""
import itertools

import numpy as np

from ... import creation
from ...missing import NotSupportedError
from .. import config
from .nn import conv as _conv
from .numpy import (_eager, _float, _tensor, clip, floor, maximum, minimum, pad, stack,
                    where)
from ...nn import functional as F
from ...ops.conv import same_padding

__all__ = ["resize", "crop_images", "pad_images", "rgb_to_grayscale", "extract_patches"]


def _images(images, who, data_format):
    t = _tensor(images, who)
    if t.ndim not in (3, 4):
        raise ValueError(f"keras.ops.image.{who}: invalid images rank: expected rank 3 "
                         f"(single image) or rank 4 (batch of images). Received input with "
                         f"shape: images.shape={tuple(t.shape)}")
    fmt = config.image_data_format() if data_format is None else data_format
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"keras.ops.image.{who}: data_format must be 'channels_last' or "
                         f"'channels_first'. Received: data_format={data_format!r}")
    single = t.ndim == 3
    if single:
        t = t.reshape(1, *t.shape)
    if fmt == "channels_first":
        t = t.permute(0, 2, 3, 1)
    return t, fmt, single


def _restore(t, fmt, single):
    if fmt == "channels_first":
        t = t.permute(0, 3, 1, 2)
    return t.reshape(*t.shape[1:]) if single else t


_RESIZE_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}


@_eager
def resize(images, size, interpolation="bilinear", antialias=False,
           crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_mode="constant",
           fill_value=0.0, data_format=None):
    """Images resized to ``size`` = (height, width) by retrograd's ``interpolate``
    (bilinear and bicubic with half-pixel centres, nearest: the pixel under each
    output centre; ``antialias`` for downscaling with bilinear/bicubic), after a
    centred crop or a ``fill_value`` border to the target's aspect ratio if asked.
    Integer images are computed in float32 and rounded back to their dtype."""
    if interpolation not in _RESIZE_MODES:
        raise NotSupportedError(f"keras.ops.image.resize: interpolation={interpolation!r}; "
                                f"retrograd has {', '.join(map(repr, _RESIZE_MODES))}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("keras.ops.image.resize: only one of `pad_to_aspect_ratio` & "
                         "`crop_to_aspect_ratio` can be `True`.")
    if fill_mode != "constant":
        raise ValueError(f"keras.ops.image.resize: invalid value for argument "
                         f"`fill_mode`. Only `'constant'` is supported. Received: "
                         f"fill_mode={fill_mode}")
    if len(size) != 2 or any(int(n) <= 0 for n in size):
        raise ValueError(f"keras.ops.image.resize: expected `size` to be a tuple of 2 "
                         f"positive integers. Received: size={size}")
    t, fmt, single = _images(images, "resize", data_format)
    out_dtype = t.dtype
    t = _float(t, "resize")
    th, tw = (int(n) for n in size)
    h, w = t.shape[1], t.shape[2]
    if crop_to_aspect_ratio:            # Keras's centred crop to th:tw
        ch = max(min(h, int(w * th / tw)), 1)
        cw = max(min(w, int(h * tw / th)), 1)
        top, left = int((h - ch) / 2), int((w - cw) / 2)
        t = t[:, top:top + ch, left:left + cw, :]
    elif pad_to_aspect_ratio:           # Keras's border of the same width on both sides
        top = int((max(h, int(w * th / tw)) - h) / 2)
        left = int((max(w, int(h * tw / th)) - w) / 2)
        t = pad(t, [(0, 0), (top, top), (left, left), (0, 0)], constant_values=fill_value)
    nearest = interpolation == "nearest"
    y = F.interpolate(t.permute(0, 3, 1, 2), size=(th, tw), mode=_RESIZE_MODES[interpolation],
                      align_corners=None if nearest else False,
                      antialias=bool(antialias) and not nearest).permute(0, 2, 3, 1)
    if out_dtype.kind in "iub":         # rounded back, as Keras's PyTorch backend
        if interpolation == "bicubic" and out_dtype == np.uint8:
            y = y.clip(0, 255)
        y = creation.as_tensor(y.detach().array.round(), device=y.device).to(dtype=out_dtype)
    return _restore(y, fmt, single)


def _box(who, shape, first, second, size, before_name, after_name, target_name):
    """(before, after) for one axis from Keras's two of three arguments."""
    given = [v is not None for v in (first, second, size)]
    if sum(given) != 2:
        raise ValueError(f"keras.ops.image.{who}: give exactly two of {before_name}, "
                         f"{after_name} and {target_name}; received {before_name}={first}, "
                         f"{after_name}={second}, {target_name}={size}")
    return first, second, size


@_eager
def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None,
                data_format=None):
    """Images cropped by the given margins (two of top/bottom/target_height, two of
    left/right/target_width)."""
    t, fmt, single = _images(images, "crop_images", data_format)
    n_h, n_w = t.shape[1], t.shape[2]
    top, bottom, th = _box("crop_images", n_h, top_cropping, bottom_cropping, target_height,
                           "top_cropping", "bottom_cropping", "target_height")
    left, right, tw = _box("crop_images", n_w, left_cropping, right_cropping, target_width,
                           "left_cropping", "right_cropping", "target_width")
    top = n_h - bottom - th if top is None else top
    th = n_h - top - bottom if th is None else th
    left = n_w - right - tw if left is None else left
    tw = n_w - left - right if tw is None else tw
    if min(top, left) < 0 or th <= 0 or tw <= 0 or top + th > n_h or left + tw > n_w:
        raise ValueError(f"keras.ops.image.crop_images: the crop (top={top}, left={left}, "
                         f"height={th}, width={tw}) does not fit images of height {n_h} and "
                         f"width {n_w}")
    return _restore(t[:, top:top + th, left:left + tw, :], fmt, single)


@_eager
def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Images padded with zeros (two of top/bottom/target_height, two of
    left/right/target_width)."""
    t, fmt, single = _images(images, "pad_images", data_format)
    n_h, n_w = t.shape[1], t.shape[2]
    top, bottom, th = _box("pad_images", n_h, top_padding, bottom_padding, target_height,
                           "top_padding", "bottom_padding", "target_height")
    left, right, tw = _box("pad_images", n_w, left_padding, right_padding, target_width,
                           "left_padding", "right_padding", "target_width")
    top = th - n_h - bottom if top is None else top
    bottom = th - n_h - top if bottom is None else bottom
    left = tw - n_w - right if left is None else left
    right = tw - n_w - left if right is None else right
    if min(top, bottom, left, right) < 0:
        raise ValueError(f"keras.ops.image.pad_images: the padding (top={top}, bottom="
                         f"{bottom}, left={left}, right={right}) must be non-negative for "
                         f"images of height {n_h} and width {n_w}")
    out = pad(t, [(0, 0), (top, bottom), (left, right), (0, 0)])
    return _restore(out, fmt, single)


@_eager
def rgb_to_grayscale(images, data_format=None):
    """0.2989 R + 0.5870 G + 0.1140 B, keeping a channel axis of size 1."""
    t, fmt, single = _images(images, "rgb_to_grayscale", data_format)
    if t.shape[-1] != 3:
        raise ValueError(f"keras.ops.image.rgb_to_grayscale: images must have 3 channels, "
                         f"got shape {tuple(t.shape)} ({fmt})")
    given = t.dtype
    t = _float(t, "rgb_to_grayscale")
    weights = creation.as_tensor(np.array([[0.2989], [0.5870], [0.1140]], dtype=t.dtype),
                                 device=t.device)
    gray = t @ weights
    if given.kind in "iu":          # integer images stay integers (truncated), as Keras's
        gray = gray.to(dtype=given)
    return _restore(gray, fmt, single)


@_eager
def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """(batch, rows, cols, ph·pw·C): each patch of ``size`` flattened in (row, column,
    channel) order; strides default to the patch size."""
    ph, pw = (size, size) if isinstance(size, int) else tuple(size)
    strides = (ph, pw) if strides is None else strides
    t, fmt, single = _images(images, "extract_patches", data_format)
    given = t.dtype
    t = _float(t, "extract_patches")
    c = t.shape[-1]
    eye = np.eye(ph * pw * c, dtype=t.dtype).reshape(ph, pw, c, ph * pw * c)
    out = _conv(t, creation.as_tensor(eye, device=t.device), strides, padding,
                "channels_last", dilation_rate)
    if given.kind in "iu":          # the pixels themselves: integer images keep their dtype
        out = out.to(dtype=given)
    return _restore(out, fmt, single)



# -- resampling at given coordinates -------------------------------------------------------

__all__ += ["map_coordinates", "affine_transform"]


def _mirror(index, size):
    s = size - 1                       # a triangular wave of half-period size − 1
    return np.abs((index + s) % (2 * s) - s) if s > 0 else np.zeros_like(index)


_FIXERS = {
    "constant": lambda i, n: np.clip(i, 0, n - 1),
    "nearest": lambda i, n: np.clip(i, 0, n - 1),
    "wrap": lambda i, n: i % n,
    "mirror": _mirror,
    "reflect": lambda i, n: (_mirror(2 * i + 1, 2 * n + 1) - 1) // 2,
}


def _resample(t, coords, order, fill_mode, fill_value, who):
    """Σ over the 2^ndim corners (order 1) or the nearest point (order 0) of
    weight · t[corner]; corners outside the input take ``fill_value`` in mode
    "constant", else are folded back in by the mode. Gradients flow to t (the
    coordinates are data)."""
    if fill_mode not in _FIXERS:
        raise ValueError(f"keras.ops.image.{who}: invalid value for argument `fill_mode`. "
                         f"Expected one of {set(_FIXERS)}. Received: fill_mode={fill_mode}")
    if not set(order if isinstance(order, (list, tuple)) else [order]) <= {0, 1}:
        raise NotImplementedError(f"keras.ops.image.{who}: order={order}; map_coordinates "
                                  "requires order <= 1 (as Keras's)")
    orders = order if isinstance(order, (list, tuple)) else [order] * len(coords)
    per_axis = []
    for c, n, o in zip(coords, t.shape, orders):
        if o == 0:
            i = np.round(c).astype(np.int64)
            nodes = [(i, np.ones_like(c))]
        else:
            lo = np.floor(c)
            nodes = [(lo.astype(np.int64), 1 - (c - lo)), (lo.astype(np.int64) + 1, c - lo)]
        per_axis.append([(_FIXERS[fill_mode](i, n), (i >= 0) & (i < n), w) for i, w in nodes])
    flat = t.reshape(-1)
    out = None
    for corner in itertools.product(*per_axis):
        index = np.ravel_multi_index(tuple(i for i, _, _ in corner), t.shape)
        valid = np.logical_and.reduce([v for _, v, _ in corner]) if fill_mode == "constant" \
            else np.ones(index.shape, bool)
        weight = np.prod([w for _, _, w in corner], axis=0)
        picked = flat.index_select(0, creation.as_tensor(index.reshape(-1),
                                                         device=t.device).array)
        picked = picked.reshape(*index.shape)
        # Outside the input: the fill value, times the corner's weight (Keras's sum).
        value = picked * creation.as_tensor(np.where(valid, weight, 0).astype(t.dtype),
                                            device=t.device)
        value = value + creation.as_tensor(np.where(valid, 0, weight * fill_value)
                                           .astype(t.dtype), device=t.device)
        out = value if out is None else out + value
    return out


@_eager
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0.0):
    """inputs sampled at ``coordinates`` (one array of positions per axis of inputs,
    all of the output's shape): order 0 takes the nearest point, order 1 interpolates
    linearly; outside the input ``fill_mode`` decides (constant, nearest, wrap,
    mirror, reflect)."""
    t = _float(inputs, "map_coordinates")
    coords = [np.asarray(c.detach().cpu().array if hasattr(c, "detach") else c,
                         dtype=np.float64) for c in coordinates]
    if len(coords) != t.ndim:
        raise ValueError(f"keras.ops.image.map_coordinates: the first dimension of "
                         f"coordinates must be the same as the rank of inputs "
                         f"({t.ndim}); received {len(coords)} coordinate arrays")
    return _resample(t, coords, order, fill_mode, fill_value, "map_coordinates")


@_eager
def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Images resampled by the projective ``transform`` [a0, a1, a2, b0, b1, b2, c0,
    c1] (one, or one per image): the output pixel (x, y) takes the input at
    ((a0·x + a1·y + a2)/k, (b0·x + b1·y + b2)/k), k = c0·x + c1·y + 1."""
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"keras.ops.image.affine_transform: invalid value for argument "
                         f"`interpolation`. Expected one of {{'nearest', 'bilinear'}}. "
                         f"Received: interpolation={interpolation}")
    t, fmt, single = _images(images, "affine_transform", data_format)
    t = _float(t, "affine_transform")
    m = np.asarray(transform.detach().cpu().array if hasattr(transform, "detach")
                   else transform, dtype=np.float64)
    if m.ndim not in (1, 2) or m.shape[-1] != 8:
        raise ValueError(f"keras.ops.image.affine_transform: invalid transform: expected "
                         f"(8,) or (batch, 8), got shape {m.shape}")
    b, h, w, c = t.shape
    m = np.broadcast_to(m.reshape(-1, 8), (b, 8))
    bb, yy, xx, cc = np.meshgrid(np.arange(b), np.arange(h), np.arange(w), np.arange(c),
                                 indexing="ij")
    # In the images' dtype and Keras's order of operations: nearest sampling rounds
    # these, so a coordinate at .5 must come out as it does there.
    a = m[:, :, None, None, None].astype(t.dtype)
    xx, yy = xx.astype(t.dtype), yy.astype(t.dtype)
    k = a[:, 6] * xx + a[:, 7] * yy + 1
    x_in = (yy * a[:, 1] + xx * a[:, 0] + a[:, 2]) / k
    y_in = (yy * a[:, 4] + xx * a[:, 3] + a[:, 5]) / k
    spatial = 0 if interpolation == "nearest" else 1
    out = _resample(t, [bb.astype(np.float64), y_in, x_in, cc.astype(np.float64)],
                    [0, spatial, spatial, 0], fill_mode, fill_value, "affine_transform")
    return _restore(out, fmt, single)



# -- filters and colour spaces ----------------------------------------------------------

__all__ += ["gaussian_blur", "sobel_edges", "rgb_to_hsv", "hsv_to_rgb"]


def _depthwise(t, kernel2d):
    """Each channel of (B, H, W, C) convolved with ``kernel2d`` (kh, kw), zero padding
    of kh//2 above and below, kw//2 left and right (the size stays for odd kernels)."""
    c = t.shape[-1]
    ph, pw = kernel2d.shape[0] // 2, kernel2d.shape[1] // 2
    k = np.broadcast_to(kernel2d[:, :, None, None], kernel2d.shape + (1, c))
    return _conv(pad(t, [(0, 0), (ph, ph), (pw, pw), (0, 0)]),
                 creation.as_tensor(np.ascontiguousarray(k).astype(t.dtype), device=t.device),
                 1, "valid", "channels_last", 1) if c else t


@_eager
def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Each channel convolved with the normalised Gaussian of ``kernel_size`` and
    ``sigma`` (per axis), zero-padded."""
    t, fmt, single = _images(images, "gaussian_blur", data_format)
    t = _float(t, "gaussian_blur")
    ks = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    sg = (sigma, sigma) if isinstance(sigma, (int, float)) else tuple(sigma)

    def kernel1d(n, s):
        x = np.arange(n, dtype=np.float64) - (n - 1) / 2
        k = np.exp(-0.5 * (x / s) ** 2)
        return k / k.sum()
    # Keras's outer(y, x) with x = (kernel_size[0], sigma[0]), y = the [1]s, not reshaped
    # afterwards as Keras's torch backend does (that scrambles a non-square kernel)
    kernel = np.outer(kernel1d(ks[1], sg[1]), kernel1d(ks[0], sg[0]))
    return _restore(_depthwise(t, kernel), fmt, single)


@_eager
def sobel_edges(images, data_format=None):
    """The Sobel derivatives of each channel, (…, C, 2): [∂/∂y, ∂/∂x]."""
    t, fmt, single = _images(images, "sobel_edges", data_format)
    t = _float(t, "sobel_edges")
    sx = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float64)
    edges = stack([_depthwise(t, sx.T), _depthwise(t, sx)], axis=-1)   # (B, H, W, C, 2)
    if fmt == "channels_first":
        edges = edges.permute(0, 3, 1, 2, 4)
    return edges.reshape(*edges.shape[1:]) if single else edges


def _planes(t, who, fmt):
    if t.dtype.kind != "f":
        raise ValueError(f"keras.ops.image.{who}: invalid images dtype: expected float "
                         f"dtype. Received: images.dtype={t.dtype}")
    axis = -1 if fmt == "channels_last" else -3
    if t.shape[axis] != 3:
        raise ValueError(f"keras.ops.image.{who}: images must have 3 channels, got shape "
                         f"{tuple(t.shape)} ({fmt})")
    return [t[..., i] if axis == -1 else t[..., i, :, :] for i in range(3)], axis


@_eager
def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] to hue, saturation, value (hue in [0, 1))."""
    t = _tensor(images, "rgb_to_hsv")
    fmt = config.image_data_format() if data_format is None else data_format
    eps = float(np.finfo(t.dtype).eps) if t.dtype.kind == "f" else 0.0
    (r, g, b), axis = _planes(t, "rgb_to_hsv", fmt)
    r, g, b = (where(v.abs() < eps, 0.0, v) for v in (r, g, b))
    value = maximum(maximum(r, g), b)
    range_ = value - minimum(minimum(r, g), b)
    saturation = where(value > 0, range_ / where(value > 0, value, 1.0), 0.0)
    norm = 1.0 / (6.0 * where(range_ > 0, range_, 1.0))
    hue = where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = where(value == r, norm * (g - b), hue)
    hue = where(range_ > 0, hue, 0.0)
    hue = hue + (hue < 0.0).to(dtype=hue.dtype)
    return stack([hue, saturation, value], axis=axis)


@_eager
def hsv_to_rgb(images, data_format=None):
    """Hue, saturation, value to RGB."""
    t = _tensor(images, "hsv_to_rgb")
    fmt = config.image_data_format() if data_format is None else data_format
    (h, s_, v), axis = _planes(t, "hsv_to_rgb", fmt)
    dh = (h - floor(h)) * 6.0
    dr = clip((dh - 3.0).abs() - 1.0, 0.0, 1.0)
    dg = clip(2.0 - (dh - 2.0).abs(), 0.0, 1.0)
    db = clip(2.0 - (dh - 4.0).abs(), 0.0, 1.0)
    one_minus_s = 1.0 - s_
    return stack([v * (one_minus_s + s_ * d) for d in (dr, dg, db)], axis=axis)



__all__ += ["ssim"]


@_eager
def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """The structural similarity per image: the mean over valid Gaussian windows
    (size ``filter_size``, σ ``filter_sigma``) and channels of
    (2μ₁μ₂ + c₁)(2σ₁₂ + c₂) / ((μ₁² + μ₂² + c₁)(σ₁² + σ₂² + c₂)), cᵢ = (kᵢ·max_val)²."""
    a, _, single = _images(image1, "ssim", data_format)
    b, _, _ = _images(image2, "ssim", data_format)
    a, b = _float(a, "ssim"), _float(b, "ssim")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"keras.ops.image.ssim: the images must have the same shape, got "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    if min(a.shape[1:3]) < filter_size:
        raise ValueError(f"keras.ops.image.ssim: images of size {tuple(a.shape[1:3])} are "
                         f"smaller than filter_size={filter_size}")
    g = np.exp(-((np.arange(filter_size) - (filter_size - 1) / 2.0) ** 2)
               / (2.0 * filter_sigma ** 2))
    g = g / g.sum()
    c = a.shape[-1]
    kernel = creation.as_tensor(np.ascontiguousarray(np.broadcast_to(
        np.outer(g, g)[:, :, None, None], (filter_size, filter_size, 1, c))).astype(a.dtype),
        device=a.device)

    def blur(x):                        # each channel by itself, valid windows
        return _conv(x, kernel, 1, "valid", "channels_last", 1)
    mu1, mu2 = blur(a), blur(b)
    s11 = blur(a * a) - mu1 * mu1
    s22 = blur(b * b) - mu2 * mu2
    s12 = blur(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    index = (2 * mu1 * mu2 + c1) * (2 * s12 + c2) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (s11 + s22 + c2))
    out = index.mean(axis=(1, 2, 3))
    return out.reshape(()) if single else out



__all__ += ["perspective_transform"]


def _homography(start, end):
    """The 8 coefficients of the projective map taking each end point to its start
    point (one 8×8 solve per image), as affine_transform reads them."""
    rows, rhs = [], []
    for (sx, sy), (ex, ey) in zip(start, end):
        rows += [[ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey],
                 [0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey]]
        rhs += [sx, sy]
    try:
        return np.linalg.solve(np.array(rows, np.float64), np.array(rhs, np.float64))
    except np.linalg.LinAlgError:
        raise ValueError("keras.ops.image.perspective_transform: the points give no "
                         "projective map (three of them are on one line)") from None


@_eager
def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Images warped so that ``start_points`` (4 (x, y) corners, or one set per image)
    move to ``end_points``; pixels from outside the input take ``fill_value``."""
    def points(p, name):
        a = np.asarray(p.detach().cpu().array if hasattr(p, "detach") else p, np.float64)
        if a.shape[-2:] != (4, 2) or a.ndim not in (2, 3):
            raise ValueError(f"keras.ops.image.perspective_transform: invalid {name} "
                             f"shape: expected (4, 2) for a single image or (N, 4, 2) for "
                             f"a batch. Received shape: {a.shape}")
        return a.reshape(-1, 4, 2)
    start, end = points(start_points, "start_points"), points(end_points, "end_points")
    if start.shape != end.shape:
        raise ValueError(f"keras.ops.image.perspective_transform: start_points and "
                         f"end_points must have the same shape. Received "
                         f"{start.shape} and {end.shape}")
    transform = np.stack([_homography(s_, e) for s_, e in zip(start, end)])
    return affine_transform(images, transform, interpolation, "constant", fill_value,
                            data_format)



__all__ += ["extract_patches_3d"]


@_eager
def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """(batch, depth', rows, cols, pd·ph·pw·C): each 3-D patch flattened in (depth,
    row, column, channel) order, picked by advanced indexing (gradients add back)."""
    t = _tensor(volumes, "extract_patches_3d")
    if t.ndim not in (4, 5):
        raise ValueError(f"keras.ops.image.extract_patches_3d: invalid volumes rank: "
                         f"expected rank 4 (single volume) or rank 5 (batch of volumes). "
                         f"Received input with shape: volumes.shape={tuple(t.shape)}")
    fmt = config.image_data_format() if data_format is None else data_format
    single = t.ndim == 4
    t = t.reshape(1, *t.shape) if single else t
    if fmt == "channels_first":
        t = t.permute(0, 2, 3, 4, 1)
    t = _float(t, "extract_patches_3d")

    def triple(v, name):
        v = (v,) * 3 if isinstance(v, int) else tuple(int(a) for a in v)
        if len(v) != 3:
            raise ValueError(f"keras.ops.image.extract_patches_3d: {name} must be an int "
                             f"or 3 ints, got {v}")
        return v
    size = triple(size, "size")
    strides = size if strides is None else triple(strides, "strides")
    dil = triple(dilation_rate, "dilation_rate")
    if padding == "same":
        pads = [same_padding(n, k, st, d) for n, k, st, d in
                zip(t.shape[1:4], size, strides, dil)]
        t = pad(t, [(0, 0), *pads, (0, 0)])
    elif padding != "valid":
        raise ValueError(f"keras.ops.image.extract_patches_3d: padding must be 'valid' or "
                         f"'same', got {padding!r}")
    counts = [(n - d * (k - 1) - 1) // st + 1 for n, k, st, d in
              zip(t.shape[1:4], size, strides, dil)]
    if min(counts) < 1:
        raise ValueError(f"keras.ops.image.extract_patches_3d: patches of size {size} "
                         f"(dilation {dil}) do not fit volumes of shape {tuple(t.shape[1:4])}")
    # Index of axis a for (patch position, offset in the patch), broadcast over the six.
    index = []
    for a in range(3):
        i = np.arange(counts[a]) * strides[a]
        o = np.arange(size[a]) * dil[a]
        shape = [1] * 6
        shape[a], shape[3 + a] = counts[a], size[a]
        pos = np.zeros(shape, np.int64) + i.reshape([-1 if k == a else 1 for k in range(6)])
        index.append(pos + o.reshape([-1 if k == 3 + a else 1 for k in range(6)]))
    xp_index = tuple(creation.as_tensor(ix, device=t.device).array for ix in index)
    picked = t[(slice(None),) + xp_index]          # (B, nd, nh, nw, pd, ph, pw, C)
    out = picked.reshape(t.shape[0], *counts, -1)
    if fmt == "channels_first":
        out = out.permute(0, 4, 1, 2, 3)
    return out.reshape(*out.shape[1:]) if single else out



__all__ += ["scale_and_translate"]


def _lanczos(radius):
    def kernel(x):
        with np.errstate(divide="ignore", invalid="ignore"):
            y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
            out = np.where(x > 1e-3, y / np.where(x != 0, np.pi ** 2 * x ** 2, 1), 1)
        return np.where(x > radius, 0.0, out)
    return kernel


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return np.where(x >= 2.0, 0.0, out)


_SCALE_KERNELS = {"linear": lambda x: np.maximum(0, 1 - np.abs(x)), "cubic": _keys_cubic,
                  "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0)}
_SCALE_METHODS = {"linear": "linear", "bilinear": "linear", "trilinear": "linear",
                  "triangle": "linear", "cubic": "cubic", "bicubic": "cubic",
                  "tricubic": "cubic", "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _scale_weights(n_in, n_out, scale, translation, kernel, antialias, dtype):
    """(n_in × n_out): the weight of each input sample in each output sample, the
    kernel stretched by 1/scale when antialiasing a downscale, columns normalised,
    zero for output samples whose centre falls outside the input."""
    inv = dtype.type(1.0) / scale
    kernel_scale = np.maximum(inv, dtype.type(1.0)) if antialias else dtype.type(1.0)
    sample = (np.arange(n_out, dtype=dtype) + dtype.type(0.5)) * inv - translation * inv \
        - dtype.type(0.5)
    x = np.abs(sample[None, :] - np.arange(n_in, dtype=dtype)[:, None]) / kernel_scale
    w = kernel(x).astype(dtype)
    total = w.sum(axis=0, keepdims=True)
    w = np.where(np.abs(total) > 1000.0 * float(np.finfo(np.float32).eps),
                 w / np.where(total != 0, total, 1), 0)
    inside = (sample >= -0.5) & (sample <= n_in - 0.5)
    return np.where(inside[None, :], w, 0).astype(dtype)


@_eager
def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """JAX's scale_and_translate: along each of ``spatial_dims``, output sample j takes
    the input under (j + ½ − translation)/scale − ½ through the ``method`` kernel
    (linear, cubic, lanczos3, lanczos5; widened when antialiasing a downscale).
    Integer images are rounded back into their range."""
    if method not in _SCALE_METHODS:
        raise ValueError(f"keras.ops.image.scale_and_translate: invalid value for "
                         f"argument `method`. Expected of one {set(_SCALE_METHODS)}. "
                         f"Received: method={method}")
    t = _tensor(images, "scale_and_translate")
    kernel = _SCALE_KERNELS[_SCALE_METHODS[method]]
    sc = np.asarray(scale.detach().cpu().array if hasattr(scale, "detach") else scale)
    tr = np.asarray(translation.detach().cpu().array if hasattr(translation, "detach")
                    else translation)
    dtype = np.result_type(sc.dtype if sc.dtype.kind == "f" else np.float32,
                           tr.dtype if tr.dtype.kind == "f" else np.float32)
    sc, tr = sc.astype(dtype).reshape(-1), tr.astype(dtype).reshape(-1)
    out = _float(t, "scale_and_translate")
    for i, d in enumerate(spatial_dims):
        d %= t.ndim
        w = _scale_weights(t.shape[d], int(output_shape[d]), sc[i], tr[i], kernel,
                           antialias, np.dtype(dtype))
        w = creation.as_tensor(w.astype(out.dtype), device=t.device)
        moved = out.permute(*[a for a in range(out.ndim) if a != d], d)
        out = (moved @ w).permute(*range(d), out.ndim - 1, *range(d, out.ndim - 1))
    if t.dtype.kind in "iu":
        v = t.detach().array
        rounded = out.detach().array.round().clip(v.min(), v.max())
        return creation.as_tensor(rounded, device=t.device).to(dtype=t.dtype)
    return out



__all__ += ["elastic_transform"]


@_eager
def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Images resampled along a random smooth displacement field: per image, normal
    noise × sigma for each of x and y, Gaussian-blurred (kernel int(6σ) | 1, σ), times
    ``alpha``, added to the pixel coordinates (Keras's recipe; the noise comes from
    retrograd.keras.random with ``seed``, so the values differ from Keras's)."""
    from .. import random as _random
    if interpolation not in ("nearest", "bilinear"):
        raise ValueError(f"keras.ops.image.elastic_transform: invalid value for argument "
                         f"`interpolation`. Expected of one {{'nearest', 'bilinear'}}. "
                         f"Received: interpolation={interpolation}")
    t, fmt, single = _images(images, "elastic_transform", data_format)
    t = _float(t, "elastic_transform")
    b, h, w, c = t.shape
    size = int(6 * sigma) | 1
    noise = _random.normal((b, h, w, 2), dtype=str(t.dtype), seed=seed)
    field = gaussian_blur(noise * float(sigma), (size, size), (sigma, sigma),
                          "channels_last").detach().cpu().array.astype(np.float64)
    bb, yy, xx, cc = np.meshgrid(np.arange(b), np.arange(h), np.arange(w), np.arange(c),
                                 indexing="ij")
    y_in = yy + alpha * field[..., 1][..., None]
    x_in = xx + alpha * field[..., 0][..., None]
    order = 0 if interpolation == "nearest" else 1
    out = _resample(t, [bb.astype(np.float64), y_in, x_in, cc.astype(np.float64)],
                    [0, order, order, 0], fill_mode, fill_value, "elastic_transform")
    return _restore(out, fmt, single)


from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
