"""Convolutions: conv1d, conv2d and the transposed conv_transpose2d (NCHW, as PyTorch).

A 2-D convolution slides a kernel w (O, C/G, kh, kw) over the zero-padded input
x (N, C, H, W) with steps s (stride) and gaps d (dilation) between kernel taps:

    y[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x[n, c, s·i + d·p, s·j + d·q]

(the sum runs over the C/G input channels of o's group). It is a matrix product
once the input windows are laid out as columns ("im2col"): the column of output
pixel (i, j) holds the C·kh·kw input values its kernel sees, so for each sample

    Y = W · cols(x)      with W of shape (O, C·kh·kw), cols(x) of shape (C·kh·kw, Ho·Wo).

The columns are built by kh·kw strided slices of the padded input (one per kernel
tap: no loop over pixels), with the columns of several samples side by side so that
each product is one large GEMM. The batch goes through in blocks of samples whose
columns hold at most ``BLOCK_BYTES`` (4 MB): the whole batch's column matrix would be
C·kh·kw times the input (40 MB for the MNIST net's second convolution at batch 64).
Only the input is saved for backward, which builds the columns again. The gradients
are the same product read backwards:

    ∂ℓ/∂W = Σ_n ∂ℓ/∂Y · cols(x)ᵀ                       (a GEMM with the rebuilt columns)
    ∂ℓ/∂x = col2im(Wᵀ · ∂ℓ/∂Y)                          (each tap's slice scatter-added back)
    ∂ℓ/∂b = Σ_{n, i, j} ∂ℓ/∂y[n, :, i, j]

``∂ℓ/∂x`` of a convolution *is* the transposed convolution of ∂ℓ/∂y with the same
kernel, which is how ``conv_transpose2d`` is computed (its own gradients are a
convolution and a weight gradient with the roles of input and output swapped).
The op is bilinear in (x, w), so forward mode is ẏ = conv(ẋ, w) + conv(x, ẇ) + ḃ.

A 1-D convolution is the 2-D one with H = 1 (a view, no copy).
"""
import math

import numpy as np

from ..backend import array_module
from ..function import Function
from .operand import lift

# -- argument parsing shared with pooling --------------------------------------------


def ntuple(value, n, op, name):
    """An int or a sequence of n ints as a tuple of n ints (PyTorch's _pair); a
    string or a float is a TypeError (never read digit by digit or truncated)."""
    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    if is_int(value):
        return (int(value),) * n
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    t = tuple(value)        # read once: a generator would be used up by the check
    if not all(map(is_int, t)):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    t = tuple(int(v) for v in t)
    if len(t) == 1:
        t = t * n
    if len(t) != n:
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    return t


def _positive(t, op, name):
    if any(v < 1 for v in t):
        raise ValueError(f"{op}: {name} must be positive, got {name}={t}")
    return t


def out_size(n, k, s, d, lo, hi):
    """Output length of a window of k taps with gap d, step s, over n + lo + hi."""
    return (n + lo + hi - d * (k - 1) - 1) // s + 1


def tap(i, d, s, n_out):
    """The slice of a padded axis that kernel tap i reads for every output position."""
    start = i * d
    return slice(start, start + s * (n_out - 1) + 1, s)


# -- the three array-level products (NumPy or CuPy) -----------------------------------


class Geometry:
    """The shapes of one 2-D convolution: kernel (kh, kw), stride, dilation, padding
    ((top, bottom), (left, right)), groups, and the output size for an input."""

    def __init__(self, kernel, stride, dilation, pads, groups):
        self.kernel, self.stride, self.dilation = kernel, stride, dilation
        self.pads, self.groups = pads, groups

    def output_hw(self, h, w):
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        (t, b), (l, r) = self.pads
        return out_size(h, kh, sh, dh, t, b), out_size(w, kw, sw, dw, l, r)

    def pad(self, x):
        """x (N, C, H, W) with its zero borders (x itself when there are none)."""
        (t, b), (l, r) = self.pads
        if not (t or b or l or r):
            return x
        xp = array_module(x)
        n, c, h, w = x.shape
        out = xp.zeros((n, c, h + t + b, w + l + r), dtype=x.dtype)
        out[:, :, t:t + h, l:l + w] = x
        return out

    def unpad(self, xp_, h, w):
        (t, _), (l, _) = self.pads
        return xp_[:, :, t:t + h, l:l + w]

    def columns(self, xpad, ho, wo):
        """im2col of a padded input (N, C, Hp, Wp) → (G, C/G·kh·kw, N·Ho·Wo), one
        strided slice per tap.

        Rows are (channel, tap), columns are (sample, pixel): the windows of several
        samples side by side, so that each product below is ONE large GEMM (a stack
        of per-sample GEMMs ran 5–10× slower here, docs/performance.md)."""
        xp = array_module(xpad)
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        n, c = xpad.shape[:2]
        g = self.groups
        xt = xpad.transpose(1, 0, 2, 3)                # (C, N, Hp, Wp), a view
        cols = xp.empty((c, kh, kw, n, ho, wo), dtype=xpad.dtype)
        for p in range(kh):
            for q in range(kw):
                cols[:, p, q] = xt[:, :, tap(p, dh, sh, ho), tap(q, dw, sw, wo)]
        return cols.reshape(g, (c // g) * kh * kw, n * ho * wo)

    def col2im_add(self, cols, gpad, ho, wo):
        """The adjoint of ``columns``: add (G, C/G·kh·kw, N·Ho·Wo) back into the padded
        gradient gpad (N, C, Hp, Wp), each tap where it was read (overlaps add up)."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        n, c = gpad.shape[:2]
        cols = cols.reshape(c, kh, kw, n, ho, wo)
        gview = gpad.transpose(1, 0, 2, 3)
        for p in range(kh):
            for q in range(kw):
                gview[:, :, tap(p, dh, sh, ho), tap(q, dw, sw, wo)] += cols[:, p, q]

    # Stride 1 (every convolution of the course's networks): "wide" columns.
    #
    # A tap's slice of a padded plane is Ho rows of Wo values: copying it row by row
    # spends its time on NumPy's per-row work (rows of 24 values in the MNIST net).
    # Read the plane as one row of Hp·Wp values instead: for output pixel (i, j) tap
    # (p, q) reads value (i + p·dh)·Wp + j + q·dw = i·Wp + j + offset(p, q), so every
    # tap is ONE run of (Ho − 1)·Wp + Wo consecutive values, if each output row is
    # given Wp pixels instead of Wo. Its Wp − Wo extra ("wide") pixels read across
    # the row's end: their outputs are computed and dropped, their gradients are
    # zero. The GEMMs grow by Wp/Wo (8 % in the MNIST net); building the columns and
    # adding them back ran 1.3–1.4× faster there (8.5 → 6.1 and 13.1 → 10.2 ms; whole
    # steps up to 1.11×: docs/performance.md, "Issue 16, session 6").

    def wide(self):
        return tuple(self.stride) == (1, 1)

    def offsets(self, wp):
        """Where each tap (p, q) starts in a padded plane read as one row."""
        (kh, kw), (dh, dw) = self.kernel, self.dilation
        return [p * dh * wp + q * dw for p in range(kh) for q in range(kw)]

    def wide_columns(self, xpad, ho, wo):
        """im2col for stride 1 → (G, C/G·kh·kw, N·Ho·Wp), one run per tap and plane;
        the wide pixels of each row hold the next row's first values, those of the
        last row zeros (they lie past the plane)."""
        xp = array_module(xpad)
        n, c, hp, wp = xpad.shape
        run = (ho - 1) * wp + wo
        planes = xpad.transpose(1, 0, 2, 3).reshape(c, n, hp * wp)
        taps = self.offsets(wp)
        cols = xp.empty((c, len(taps), n, ho * wp), dtype=xpad.dtype)
        for t, start in enumerate(taps):
            cols[:, t, :, :run] = planes[:, :, start:start + run]
        cols[:, :, :, run:] = 0
        return cols.reshape(self.groups, -1, n * ho * wp)

    def wide_col2im_add(self, cols, gpad, ho, wo):
        """The adjoint of ``wide_columns`` into a C-contiguous gpad (N, C, Hp, Wp): the
        wide pixels' values are zeros (their ∂ℓ/∂y are) and add nothing."""
        n, c, hp, wp = gpad.shape
        run = (ho - 1) * wp + wo
        taps = self.offsets(wp)
        cols = cols.reshape(c, len(taps), n, ho * wp)
        planes = gpad.transpose(1, 0, 2, 3).reshape(c, n, hp * wp)   # a view
        for t, start in enumerate(taps):
            planes[:, :, start:start + run] += cols[:, t, :, :run]

    def blocks(self, n, c, ho, wo, itemsize):
        """Slices of the batch whose columns hold at most BLOCK_BYTES: the column
        matrix of a whole batch is C·kh·kw times the input (42 MB for the MNIST net's
        second convolution at batch 64); by blocks of samples the GEMMs stay large
        and the peak memory small (docs/performance.md)."""
        per_sample = c * self.kernel[0] * self.kernel[1] * ho * wo * itemsize
        step = max(1, BLOCK_BYTES // max(per_sample, 1))
        return [slice(i, min(i + step, n)) for i in range(0, n, step)]


BLOCK_BYTES = 4 * 2**20


def _per_group(a, b):
    """[a[g] @ b[g] for each group] as one array: a plain GEMM per group (NumPy's
    stacked matmul is far slower than its 2-D one here)."""
    xp = array_module(a)
    if len(a) == 1:
        return (a[0] @ b[0])[None]
    return xp.stack([a[i] @ b[i] for i in range(len(a))])


def _gemm_layout(gy, g):
    """(N, O, Ho, Wo) → (G, O/G, N·Ho·Wo), the layout of the GEMMs."""
    xp = array_module(gy)
    o = gy.shape[1]
    return xp.ascontiguousarray(gy.transpose(1, 0, 2, 3)).reshape(g, o // g, -1)


def _wide_layout(gy, g, wp):
    """(N, O, Ho, Wo) → (G, O/G, N·Ho·Wp), the layout of the GEMMs with wide columns:
    zeros for the wide pixels."""
    xp = array_module(gy)
    n, o, ho, wo = gy.shape
    out = xp.zeros((o, n, ho, wp), dtype=gy.dtype)
    out[..., :wo] = gy.transpose(1, 0, 2, 3)
    return out.reshape(g, o // g, -1)


def _finite(a):
    """No inf or NaN in a (one sum; a sum that overflows only costs the wide columns)."""
    return bool(array_module(a).isfinite(a.sum()))


def conv_forward(x, w, geo, out_hw=None):
    """y = conv(x, w) as arrays: x (N, C, H, W), w (O, C/G, kh, kw) → (N, O, Ho, Wo);
    ``out_hw`` keeps only the first windows (a transposed conv's output_padding rows
    are not windows of its input)."""
    xp = array_module(x)
    n, c, h, wd = x.shape
    ho, wo = out_hw or geo.output_hw(h, wd)
    g, o = geo.groups, w.shape[0]
    wm = w.reshape(g, o // g, -1)
    xpad = geo.pad(x)
    wide, wp = geo.wide(), xpad.shape[3]
    y = xp.empty((n, o, ho, wo), dtype=x.dtype)
    for b in geo.blocks(n, c, ho, wp if wide else wo, x.itemsize):
        if wide:        # the wide pixels' outputs are dropped
            yb = _per_group(wm, geo.wide_columns(xpad[b], ho, wo))
            yb = yb.reshape(o, -1, ho, wp)[..., :wo]
        else:
            yb = _per_group(wm, geo.columns(xpad[b], ho, wo)).reshape(o, -1, ho, wo)
        y[b] = yb.transpose(1, 0, 2, 3)
    return y


def conv_backward(x, gy, w, geo, need_x=True, need_w=True, x_shape=None):
    """(∂ℓ/∂x, ∂ℓ/∂W) of y = conv(x, w), block by block of samples:

    ∂ℓ/∂W = ∂ℓ/∂Y · cols(x)ᵀ   GEMMs that sum over samples and pixels at once;
    ∂ℓ/∂x = col2im(Wᵀ · ∂ℓ/∂Y)  the transposed convolution of gy by w.

    Each block's ∂ℓ/∂Y is laid out for the GEMMs once, for both. ``x`` is needed for
    ∂ℓ/∂W only; ∂ℓ/∂x alone takes the input's shape, ``x_shape``.
    Wide columns (stride 1) need finite factors: a wide pixel's zero gradient times
    an inf read across a row's end would make a NaN that is not PyTorch's."""
    xp = array_module(gy)
    n, o, ho, wo = gy.shape
    c, h, wd = (x.shape if x_shape is None else x_shape)[1:]
    g = geo.groups
    (t, bo), (l, r) = geo.pads
    wp = wd + l + r
    wide = geo.wide() and (not need_w or _finite(x)) and (not need_x or _finite(w))
    columns = geo.wide_columns if wide else geo.columns
    col2im_add = geo.wide_col2im_add if wide else geo.col2im_add
    xpad = geo.pad(x) if need_w else None
    gpad = xp.zeros((n, c, h + t + bo, wp), dtype=gy.dtype) if need_x else None
    wt = w.reshape(g, o // g, -1).transpose(0, 2, 1)          # (G, K, O/G)
    gw = None
    for b in geo.blocks(n, c, ho, wp if wide else wo, gy.itemsize):
        gyb = _wide_layout(gy[b], g, wp) if wide else _gemm_layout(gy[b], g)
        if need_w:
            # (cols · ∂ℓ/∂Yᵀ)ᵀ: OpenBLAS ran this orientation 1.5–2× faster.
            part = _per_group(columns(xpad[b], ho, wo), gyb.transpose(0, 2, 1))
            gw = part if gw is None else gw.__iadd__(part)
        if need_x:
            col2im_add(_per_group(wt, gyb), gpad[b], ho, wo)
    return (geo.unpad(gpad, h, wd) if need_x else None,
            gw.transpose(0, 2, 1).reshape(w.shape) if need_w else None)


def conv_grad_input(gy, w, x_shape, geo):
    """∂ℓ/∂x alone, for an input of ``x_shape``: the transposed convolution of gy by w."""
    return conv_backward(None, gy, w, geo, need_w=False, x_shape=x_shape)[0]


# -- checks -----------------------------------------------------------------------------


def _check(op, x, w, b, groups, transposed=False):
    """PyTorch's shape rules for a convolution, as RuntimeErrors naming the shapes."""
    if x.dtype != w.dtype or (b is not None and b.dtype != x.dtype):
        raise RuntimeError(f"{op}: input ({x.dtype}), weight ({w.dtype})"
                           f"{'' if b is None else f' and bias ({b.dtype})'} should have "
                           "the same dtype")
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating-point input, got {x.dtype}")
    c = x.shape[1]
    if w.shape[0] % groups if not transposed else c % groups:
        what = "weight" if not transposed else "input"
        raise RuntimeError(f"{op}: given groups={groups}, expected {what} to be divisible "
                           f"by {groups} at dimension {0 if not transposed else 1}, but got "
                           f"weight of size {list(w.shape)} and input of size "
                           f"{list(x.shape)}")
    want = w.shape[1] * groups if not transposed else w.shape[0]
    if c != want:
        raise RuntimeError(f"{op}: given groups={groups}, weight of size {list(w.shape)}, "
                           f"expected input{list(x.shape)} to have {want} channels, but "
                           f"got {c} channels instead")
    out_channels = w.shape[0] if not transposed else w.shape[1] * groups
    if b is not None and tuple(b.shape) != (out_channels,):
        raise RuntimeError(f"{op}: given weight of size {list(w.shape)}, expected bias to "
                           f"be 1-D with {out_channels} elements, but got bias of size "
                           f"{list(b.shape)}")


# -- the ops ------------------------------------------------------------------------------


class _ConvBase(Function):
    """Shared by Conv and ConvTranspose: inputs of any of PyTorch's ranks (1-D or 2-D,
    batched or not) are viewed as (N, C, H, W) and the gradients viewed back."""

    fresh_grads = True

    def __init__(self, geo, spatial, op):
        self.geo, self.spatial, self.op = geo, spatial, op

    def _as4d(self, x, w):
        want = self.spatial + 2
        if x.ndim not in (want - 1, want):
            raise RuntimeError(
                f"{self.op}: expected {want - 1}D (unbatched) or {want}D (batched) input, "
                f"but got input of size: {list(x.shape)}")
        if w.ndim != want:
            raise RuntimeError(f"{self.op}: expected a {want}D weight, got weight of size "
                               f"{list(w.shape)}")
        self.x_shape, self.w_shape = x.shape, w.shape
        if x.ndim == want - 1:
            x = x[None]
        if self.spatial == 1:
            x, w = x[:, :, None], w[:, :, None]
        return x, w

    def _back(self, gx, gw):
        """Gradients of the 4-D views, in the shapes of the original inputs."""
        return (None if gx is None else gx.reshape(self.x_shape),
                None if gw is None else gw.reshape(self.w_shape))

    def _bias_grad(self, gy):
        return gy.sum(axis=(0, 2, 3))

    def _shape_out(self, y):
        """y (N, O, Ho, Wo) in the rank of the input: no batch axis, no H axis for 1-D."""
        if self.spatial == 1:
            y = y[:, :, 0]
        if len(self.x_shape) == self.spatial + 1:
            y = y[0]
        return y

    def _gy4d(self, gy):
        if len(self.x_shape) == self.spatial + 1:
            gy = gy[None]
        if self.spatial == 1:
            gy = gy[:, :, None]
        return gy


class Conv(_ConvBase):
    """y = conv(x, w) + b, as in the module docstring (conv1d and conv2d)."""

    def forward(self, x, w, b=None):
        x, w = self._as4d(x, w)
        _check(self.op, x, w, b, self.geo.groups)
        geo = self.geo
        (t, bo), (l, r) = geo.pads
        hp, wp = x.shape[2] + t + bo, x.shape[3] + l + r
        kh, kw = geo.kernel
        dh, dw = geo.dilation
        if hp < dh * (kh - 1) + 1 or wp < dw * (kw - 1) + 1:
            raise RuntimeError(
                f"{self.op}: calculated padded input size per channel: ({hp} x {wp}). "
                f"Kernel size: ({dh * (kh - 1) + 1} x {dw * (kw - 1) + 1}). Kernel size "
                f"can't be greater than actual input size (input {list(self.x_shape)}, "
                f"weight {list(self.w_shape)})")
        y = conv_forward(x, w, geo)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        # Saved: the input and the kernel, not the columns (C·kh·kw times the input;
        # backward rebuilds them block by block, docs/performance.md).
        self.x, self.w = x, w
        return self._shape_out(y)

    def backward(self, gy):
        gy = self._gy4d(gy)
        needs = self.needs_input_grad
        gx = gw = gb = None
        if needs[0] or needs[1]:
            gx, gw = conv_backward(self.x, gy, self.w, self.geo, needs[0], needs[1])
        if len(needs) == 3 and needs[2]:
            gb = self._bias_grad(gy)
        gx, gw = self._back(gx, gw)
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)

    def jvp(self, dx, dw, db=None):
        dy = conv_forward(self._gy4d(dx), self.w, self.geo)   # dx has x's rank
        dy += conv_forward(self.x, dw.reshape(self.w.shape), self.geo)
        if db is not None:
            dy += db.reshape(1, -1, 1, 1)
        return self._shape_out(dy)


class ConvTranspose(_ConvBase):
    """y = conv_transpose(x, w) + b: the gradient of conv(·, w) with respect to its
    input, applied to x. w has shape (C_in, C_out/G, kh, kw), as in PyTorch.

    ∂ℓ/∂x = conv(∂ℓ/∂y, w),  ∂ℓ/∂w = the weight gradient of conv(∂ℓ/∂y, ·) at x,
    ∂ℓ/∂b = Σ ∂ℓ/∂y over samples and pixels."""

    def __init__(self, geo, spatial, op, output_padding):
        super().__init__(geo, spatial, op)
        self.output_padding = output_padding

    def forward(self, x, w, b=None):
        x, w = self._as4d(x, w)
        _check(self.op, x, w, b, self.geo.groups, transposed=True)
        geo = self.geo
        (kh, kw), (sh, sw), (dh, dw) = geo.kernel, geo.stride, geo.dilation
        (t, bo), (l, r) = geo.pads
        oph, opw = self.output_padding
        n, _, h, wd = x.shape
        ho = (h - 1) * sh - t - bo + dh * (kh - 1) + oph + 1
        wo = (wd - 1) * sw - l - r + dw * (kw - 1) + opw + 1
        if ho < 1 or wo < 1:
            raise RuntimeError(f"{self.op}: given input size {list(self.x_shape)}, weight "
                               f"{list(self.w_shape)}, stride {geo.stride}, padding "
                               f"{(t, l)}, the calculated output size ({ho} x {wo}) is "
                               "too small")
        self.y4 = (n, w.shape[1] * geo.groups, ho, wo)
        y = conv_grad_input(x, w, self.y4, geo)      # a new array: updated in place
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        self.x, self.w = x, w
        return self._shape_out(y)

    def backward(self, gy):
        gy = self._gy4d(gy)
        needs = self.needs_input_grad
        geo = self.geo
        gx = gw = gb = None
        if needs[0]:
            gx = conv_forward(gy, self.w, geo, self.x.shape[2:])
        if needs[1]:
            gw = conv_backward(gy, self.x, self.w, geo, need_x=False)[1]
        if len(needs) == 3 and needs[2]:
            gb = self._bias_grad(gy)
        gx, gw = self._back(gx, gw)
        return (gx, gw) if len(needs) == 2 else (gx, gw, gb)

    def jvp(self, dx, dw, db=None):
        dx4 = self._gy4d(dx)
        dw4 = dw.reshape(self.w.shape)
        dy = conv_grad_input(dx4, self.w, self.y4, self.geo)
        dy += conv_grad_input(self.x, dw4, self.y4, self.geo)
        if db is not None:
            dy += db.reshape(1, -1, 1, 1)
        return self._shape_out(dy)


# -- the public functions (torch.nn.functional's signatures) -----------------------------


def _conv_pads(op, padding, kernel, dilation, stride, n):
    """Padding as ((lo, hi), …) per spatial axis from an int, a tuple, "valid" or
    "same" (PyTorch: the extra pad of an even kernel goes at the end)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            total = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in total)
        raise ValueError(f"{op}: invalid padding string {padding!r}, should be one of "
                         "{'valid', 'same'}")
    p = ntuple(padding, n, op, "padding")
    if any(v < 0 for v in p):
        raise RuntimeError(f"{op}: negative padding is not supported, got padding={p}")
    return tuple((v, v) for v in p)


def _geometry(op, weight, stride, padding, dilation, groups, n):
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got "
                           f"groups={groups!r}")
    if weight.ndim != n + 2:
        raise RuntimeError(f"{op}: expected a {n + 2}D weight, got weight of size "
                           f"{list(weight.shape)}")
    kernel = tuple(weight.shape[2:])
    stride = _positive(ntuple(stride, n, op, "stride"), op, "stride")
    dilation = _positive(ntuple(dilation, n, op, "dilation"), op, "dilation")
    pads = _conv_pads(op, padding, kernel, dilation, stride, n)
    if n == 1:
        kernel, stride, dilation, pads = ((1,) + kernel, (1,) + stride, (1,) + dilation,
                                          ((0, 0),) + pads)
    return Geometry(kernel, stride, dilation, pads, int(groups))


def _apply(fn, input, weight, bias, op):
    weight = lift(weight, input, op)
    if bias is None:
        return fn.apply(input, weight)
    return fn.apply(input, weight, lift(bias, input, op))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of input (N, C, H, W) by weight (O, C/groups, kh, kw), plus
    bias (O,): y[n, o] = b[o] + Σ_c w[o, c] ⋆ x[n, c] (see the module docstring).

    ``padding``: int, (ph, pw), "valid" (none) or "same" (output size = input size,
    stride 1). Output size per axis: ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1."""
    geo = _geometry("conv2d", weight, stride, padding, dilation, groups, 2)
    return _apply(Conv(geo, 2, "conv2d"), input, weight, bias, "conv2d")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of input (N, C, L) by weight (O, C/groups, k), plus bias (O,)."""
    geo = _geometry("conv1d", weight, stride, padding, dilation, groups, 1)
    return _apply(Conv(geo, 1, "conv1d"), input, weight, bias, "conv1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """Transposed convolution ("deconvolution"): the gradient of ``conv2d`` with
    respect to its input, applied to ``input`` (N, C_in, H, W); weight
    (C_in, C_out/groups, kh, kw). Output size: (H − 1)s − 2p + d(k − 1) + op + 1,
    where ``output_padding`` op < max(s, d) adds rows at the end."""
    op = "conv_transpose2d"
    if isinstance(padding, str):
        raise TypeError(f"{op}: padding must be an int or a tuple of ints, got {padding!r}")
    geo = _geometry(op, weight, stride, padding, dilation, groups, 2)
    opad = ntuple(output_padding, 2, op, "output_padding")
    for o, s, d in zip(opad, geo.stride, geo.dilation):
        if not 0 <= o < max(s, d):
            raise RuntimeError(f"{op}: output padding must be smaller than either stride "
                               f"or dilation, but got output_padding={opad}, "
                               f"stride={geo.stride}, dilation={geo.dilation}")
    return _apply(ConvTranspose(geo, 2, op, opad), input, weight, bias, op)


def same_padding(size, kernel, stride, dilation):
    """Keras's "same" padding for one axis: output ⌈size/stride⌉, the extra pad at the
    end, as (lo, hi)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def conv_padded(input, weight, bias, stride, pads, dilation, groups=1):
    """conv1d/conv2d with explicit per-side padding ((lo, hi) per spatial axis), for
    layers whose padding is asymmetric (Keras's "same" with strides, "causal")."""
    n = weight.ndim - 2
    op = f"conv{n}d"
    geo = _geometry(op, weight, stride, 0, dilation, groups, n)
    pads = tuple((int(lo), int(hi)) for lo, hi in pads)
    geo.pads = ((0, 0),) + pads if n == 1 else pads
    return _apply(Conv(geo, n, op), input, weight, bias, op)
