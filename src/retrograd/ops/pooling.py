"""Pooling: max and average over sliding windows, and adaptive average pooling (NCHW).

A k×k window with step s (and gap d between taps, for max pooling) slides over the
padded input; each output is the max or the mean of its window:

    max:  y[n, c, i, j] = max_{p, q} x[n, c, s·i + d·p, s·j + d·q]
          ∂ℓ/∂x = ∂ℓ/∂y routed to the (first) position of each window's max
    mean: y[n, c, i, j] = (1/|window|) Σ_{p, q} x[n, c, s·i + p, s·j + q]
          ∂ℓ/∂x = ∂ℓ/∂y / |window| spread back over the window

Both run as a loop over the k·k kernel taps, each a strided slice of the whole
batch (no loop over pixels). Max pooling pads with −∞, average pooling with 0;
``ceil_mode`` adds a last, partial window when the input does not divide evenly.
1-D pooling is the 2-D one on (N, C, 1, L).

Adaptive average pooling to (oh, ow) averages, for output i, the input rows
⌊iH/oh⌋ … ⌈(i+1)H/oh⌉ − 1: a linear map y = A_h · x · A_wᵀ, whose gradient is
the transposed map; output size 1 is global average pooling.

Adaptive max pooling takes the max over the same windows (they may overlap: the
gradient is scatter-added). Max pooling can return, with its values, each max's
flat index into its input plane (row·W + column, int64, as PyTorch's
``return_indices=True``); max unpooling writes values back at such indices into
zeros, its gradient reading ∂ℓ/∂y back at them:

    unpool:  y[n, c, idx[n, c, k]] = x[n, c, k]        ∂ℓ/∂x[n, c, k] = ∂ℓ/∂y[n, c, idx[n, c, k]]
"""
import numpy as np

from ..backend import array_module
from ..function import Function
from ..tensor import Tensor
from .conv import ntuple, tap


def _pool_out(n, k, s, p, d, ceil_mode):
    """PyTorch's output length: floor or ceil of (n + 2p − d(k − 1) − 1)/s + 1, a last
    window starting in the right padding dropped."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


class _Window:
    """One pooling's geometry over (H, W): kernel, stride, padding, dilation, ceil."""

    def __init__(self, op, kernel, stride, padding, dilation, ceil_mode, x_shape):
        self.op, self.kernel, self.stride = op, kernel, stride
        self.padding, self.dilation = padding, dilation
        h, w = x_shape[-2:]
        for k, p, d in zip(kernel, padding, dilation):
            if p > ((k - 1) * d + 1) // 2:
                raise RuntimeError(f"{op}: pad should be at most half of effective kernel "
                                   f"size, but got pad={padding} and kernel_size={kernel}")
        self.out = tuple(_pool_out(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                         zip((h, w), kernel, stride, padding, dilation))
        if min(self.out) < 1:
            raise RuntimeError(f"{op}: given input size {list(x_shape)}, kernel_size "
                               f"{kernel}, stride {stride}, padding {padding} and dilation "
                               f"{dilation}, the output size {self.out} is too small")
        # Right/bottom padding: enough for the last window (ceil_mode may need more).
        self.hi = tuple(max(p, (o - 1) * s + d * (k - 1) + 1 - n - p) for n, o, k, s, p, d in
                        zip((h, w), self.out, kernel, stride, padding, dilation))

    def padded(self, x, fill):
        (pt, pl), (pb, pr) = self.padding, self.hi
        if not (pt or pl or pb or pr):
            return x
        xp = array_module(x)
        n, c, h, w = x.shape
        out = xp.full((n, c, h + pt + pb, w + pl + pr), fill, dtype=x.dtype)
        out[:, :, pt:pt + h, pl:pl + w] = x
        return out

    def taps(self):
        """(tap index, slices) for each kernel tap."""
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = self.kernel, self.stride, self.dilation, self.out
        for p in range(kh):
            for q in range(kw):
                yield p * kw + q, (slice(None), slice(None), tap(p, dh, sh, ho),
                                   tap(q, dw, sw, wo))

    def unpad(self, g, h, w):
        pt, pl = self.padding
        return g[:, :, pt:pt + h, pl:pl + w]


def _as4d(op, x, spatial):
    want = spatial + 2
    if x.ndim not in (want - 1, want):
        raise RuntimeError(f"{op}: expected {want - 1}D or {want}D input (batch axis "
                           f"optional), but got input of size: {list(x.shape)}")
    if x.ndim == want - 1:
        x = x[None]
    return x[:, :, None] if spatial == 1 else x


class _Pool(Function):
    fresh_grads = True

    def __init__(self, op, spatial, kernel, stride, padding, dilation=(1, 1),
                 ceil_mode=False):
        self.op, self.spatial = op, spatial
        self.args = kernel, stride, padding, dilation, ceil_mode

    def _start(self, x):
        self.x_shape = x.shape
        x4 = _as4d(self.op, x, self.spatial)
        self.win = _Window(self.op, *self.args, x4.shape)
        return x4

    def _out(self, y):
        if self.spatial == 1:
            y = y[:, :, 0]
        return y[0] if len(self.x_shape) == self.spatial + 1 else y

    def _in(self, g):
        if len(self.x_shape) == self.spatial + 1:
            g = g[None]
        return g[:, :, None] if self.spatial == 1 else g


class MaxPool(_Pool):
    """y = max over each window, one elementwise maximum per kernel tap. Forward also
    keeps, per window, the tap of its first max (in row-major order; of its last NaN
    if it holds one), as PyTorch; backward routes ∂ℓ/∂y there. The tap is tracked on
    a contiguous copy of each tap's slice: the strided slices are the slow part (short
    rows), and this way each is read once in forward and written once in backward —
    finding the max again in backward (x == y per tap) read them twice more."""

    def forward(self, x):
        x4 = self._start(x)
        xp = array_module(x4)
        win = self.win
        lowest = -np.inf if x4.dtype.kind == "f" else np.iinfo(x4.dtype).min
        xpad = win.padded(x4, lowest)
        y = xs = better = None
        for t, sl in win.taps():
            if y is None:
                y = xpad[sl].copy()
                self.tap = xp.zeros(y.shape, dtype=np.min_scalar_type(
                    win.kernel[0] * win.kernel[1] - 1))
                xs, better = xp.empty_like(y), xp.empty(y.shape, dtype=bool)
                continue
            xs[...] = xpad[sl]
            xp.greater(xs, y, out=better)
            if xs.dtype.kind == "f":
                better |= xp.isnan(xs)
            # The last tap that beat the running max: taps come in increasing order.
            # (Arithmetic, not copyto(where=): masked writes with a mask this random
            # ran ~20× slower.)
            xp.maximum(self.tap, xp.multiply(better, t, dtype=self.tap.dtype), out=self.tap)
            xp.maximum(y, xs, out=y)
        self.x4, self.pad_shape = x4.shape, xpad.shape
        if xpad is not x4 and bool((y == lowest).any()):
            self._first_valid_tap(xp, y == lowest)
        return self._out(y)

    def _rows_cols(self, xp):
        """Where each window starts in the unpadded input: rows (Ho, 1), columns (Wo,)."""
        (sh, sw), (pt, pl), (ho, wo) = self.win.stride, self.win.padding, self.win.out
        return (xp.arange(ho) * sh - pt)[:, None], xp.arange(wo) * sw - pl

    def _first_valid_tap(self, xp, low):
        """A window whose max is the lowest value (−∞) may have kept a tap in the
        padding; PyTorch takes its first tap inside the input: fix those."""
        (_kh, kw), (dh, dw) = self.win.kernel, self.win.dilation
        rows, cols = self._rows_cols(xp)
        p0 = xp.maximum(-(rows // dh), 0)          # first tap row at or below row 0
        q0 = xp.maximum(-(cols // dw), 0)
        first = (p0 * kw + q0).astype(self.tap.dtype)
        self.tap = xp.where(low, first, self.tap)

    def indices(self):
        """Each max's flat index into its input plane (row·W + column), int64, in the
        shape of the output (PyTorch's ``return_indices=True``)."""
        xp = array_module(self.tap)
        (_kh, kw), (dh, dw) = self.win.kernel, self.win.dilation
        rows, cols = self._rows_cols(xp)
        t = self.tap.astype(np.int64)
        idx = (rows + (t // kw) * dh) * self.x4[3] + cols + (t % kw) * dw
        return self._out(idx)

    def backward(self, gy):
        g = self._in(gy)
        xp = array_module(g)
        win = self.win
        gpad = xp.zeros(self.pad_shape, dtype=g.dtype)
        # Windows that do not overlap each write their own cells: plain writes.
        disjoint = all(s >= d * (k - 1) + 1 for k, s, d in
                       zip(win.kernel, win.stride, win.dilation))
        # g times the 0/1 mask of each tap's windows (np.where with a mask this random
        # ran 5× slower), unless g holds inf/NaN, for which 0·g would not be 0.
        finite = bool(xp.isfinite(g).all())
        for t, sl in win.taps():
            hit = self.tap == t
            if disjoint and finite:
                xp.multiply(g, hit, out=gpad[sl])
            else:
                gpad[sl] += g * hit if finite else xp.where(hit, g, 0)
        _n, _c, h, w = self.x4
        return win.unpad(gpad, h, w).reshape(self.x_shape)

    def jvp(self, dx):
        """ẏ = ẋ at each window's first max."""
        xp = array_module(dx)
        dpad = self.win.padded(_as4d(self.op, dx, self.spatial), 0)
        dy = xp.zeros(self.tap.shape, dtype=dx.dtype)
        for t, sl in self.win.taps():
            dy += xp.where(self.tap == t, dpad[sl], 0)
        return self._out(dy)


class AvgPool(_Pool):
    """y = Σ window / divisor, the divisor being the window's size (count_include_pad:
    padding counted, the part beyond the right padding not) or its number of input
    cells, or ``divisor_override``."""

    def __init__(self, op, spatial, kernel, stride, padding, ceil_mode, count_include_pad,
                 divisor_override):
        super().__init__(op, spatial, kernel, stride, padding, (1, 1), ceil_mode)
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def _divisor(self, xp, dtype):
        """(Ho, Wo) array of each window's divisor, as PyTorch computes it."""
        if self.divisor_override:
            return xp.asarray(float(self.divisor_override), dtype=dtype)
        win = self.win
        sizes = []
        for n, o, k, s, p in zip(self.x4[2:], win.out, win.kernel, win.stride, win.padding):
            start = np.arange(o) * s - p
            end = np.minimum(start + k, n + p)
            if self.count_include_pad:
                sizes.append(end - start)
            else:
                sizes.append(np.minimum(end, n) - np.maximum(start, 0))
        d = np.outer(sizes[0], sizes[1]).astype(dtype)
        return xp.asarray(d)

    def forward(self, x):
        x4 = self._start(x)
        if x4.dtype.kind != "f":
            raise RuntimeError(f"{self.op}: expected a floating-point input, got {x4.dtype}")
        self.x4 = x4.shape
        self.div = self._divisor(array_module(x4), x4.dtype)
        y = self._sum(x4)       # a new array: divided in place
        y /= self.div
        return self._out(y)

    def _sum(self, x4):
        xpad = self.win.padded(x4, 0)
        y = None
        for _, sl in self.win.taps():
            y = xpad[sl].copy() if y is None else y.__iadd__(xpad[sl])
        return y

    def backward(self, gy):
        xp = array_module(gy)
        g = self._in(gy) / self.div
        n, c, h, w = self.x4
        (pt, pl), (pb, pr) = self.win.padding, self.win.hi
        gpad = xp.zeros((n, c, h + pt + pb, w + pl + pr), dtype=g.dtype)
        for _, sl in self.win.taps():
            gpad[sl] += g
        return self.win.unpad(gpad, h, w).reshape(self.x_shape)

    def jvp(self, dx):
        dy = self._sum(_as4d(self.op, dx, self.spatial))
        dy /= self.div
        return self._out(dy)


def _adaptive_matrix(n, o, dtype):
    """A (o, n) averaging matrix: row i averages inputs ⌊in/o⌋ … ⌈(i+1)n/o⌉ − 1."""
    a = np.zeros((o, n), dtype=dtype)
    for i, (lo, m) in enumerate(zip(*_adaptive_windows(n, o))):
        a[i, lo:lo + m] = 1.0 / m
    return a


class AdaptiveAvgPool(Function):
    """y = A_h · x · A_wᵀ over the last two axes; ∂ℓ/∂x = A_hᵀ · ∂ℓ/∂y · A_w."""

    fresh_grads = True

    def __init__(self, output_size):
        self.output_size = output_size

    def forward(self, x):
        xp = array_module(x)
        if x.dtype.kind != "f":
            raise RuntimeError(f"adaptive_avg_pool2d: expected a floating-point input, "
                               f"got {x.dtype}")
        h, w = x.shape[-2:]
        oh, ow = self.output_size
        self.ah = xp.asarray(_adaptive_matrix(h, oh, x.dtype))
        self.aw = xp.asarray(_adaptive_matrix(w, ow, x.dtype))
        return self._map(x, self.ah, self.aw)

    @staticmethod
    def _map(x, ah, aw):
        return ah @ x @ aw.T

    def backward(self, gy):
        return self._map(gy, self.ah.T, self.aw.T)

    def jvp(self, dx):
        return self._map(dx, self.ah, self.aw)


class MaxUnpool(Function):
    """y = zeros of the output plane with y[idx] = x, plane by plane (a scatter; of
    repeated indices the last write is kept, as PyTorch on CPU); ∂ℓ/∂x = ∂ℓ/∂y read
    at the indices (a gather); forward mode scatters ẋ the same way."""

    fresh_grads = True

    def __init__(self, op, indices, out_size):
        self.op, self.indices, self.out_size = op, indices, tuple(out_size)

    def forward(self, x):
        xp = array_module(x)
        idx, spatial = self.indices, len(self.out_size)
        if x.ndim not in (spatial + 1, spatial + 2):
            raise RuntimeError(f"{self.op}: expected a {spatial + 1}D or {spatial + 2}D "
                               f"input, but got input of size {list(x.shape)}")
        if idx.dtype != np.int64:
            raise RuntimeError(f"{self.op}: elements in indices should be type int64 but "
                               f"got: {idx.dtype}")
        if idx.shape != x.shape:
            raise RuntimeError(f"{self.op}: expected shape of indices to be same as that of "
                               f"the input tensor ({list(x.shape)}) but got indices tensor "
                               f"with shape: {list(idx.shape)}")
        self.x_shape = x.shape
        planes = int(np.prod(x.shape[:-spatial]))
        size = int(np.prod(self.out_size))
        flat = idx.reshape(planes, int(np.prod(x.shape[-spatial:])))   # planes may be 0
        self.y_shape = x.shape[:-spatial] + self.out_size
        if size == 0:      # an empty output: nothing written, no index read (PyTorch)
            self.flat = None
            return xp.zeros(self.y_shape, dtype=x.dtype)
        if flat.size and (bool((flat < 0).any()) or bool((flat >= size).any())):
            bad = int(flat[(flat < 0) | (flat >= size)][0])
            raise RuntimeError(f"{self.op}: found an invalid max index: {bad} (output "
                               f"volumes are of size {'x'.join(map(str, self.out_size))})")
        # One flat index per value into the whole output: plane·size + index.
        self.flat = (flat + xp.arange(planes)[:, None] * size).reshape(-1)
        return self._scatter(x)

    def _scatter(self, x):
        y = array_module(x).zeros(int(np.prod(self.y_shape)), dtype=x.dtype)
        if self.flat is not None:
            y[self.flat] = x.reshape(-1)
        return y.reshape(self.y_shape)

    def backward(self, gy):
        if self.flat is None:
            return array_module(gy).zeros(self.x_shape, dtype=gy.dtype)
        return gy.reshape(-1)[self.flat].reshape(self.x_shape)

    def jvp(self, dx):
        return self._scatter(dx)


def _adaptive_windows(n, o):
    """Starts ⌊i·n/o⌋ and lengths ⌈(i+1)·n/o⌉ − start of the o windows over n."""
    i = np.arange(o)
    start = (i * n) // o
    return start, -(-((i + 1) * n) // o) - start


class AdaptiveMaxPool(Function):
    """y = max over each adaptive window (rows ⌊iH/oh⌋ … ⌈(i+1)H/oh⌉ − 1, the same for
    columns); ∂ℓ/∂x = ∂ℓ/∂y added at each window's first max (row-major; its last NaN
    if it holds one), as PyTorch. One gather per tap of the largest window: a
    shorter window repeats its last row or column, which never beats itself."""

    fresh_grads = True

    def __init__(self, op, output_size):
        self.op, self.output_size = op, output_size

    def forward(self, x):
        xp = array_module(x)
        if x.dtype.kind != "f":
            raise RuntimeError(f"{self.op}: expected a floating-point input, got {x.dtype}")
        h, w = x.shape[-2:]
        (oh, ow), self.x_shape = self.output_size, x.shape
        x3 = x.reshape(-1, h, w)
        # Windows that tile the plane do not overlap: backward writes, not adds.
        self.tiled = bool(oh and ow and h % oh == 0 and w % ow == 0)
        if self.tiled and not bool(xp.isnan(x).any()):
            y, idx = self._tiles(x3, oh, ow)
        else:
            y, idx = self._windows(x3, oh, ow)
        self.idx = idx.astype(np.int64).reshape(x.shape[:-2] + (oh, ow))
        self.flat = (idx.reshape(len(x3), oh * ow) +
                     xp.arange(len(x3))[:, None] * (h * w)).reshape(-1)
        return y.reshape(self.idx.shape)

    @staticmethod
    def _tiles(x3, oh, ow):
        """Windows that tile the plane (H, W multiples of oh, ow; no NaN, whose index
        argmax would take first where PyTorch takes the last): one argmax over each
        tile's values (global max pooling is one tile)."""
        xp = array_module(x3)
        m, h, w = x3.shape
        kh, kw = h // oh, w // ow
        tiles = x3.reshape(m, oh, kh, ow, kw).transpose(0, 1, 3, 2, 4).reshape(
            m, oh, ow, kh * kw)                    # (not -1: m may be 0)
        t = tiles.argmax(axis=-1)                    # the first max, row-major in its tile
        rows = (xp.arange(oh) * kh)[:, None] + t // kw
        return tiles.max(axis=-1), rows * w + xp.arange(ow) * kw + t % kw

    @staticmethod
    def _windows(x3, oh, ow):
        xp = array_module(x3)
        h, w = x3.shape[1:]
        (rs, rl), (cs, cl) = _adaptive_windows(h, oh), _adaptive_windows(w, ow)
        y = idx = None
        for p in range(int(rl.max(initial=1))):
            rows = rs + np.minimum(p, rl - 1)
            rows_x = xp.asarray(rows)[:, None]         # once per row tap, not per (p, q)
            for q in range(int(cl.max(initial=1))):
                cols = cs + np.minimum(q, cl - 1)
                pos = xp.asarray(rows[:, None] * w + cols[None, :])
                v = x3[:, rows_x, xp.asarray(cols)[None, :]]
                if y is None:
                    y, idx = v, xp.broadcast_to(pos, v.shape)
                    continue
                better = (v > y) | xp.isnan(v)
                y, idx = xp.where(better, v, y), xp.where(better, pos, idx)
        return y, idx

    def backward(self, gy):
        xp = array_module(gy)
        gx = xp.zeros(int(np.prod(self.x_shape)), dtype=gy.dtype)
        if self.tiled:
            gx[self.flat] = gy.reshape(-1)
        else:
            xp.add.at(gx, self.flat, gy.reshape(-1))     # overlapping windows
        return gx.reshape(self.x_shape)

    def jvp(self, dx):
        return dx.reshape(-1)[self.flat].reshape(self.idx.shape)


# -- the public functions ----------------------------------------------------------------


def _pool_args(op, n, kernel_size, stride, padding, dilation=1):
    kernel = ntuple(kernel_size, n, op, "kernel_size")
    stride = kernel if stride is None or stride == () or stride == [] else \
        ntuple(stride, n, op, "stride")
    padding = ntuple(padding, n, op, "padding")
    dilation = ntuple(dilation, n, op, "dilation")
    for name, v in (("kernel_size", kernel), ("stride", stride), ("dilation", dilation)):
        if any(e < 1 for e in v):
            raise RuntimeError(f"{op}: {name} must be greater than zero, got {name}={v}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"{op}: padding must be non-negative, got padding={padding}")
    if n == 1:
        return (1,) + kernel, (1,) + stride, (0,) + padding, (1,) + dilation
    return kernel, stride, padding, dilation


def _max_pool(op, n, input, kernel_size, stride, padding, dilation, ceil_mode,
              return_indices):
    k, s, p, d = _pool_args(op, n, kernel_size, stride, padding, dilation)
    fn = MaxPool(op, n, k, s, p, d, bool(ceil_mode))
    y = fn.apply(input)
    # The indices are read from the op's saved taps: integers, outside the graph.
    return (y, Tensor._wrap(fn.indices())) if return_indices else y


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over each kernel_size window of (N, C, H, W), stepping by stride (default:
    kernel_size, non-overlapping windows). ``return_indices=True`` also returns each
    max's flat index into its (H, W) plane, int64 (for ``max_unpool2d``)."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over each window of (N, C, L); ``return_indices=True`` also returns each
    max's index along L, int64."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation,
                     ceil_mode, return_indices)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over each kernel_size window of (N, C, H, W); ``count_include_pad``
    counts the zero padding in the divisor."""
    k, s, p, _ = _pool_args("avg_pool2d", 2, kernel_size, stride, padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("avg_pool2d: divisor must be not zero")
    return AvgPool("avg_pool2d", 2, k, s, p, bool(ceil_mode), bool(count_include_pad),
                   divisor_override).apply(input)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over each window of (N, C, L)."""
    k, s, p, _ = _pool_args("avg_pool1d", 1, kernel_size, stride, padding)
    return AvgPool("avg_pool1d", 1, k, s, p, bool(ceil_mode), bool(count_include_pad),
                   None).apply(input)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling of (N, C, H, W) or (C, H, W) to a fixed (oh, ow) whatever H, W
    (``None`` keeps that axis' size); output_size 1 is global average pooling."""
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d: expected 3D or 4D input, but got input "
                           f"of size: {list(input.shape)}")
    size = (output_size, output_size) if output_size is None or isinstance(
        output_size, (int, np.integer)) else tuple(output_size)
    if len(size) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got "
                         f"{output_size!r}")
    size = tuple(n if o is None else int(o) for o, n in zip(size, input.shape[-2:]))
    if min(size) < 1 or min(input.shape[-2:]) < 1:
        raise RuntimeError(f"adaptive_avg_pool2d: output_size {size} and input size "
                           f"{list(input.shape)} must be positive")
    return AdaptiveAvgPool(size).apply(input)


def adaptive_avg_pool1d(input, output_size):
    """Average pooling of (N, C, L) to a fixed length."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d: expected 2D or 3D input, but got input "
                           f"of size: {list(input.shape)}")
    o = int(output_size if isinstance(output_size, (int, np.integer)) else output_size[0])
    return AdaptiveAvgPool((1, o)).apply(input.unsqueeze(-2)).squeeze(-2)


def _adaptive_size(op, input, output_size, n):
    """output_size as n ints (``None`` keeps the input's size on that axis)."""
    def is_size(v):
        return v is None or isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    one = is_size(output_size)
    if not one and not (isinstance(output_size, (tuple, list)) and
                        all(map(is_size, output_size))):
        raise TypeError(f"{op}: output_size must be an int, None or a tuple of them, got "
                        f"{output_size!r}")
    size = (output_size,) * n if one else tuple(output_size)
    if input.ndim not in (n + 1, n + 2):
        # PyTorch: a ValueError when a sequence output_size has as many entries as
        # the input has axes or more, a RuntimeError otherwise.
        kind = ValueError if not one and input.ndim <= len(size) else RuntimeError
        raise kind(f"{op}: expected a {n + 1}D or {n + 2}D input (batch axis optional), "
                   f"but got input of size: {list(input.shape)}")
    if len(size) != n:
        raise RuntimeError(f"{op}: output_size should contain {n} int{'s' if n > 1 else ''}"
                           f" (got {len(size)}: {output_size!r})")
    size = tuple(m if o is None else int(o) for o, m in zip(size, input.shape[-n:]))
    if min(size) < 0:
        raise RuntimeError(f"{op}: output_size must be non-negative, got {size}")
    if 0 in input.shape[1:]:          # PyTorch: only axis 0 may be empty
        raise RuntimeError(f"{op}: expected input to have non-zero size for non-batch "
                           f"dimensions, but input has sizes {list(input.shape)}")
    return size


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling of (N, C, H, W) or (C, H, W) to a fixed (oh, ow) whatever H, W:
    window i covers rows ⌊iH/oh⌋ … ⌈(i+1)H/oh⌉ − 1 (``None`` keeps that axis' size).
    ``return_indices=True`` also returns each max's flat index into its plane."""
    size = _adaptive_size("adaptive_max_pool2d", input, output_size, 2)
    fn = AdaptiveMaxPool("adaptive_max_pool2d", size)
    y = fn.apply(input)
    return (y, Tensor._wrap(fn.idx)) if return_indices else y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling of (N, C, L) or (C, L) to a fixed length."""
    (o,) = _adaptive_size("adaptive_max_pool1d", input, output_size, 1)
    fn = AdaptiveMaxPool("adaptive_max_pool1d", (1, o))
    y = fn.apply(input.unsqueeze(-2)).squeeze(-2)
    return (y, Tensor._wrap(fn.idx[..., 0, :])) if return_indices else y


def _unpool(op, n, input, indices, kernel_size, stride, padding, output_size):
    """PyTorch's output size of max unpooling: (L − 1)·s − 2p + k per axis unless
    ``output_size`` (n sizes, or n + 2 with batch and channels) says otherwise, within
    one stride of it."""
    k = ntuple(kernel_size, n, op, "kernel_size")
    s = k if stride is None else ntuple(stride, n, op, "stride")
    p = ntuple(padding, n, op, "padding")
    default = [(m - 1) * si + ki - 2 * pi for m, ki, si, pi in
               zip(input.shape[-n:], k, s, p)]
    size = default
    if output_size is not None:
        size = [int(v) for v in output_size]
        if len(size) == n + 2:
            size = size[2:]
        if len(size) != n:
            raise ValueError(f"{op}: output_size should be a sequence containing {n} or "
                             f"{n + 2} elements, but it has a length of '{len(size)}'")
        for dim, (want, d, si) in enumerate(zip(size, default, s)):
            if not d - si < want < d + si:
                raise ValueError(f'{op}: invalid output_size "{tuple(output_size)}" (dim '
                                 f"{dim} must be between {d - si} and {d + si})")
    for dim, v in enumerate(size):
        if v < 0:
            raise ValueError(f"{op}: output_size must contain non-negative spatial "
                             f"dimensions, but got output_size[{dim}]={v}")
    idx = indices.array if isinstance(indices, Tensor) else indices
    idx = array_module(input.array).asarray(idx)
    return MaxUnpool(op, idx, size).apply(input)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: each value of input (N, C, h, w) written
    at its index (from ``max_pool2d(..., return_indices=True)``) into a zero plane of
    (h − 1)·s − 2p + k rows (columns alike), or ``output_size``."""
    return _unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding,
                   output_size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d`` on (N, C, L)."""
    return _unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding,
                   output_size)
