"""Other ways to compute a convolution with NumPy, timed against retrograd's im2col
(issue 16, "Speed": "profile before choosing the method").

    python benchmarks/conv_designs.py [--threads 1,2] [--reps 7] [--stat median|min]
                                      [--layers mnist,keras,lenet5] [--quick]

Three stride-1, unpadded ("valid") layers, float32, as the course's networks have them:

* ``mnist``: pytorch/examples' MNIST net, 2nd conv — x (64, 32, 26, 26), w (64, 32, 3, 3);
* ``keras``: Keras's MNIST convnet, 2nd conv — x (128, 32, 13, 13), w (64, 32, 3, 3);
* ``lenet5``: LeNet-5, 2nd conv — x (64, 6, 14, 14), w (16, 6, 5, 5).

Methods (all NumPy, no compiled code but NumPy's own and its BLAS):

1. ``im2col``: retrograd's op, ``conv_forward`` / ``conv_backward`` of
   ``retrograd.ops.conv`` (columns by strided copies, one GEMM per block of samples).
2. ``winograd``: F(2×2, 3×3) (Lavin & Gray 2016). Each 2×2 output tile is computed
   from the 4×4 input tile d around it as Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A; summed over
   the input channels, the ⊙ becomes 16 GEMMs (O × C)·(C × tiles), one per position
   of the 4×4 tile, for 4 multiplications per output pixel and channel instead of 9.
   Stages timed apart: the input transform Bᵀ d B (strided slices of the padded
   input, tiles 2 apart: additions only), the kernel transform G g Gᵀ, the GEMMs and
   the output transform Aᵀ m A; by blocks of samples whose m holds ≤ 4 MB (as
   retrograd's columns: the forward ran 1.3–1.5× faster than with the whole batch at
   once, ∂ℓ/∂x 1.0–1.1×, on this 2-core VM under load, 1 thread). ∂ℓ/∂x is the same algorithm on ∂ℓ/∂y padded by 2
   with the kernel flipped and its two channel axes swapped (a "full" correlation).
   Only for 3×3 kernels: not for LeNet-5's 5×5 (F(2×2, 5×5) would need 6×6 tiles).
   ∂ℓ/∂W is not computed this way (its row shows im2col's).
3. ``tensordot`` / ``einsum``: the windows as a (N, C, Ho, Wo, kh, kw) ``as_strided``
   view of x (``sliding_window_view``), contracted with w by ``np.tensordot`` or by
   ``np.einsum(..., optimize=True)``; NumPy copies the view into a matrix itself.
   Backward: ∂ℓ/∂W contracts the windows of x with ∂ℓ/∂y, ∂ℓ/∂x the windows of the
   padded ∂ℓ/∂y with the flipped kernel.
4. ``nhwc``: im2col from a channels-last copy of x: each tap's slice is (N, Ho, Wo, C),
   contiguous runs of C; one GEMM (N·Ho·Wo × kh·kw·C)·(kh·kw·C × O) per block of
   samples (retrograd's ``BLOCK_BYTES``), the output (N, Ho, Wo, O). Timed with the
   layout conversions NCHW → NHWC → NCHW at its ends (``nhwc+conv``) and without
   (``nhwc``: what a network kept channels-last throughout would pay per layer).
5. ``torch``: PyTorch's ``conv2d`` (oneDNN) on the same arrays, forward under
   ``no_grad``; ∂x, ∂W and both by ``aten.convolution_backward``; and forward +
   backward through autograd (column ``fwd+bwd``).

Each number is the median of ``--reps`` runs (≥ 7) after one warm-up, in ms (the
least with ``--stat min``: steadier on a loaded machine); the functions run in turn,
one run of each per round, so that a change of the machine's load hits every method
alike. Below the table, the stages: Winograd's four; for the GEMM-based methods the
building of the matrix the GEMM reads and the GEMM alone (forward), the columns and
the col2im (backward). One process per thread count: NumPy's BLAS reads its thread
count when it is loaded, so the script runs itself again in a child with
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set (``torch.set_num_threads`` likewise).
Every child calls
``retrograd.backend.tune_malloc()`` first (as ``benchmarks/cnn.py``). Each method's
results are checked against ``conv_forward`` / ``conv_backward`` on the same float32
arrays (column ``err``: max |difference| / max |reference|, over the outputs the method
computes). The machine's load average is printed at the start and the end: on a
shared machine, compare only rows of the same run; when the load plus the threads exceeds the
CPUs (the load taken before the script runs), BLAS threads wait for each other's
time slices and the rows of that thread count mean little (the script says so). ``--quick`` runs tiny shapes once
(a smoke test, < 5 s).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (run.child_env: the BLAS thread variables of a child)

LAYERS = {   # name: (x shape, w shape, what it is)
    "mnist": ((64, 32, 26, 26), (64, 32, 3, 3), "MNIST net conv2"),
    "keras": ((128, 32, 13, 13), (64, 32, 3, 3), "Keras convnet conv2"),
    "lenet5": ((64, 6, 14, 14), (16, 6, 5, 5), "LeNet-5 conv2"),
}
QUICK_LAYERS = {
    "mnist": ((2, 3, 8, 8), (4, 3, 3, 3), "tiny 3x3, even output"),
    "keras": ((2, 3, 7, 7), (4, 3, 3, 3), "tiny 3x3, odd output"),
    "lenet5": ((2, 2, 9, 9), (3, 2, 5, 5), "tiny 5x5"),
}


def geometry(w_shape):
    """retrograd's Geometry of a stride-1, unpadded convolution by this kernel."""
    from retrograd.ops.conv import Geometry
    return Geometry(tuple(w_shape[2:]), (1, 1), (1, 1), ((0, 0), (0, 0)), 1)


# -- 2. Winograd F(2×2, 3×3) ------------------------------------------------------------

# Lavin & Gray's matrices for 2 outputs of a 3-tap filter from 4 inputs:
# y = Aᵀ [(G g) ⊙ (Bᵀ d)].
BT = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]])
G = np.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]])
AT = np.array([[1, 1, 1, 0], [0, 1, -1, -1]])
WINOGRAD_BLOCK = 4 * 2**20


def _bt_combine(d, out):
    """out[k] = Σ_s Bᵀ[k, s] d[s] for the 4 rows of Bᵀ (each row has two ±1 entries:
    one subtraction or addition per output, written in place)."""
    np.subtract(d[0], d[2], out=out[0])
    np.add(d[1], d[2], out=out[1])
    np.subtract(d[2], d[1], out=out[2])
    np.subtract(d[1], d[3], out=out[3])


def winograd_kernel(w):
    """U = G g Gᵀ for each (o, c): (O, C, 3, 3) → (16, O, C), the 4×4 position first."""
    o, c = w.shape[:2]
    g = G.astype(w.dtype)
    u = np.einsum("ip,ocpq,jq->ijoc", g, w, g, optimize=True)
    return np.ascontiguousarray(u).reshape(16, o, c)


def winograd_input(x, pad, th, tw):
    """V = Bᵀ d B for every 4×4 tile d of x padded by ``pad`` (then up to 2·th + 2 rows,
    2·tw + 2 columns), tiles 2 apart: (N, C, H, W) → (16, C, N·th·tw).

    Rows first: Bᵀ combines the 4 row-slices x[r::2] (r = 0..3) of every tile at once;
    then B the 4 column-slices of each result. No loop over tiles: 4 + 16 array ops."""
    n, c, h, w = x.shape
    hp, wp = 2 * th + 2, 2 * tw + 2
    if pad == 0 and (hp, wp) == (h, w):
        xpad = x
    else:
        xpad = np.zeros((n, c, hp, wp), dtype=x.dtype)
        xpad[:, :, pad:pad + h, pad:pad + w] = x
    planes = xpad.transpose(1, 0, 2, 3)                        # (C, N, Hp, Wp), a view
    rows = np.empty((4, c, n, th, wp), dtype=x.dtype)
    _bt_combine([planes[:, :, r:r + 2 * th:2] for r in range(4)], rows)
    v = np.empty((4, 4, c, n, th, tw), dtype=x.dtype)
    for a in range(4):
        _bt_combine([rows[a][..., s:s + 2 * tw:2] for s in range(4)], v[a])
    return v.reshape(16, c, n * th * tw)


def winograd_gemms(u, v):
    """M[k] = U[k] · V[k], 16 GEMMs (O × C)·(C × tiles), one 2-D matmul each (NumPy's
    stacked matmul is slower than its 2-D one, ops/conv.py)."""
    m = np.empty((16, u.shape[1], v.shape[2]), dtype=v.dtype)
    for k in range(16):
        np.matmul(u[k], v[k], out=m[k])
    return m


def winograd_output(m, y, th, tw):
    """y = Aᵀ m A for every tile: (16, O, N·th·tw) → y (N, O, Ho, Wo); each of the 4
    outputs of a tile is written to its strided place in y (the last row or column of
    tiles is cut when Ho or Wo is odd)."""
    n, o = y.shape[:2]
    m = m.reshape(4, 4, o, n, th, tw)
    # Aᵀ over the rows: s0 = m0 + m1 + m2, s1 = m1 − m2 − m3 (all 4 columns at once).
    s = np.empty((2, 4, o, n, th, tw), dtype=m.dtype)
    np.add(m[0], m[1], out=s[0])
    s[0] += m[2]
    np.subtract(m[1], m[2], out=s[1])
    s[1] -= m[3]
    yt = y.transpose(1, 0, 2, 3)                               # (O, N, Ho, Wo), a view
    for i in range(2):
        for j in range(2):
            dst = yt[:, :, i::2, j::2]
            r, c = dst.shape[2:]
            t = s[i][..., :r, :c]
            # A over the columns: y_i0 = t0 + t1 + t2, y_i1 = t1 − t2 − t3.
            if j == 0:
                np.add(t[0], t[1], out=dst)
                dst += t[2]
            else:
                np.subtract(t[1], t[2], out=dst)
                dst -= t[3]
    return y


def winograd(x, w, pad=0, clock=None, block_bytes=WINOGRAD_BLOCK):
    """Stride-1 convolution of x (N, C, H, W) by a 3×3 kernel w (O, C, 3, 3), zero
    padding ``pad``, by F(2×2, 3×3), in blocks of samples whose products m hold at
    most ``block_bytes`` (as ops/conv.py's columns: the arrays of the transforms stay
    in cache; None: the whole batch at once). ``clock`` (a dict) gets each stage's
    seconds."""
    if w.shape[2:] != (3, 3):
        raise ValueError(f"winograd: F(2x2, 3x3) needs a 3x3 kernel, got weight of size "
                         f"{list(w.shape)}")
    n, _, h, wd = x.shape
    o = w.shape[0]
    ho, wo = h + 2 * pad - 2, wd + 2 * pad - 2
    th, tw = -(-ho // 2), -(-wo // 2)
    clock = {} if clock is None else clock
    for k in ("input", "kernel", "gemm", "output"):
        clock.setdefault(k, 0.0)
    t0 = time.perf_counter()
    u = winograd_kernel(w)
    clock["kernel"] += time.perf_counter() - t0
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    per_sample = 16 * o * th * tw * x.itemsize
    step = n if block_bytes is None else max(1, block_bytes // per_sample)
    for i in range(0, n, step):
        b = slice(i, min(i + step, n))
        t0 = time.perf_counter()
        v = winograd_input(x[b], pad, th, tw)
        t1 = time.perf_counter()
        m = winograd_gemms(u, v)
        t2 = time.perf_counter()
        winograd_output(m, y[b], th, tw)
        t3 = time.perf_counter()
        clock["input"] += t1 - t0
        clock["gemm"] += t2 - t1
        clock["output"] += t3 - t2
    return y


def winograd_grad_input(gy, w, clock=None, block_bytes=WINOGRAD_BLOCK):
    """∂ℓ/∂x of a valid 3×3 convolution: ∂ℓ/∂y padded by 2, correlated with the kernel
    flipped in space and transposed in channels, w'[c, o, p, q] = w[o, c, 2 − p, 2 − q]."""
    return winograd(gy, np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)),
                    pad=2, clock=clock, block_bytes=block_bytes)


# -- 3. as_strided windows + tensordot / einsum ----------------------------------------


def windows(x, kh, kw):
    """The (N, C, Ho, Wo, kh, kw) view of x's windows (as_strided, no copy)."""
    return sliding_window_view(x, (kh, kw), axis=(2, 3))


def tensordot_forward(x, w):
    """y[n, o, i, j] = Σ_{c,p,q} x[n, c, i + p, j + q] w[o, c, p, q]."""
    y = np.tensordot(windows(x, *w.shape[2:]), w, axes=([1, 4, 5], [1, 2, 3]))
    return np.ascontiguousarray(y.transpose(0, 3, 1, 2))        # (N, Ho, Wo, O) → NCHW


def einsum_forward(x, w):
    y = np.einsum("nchwpq,ocpq->nohw", windows(x, *w.shape[2:]), w, optimize=True)
    return np.ascontiguousarray(y)


def _full_pad(gy, kh, kw):
    n, o, ho, wo = gy.shape
    g = np.zeros((n, o, ho + 2 * (kh - 1), wo + 2 * (kw - 1)), dtype=gy.dtype)
    g[:, :, kh - 1:kh - 1 + ho, kw - 1:kw - 1 + wo] = gy
    return g


def tensordot_backward(x, gy, w):
    """∂ℓ/∂W[o, c, p, q] = Σ_{n,i,j} ∂ℓ/∂y[n, o, i, j] x[n, c, i + p, j + q];
    ∂ℓ/∂x[n, c, i, j] = Σ_{o,p,q} ∂ℓ/∂y₀[n, o, i + p, j + q] w[o, c, kh−1−p, kw−1−q]
    (∂ℓ/∂y₀: ∂ℓ/∂y padded by k − 1)."""
    kh, kw = w.shape[2:]
    gw = np.tensordot(gy, windows(x, kh, kw), axes=([0, 2, 3], [0, 2, 3]))
    gx = np.tensordot(windows(_full_pad(gy, kh, kw), kh, kw), w[:, :, ::-1, ::-1],
                      axes=([1, 4, 5], [0, 2, 3]))
    return np.ascontiguousarray(gx.transpose(0, 3, 1, 2)), gw


def einsum_backward(x, gy, w):
    kh, kw = w.shape[2:]
    gw = np.einsum("nohw,nchwpq->ocpq", gy, windows(x, kh, kw), optimize=True)
    gx = np.einsum("nohwpq,ocpq->nchw", windows(_full_pad(gy, kh, kw), kh, kw),
                   w[:, :, ::-1, ::-1], optimize=True)
    return np.ascontiguousarray(gx), np.ascontiguousarray(gw)


# -- 4. channels last (NHWC) im2col ------------------------------------------------------


def to_nhwc(a):
    return np.ascontiguousarray(a.transpose(0, 2, 3, 1))


def to_nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def _nhwc_blocks(n, per_sample):
    from retrograd.ops.conv import BLOCK_BYTES
    step = max(1, BLOCK_BYTES // max(per_sample, 1))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _nhwc_columns(xh, kh, kw, ho, wo):
    """(Nb, H, W, C) → (Nb·Ho·Wo, kh·kw·C): each tap's slice is copied as runs of C."""
    n, _, _, c = xh.shape
    cols = np.empty((n, ho, wo, kh, kw, c), dtype=xh.dtype)
    for p in range(kh):
        for q in range(kw):
            cols[:, :, :, p, q] = xh[:, p:p + ho, q:q + wo]
    return cols.reshape(n * ho * wo, kh * kw * c)


def nhwc_forward(xh, w):
    """y (N, Ho, Wo, O) of xh (N, H, W, C) by w (O, C, kh, kw): Y = cols · Wᵀ per block."""
    n, h, wd, c = xh.shape
    o, _, kh, kw = w.shape
    ho, wo = h - kh + 1, wd - kw + 1
    wk = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(-1, o)   # (kh·kw·C, O)
    y = np.empty((n, ho, wo, o), dtype=xh.dtype)
    for b in _nhwc_blocks(n, kh * kw * c * ho * wo * xh.itemsize):
        np.matmul(_nhwc_columns(xh[b], kh, kw, ho, wo), wk, out=y[b].reshape(-1, o))
    return y


def nhwc_backward(xh, gyh, w, clock=None):
    """(∂ℓ/∂x NHWC, ∂ℓ/∂W (O, C, kh, kw)): ∂ℓ/∂W = colsᵀ · ∂ℓ/∂Y, ∂ℓ/∂x = col2im(∂ℓ/∂Y · W).
    ``clock`` (a dict) gets the seconds of the columns, the GEMMs and the col2im."""
    clock = {} if clock is None else clock
    for k in ("columns", "gemm", "col2im"):
        clock.setdefault(k, 0.0)
    n, h, wd, c = xh.shape
    o, _, kh, kw = w.shape
    ho, wo = h - kh + 1, wd - kw + 1
    wk = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(-1, o)
    gx = np.zeros_like(xh)
    gw = np.zeros((kh * kw * c, o), dtype=xh.dtype)
    for b in _nhwc_blocks(n, kh * kw * c * ho * wo * xh.itemsize):
        gyb = gyh[b].reshape(-1, o)
        t0 = time.perf_counter()
        cols = _nhwc_columns(xh[b], kh, kw, ho, wo)
        t1 = time.perf_counter()
        gw += cols.T @ gyb
        gcols = (gyb @ wk.T).reshape(-1, ho, wo, kh, kw, c)
        t2 = time.perf_counter()
        gxb = gx[b]
        for p in range(kh):
            for q in range(kw):
                gxb[:, p:p + ho, q:q + wo] += gcols[:, :, :, p, q]
        t3 = time.perf_counter()
        clock["columns"] += t1 - t0
        clock["gemm"] += t2 - t1
        clock["col2im"] += t3 - t2
    return gx, np.ascontiguousarray(gw.reshape(kh, kw, c, o).transpose(3, 2, 0, 1))


def nhwc_conv_forward(x, w):
    """nhwc_forward with its layout conversions, NCHW in and out."""
    return to_nchw(nhwc_forward(to_nhwc(x), w))


def nhwc_conv_backward(x, gy, w):
    gx, gw = nhwc_backward(to_nhwc(x), to_nhwc(gy), w)
    return to_nchw(gx), gw


# -- timing ---------------------------------------------------------------------------------


def interleaved_ms(fns, reps, stat="median"):
    """Median (or least, ``stat="min"``) times in ms of the functions ``fns`` ({key:
    f(clock)}), each warmed up once, then run in ``reps`` rounds, every function once
    per round in turn: a change of the machine's load hits all of them alike. Returns
    {key: {"total": ms, stage: ms for each stage f wrote in its clock}} (the stages'
    medians need not add up to the total's)."""
    reduce = np.median if stat == "median" else np.min
    for f in fns.values():
        f({})
    runs = {k: [] for k in fns}
    for _ in range(reps):
        for k, f in fns.items():
            clock = {}
            t0 = time.perf_counter()
            f(clock)
            clock["total"] = time.perf_counter() - t0
            runs[k].append(clock)
    return {k: {s: float(reduce([c[s] for c in r])) * 1e3 for s in r[0]}
            for k, r in runs.items()}


def rel_err(got, ref):
    return float(np.max(np.abs(got - ref)) / max(np.max(np.abs(ref)), 1e-30))


def measure_layer(name, x_shape, w_shape, reps, threads, stat="median"):
    """Rows {method, layer, threads, fwd, dx, dw, bwd, fwd+bwd, err, stages} for one
    layer (ms; None where the method does not compute it)."""
    from retrograd.ops.conv import conv_backward, conv_forward
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    geo = geometry(w_shape)
    y_ref = conv_forward(x, w, geo)
    gy = rng.standard_normal(y_ref.shape).astype(np.float32)
    gx_ref, gw_ref = conv_backward(x, gy, w, geo)
    xh, gyh = to_nhwc(x), to_nhwc(gy)
    yh = nhwc_forward(xh, w)
    fns, errors = {}, {}

    def plain(f):
        return lambda clock: f()

    # 1. retrograd's im2col
    fns["im2col", "fwd"] = plain(lambda: conv_forward(x, w, geo))
    fns["im2col", "dx"] = plain(lambda: conv_backward(x, gy, w, geo, need_w=False))
    fns["im2col", "dw"] = plain(lambda: conv_backward(x, gy, w, geo, need_x=False))
    fns["im2col", "bwd"] = plain(lambda: conv_backward(x, gy, w, geo))
    errors["im2col"] = 0.0
    # 2. Winograd F(2×2, 3×3), forward and ∂ℓ/∂x
    if w_shape[2:] == (3, 3):
        fns["winograd", "fwd"] = lambda clock: winograd(x, w, clock=clock)
        fns["winograd", "dx"] = lambda clock: winograd_grad_input(gy, w, clock=clock)
        errors["winograd"] = max(rel_err(winograd(x, w), y_ref),
                                 rel_err(winograd_grad_input(gy, w), gx_ref))
    # 3. as_strided windows + tensordot / einsum
    for key, fwd, back in (("tensordot", tensordot_forward, tensordot_backward),
                           ("einsum", einsum_forward, einsum_backward)):
        fns[key, "fwd"] = plain(lambda fwd=fwd: fwd(x, w))
        fns[key, "bwd"] = plain(lambda back=back: back(x, gy, w))
        gx, gw = back(x, gy, w)
        errors[key] = max(rel_err(fwd(x, w), y_ref), rel_err(gx, gx_ref),
                          rel_err(gw, gw_ref))
    # 4. channels last, without then with the layout conversions
    fns["nhwc", "fwd"] = plain(lambda: nhwc_forward(xh, w))
    fns["nhwc", "bwd"] = lambda clock: nhwc_backward(xh, gyh, w, clock)
    fns["nhwc+conv", "fwd"] = plain(lambda: nhwc_conv_forward(x, w))
    fns["nhwc+conv", "bwd"] = plain(lambda: nhwc_conv_backward(x, gy, w))
    fns["layout", "x to NHWC"] = plain(lambda: to_nhwc(x))
    fns["layout", "y to NCHW"] = plain(lambda: to_nchw(yh))
    gx, gw = nhwc_conv_backward(x, gy, w)
    errors["nhwc"] = errors["nhwc+conv"] = max(
        rel_err(nhwc_conv_forward(x, w), y_ref), rel_err(gx, gx_ref), rel_err(gw, gw_ref))
    # 5. PyTorch (oneDNN): forward without autograd, each gradient by aten's
    # convolution_backward, and one autograd step (forward + backward).
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(threads)
        xt, wt, gyt = torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(gy)
        conv2d, aten_back = torch.nn.functional.conv2d, torch.ops.aten.convolution_backward

        def t_back(mask):
            with torch.no_grad():
                return aten_back(gyt, xt, wt, None, [1, 1], [0, 0], [1, 1], False, [0, 0],
                                 1, mask)

        def t_fwd():
            with torch.no_grad():
                return conv2d(xt, wt)

        def t_step():
            xg, wg = xt.detach().requires_grad_(), wt.detach().requires_grad_()
            conv2d(xg, wg).backward(gyt)
        fns["torch", "fwd"] = plain(t_fwd)
        fns["torch", "dx"] = plain(lambda: t_back([True, False, False]))
        fns["torch", "dw"] = plain(lambda: t_back([False, True, False]))
        fns["torch", "bwd"] = plain(lambda: t_back([True, True, False]))
        fns["torch", "fwd+bwd"] = plain(t_step)
        gx_t, gw_t, _ = t_back([True, True, False])
        errors["torch"] = max(rel_err(t_fwd().numpy(), y_ref),
                              rel_err(gx_t.numpy(), gx_ref), rel_err(gw_t.numpy(), gw_ref))

    # Stages of the forward of the GEMM-based methods: building the matrix the GEMM
    # reads (columns, or NumPy's copy of the windows view), and the GEMM(s) alone on
    # a matrix built beforehand. The blocked methods' GEMMs all read the first block's
    # columns (the same shapes): in their forward each block's columns are read while
    # still in cache, which a batch's worth of columns built beforehand (42 MB for
    # the MNIST net, more than the L3 cache) would not be.
    o, c, kh, kw = w_shape
    ho, wo = y_ref.shape[2:]
    im_blocks = geo.blocks(x_shape[0], c, ho, x_shape[3], x.itemsize)
    im_cols = geo.wide_columns(x[im_blocks[0]], ho, wo)[0]
    im_sizes = [(b.stop - b.start) * ho * x_shape[3] for b in im_blocks]
    wm = w.reshape(o, -1)
    fns["im2col", "matrix"] = plain(lambda: [geo.wide_columns(x[b], ho, wo) for b in im_blocks])
    fns["im2col", "gemm"] = plain(lambda: [wm @ im_cols[:, :k] for k in im_sizes])
    win = windows(x, kh, kw)
    td_mat = np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(-1, c * kh * kw)
    es_mat = np.ascontiguousarray(win.transpose(1, 4, 5, 0, 2, 3)).reshape(c * kh * kw, -1)
    fns["tensordot", "matrix"] = plain(lambda: np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)))
    fns["tensordot", "gemm"] = plain(lambda: td_mat @ wm.T)
    fns["einsum", "matrix"] = plain(lambda: np.ascontiguousarray(win.transpose(1, 4, 5, 0, 2, 3)))
    fns["einsum", "gemm"] = plain(lambda: wm @ es_mat)
    nh_blocks = _nhwc_blocks(x_shape[0], kh * kw * c * ho * wo * x.itemsize)
    nh_cols = _nhwc_columns(xh[nh_blocks[0]], kh, kw, ho, wo)
    nh_sizes = [(b.stop - b.start) * ho * wo for b in nh_blocks]
    wk = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(-1, o)
    fns["nhwc", "matrix"] = plain(lambda: [_nhwc_columns(xh[b], kh, kw, ho, wo) for b in nh_blocks])
    fns["nhwc", "gemm"] = plain(lambda: [nh_cols[:k] @ wk for k in nh_sizes])

    # im2col's backward: its col2im alone (each block adds columns made beforehand, of
    # its size, back into the gradient), to set against NHWC's.
    from retrograd.ops.conv import _wide_layout
    wm_t, gcols = wm.T, {}
    for b in im_blocks:
        if b.stop - b.start not in gcols:
            gcols[b.stop - b.start] = wm_t @ _wide_layout(gy[b], 1, x_shape[3])[0]
    gpad = np.zeros_like(x)
    fns["im2col", "col2im"] = plain(lambda: [geo.wide_col2im_add(
        gcols[b.stop - b.start], gpad[b], ho, wo) for b in im_blocks])

    ms = interleaved_ms(fns, reps, stat)

    def get(method, part):
        return ms[method, part]["total"] if (method, part) in ms else None
    rows = []
    for method, label in METHODS:
        if method not in errors:
            continue
        r = {"method": label, "layer": name, "threads": threads, "err": errors[method],
             "stages": None}
        for part in ("fwd", "dx", "dw", "bwd", "fwd+bwd"):
            r[part] = get(method, part)
        if method == "winograd":      # its ∂ℓ/∂W is im2col's
            r["bwd"] = r["dx"] + get("im2col", "dw")
            r["stages"] = {"fwd": ms["winograd", "fwd"], "dx": ms["winograd", "dx"]}
        if method == "nhwc+conv":
            r["stages"] = {k: get("layout", k) for k in ("x to NHWC", "y to NCHW")}
        if (method, "matrix") in ms:
            r["stages"] = {k: get(method, k) for k in ("matrix", "gemm")}
        if method == "im2col":
            r["stages"]["bwd"] = {"columns": get("im2col", "matrix"),
                                  "col2im": get("im2col", "col2im")}
        if method == "nhwc":
            r["stages"]["bwd"] = {k: ms["nhwc", "bwd"][k] for k in ("columns", "col2im")}
        if r["fwd+bwd"] is None:
            r["fwd+bwd"] = r["fwd"] + r["bwd"]
        rows.append(r)
    return rows


METHODS = (("im2col", "im2col (retrograd)"), ("winograd", "winograd F(2x2,3x3)"),
           ("tensordot", "as_strided+tensordot"), ("einsum", "as_strided+einsum(opt)"),
           ("nhwc", "nhwc (no conversion)"), ("nhwc+conv", "nhwc + NCHW<->NHWC"),
           ("torch", "torch conv2d (oneDNN)"))

def child(args):
    from retrograd.backend import tune_malloc
    tuned = tune_malloc()
    layers = QUICK_LAYERS if args.quick else LAYERS
    rows = []
    for name in args.layers.split(","):
        x_shape, w_shape, _ = layers[name]
        rows += measure_layer(name, x_shape, w_shape, args.reps, args.threads_child,
                              args.stat)
    print(json.dumps({"rows": rows, "tune_malloc": tuned}))


# -- the table ------------------------------------------------------------------------------


def fmt(v, width=8):
    return f"{'—':>{width}}" if v is None else f"{v:>{width}.2f}"


def print_table(rows, layers):
    head = (f"{'layer':<7} {'thr':>3} {'method':<24} {'fwd':>8} {'dx':>8} {'dW':>8} "
            f"{'bwd':>8} {'fwd+bwd':>8} {'vs im2col':>9} {'err':>8}")
    print(head)
    print("-" * len(head))
    base = {}
    for r in rows:
        if r["method"].startswith("im2col"):
            base[r["layer"], r["threads"]] = r["fwd+bwd"]
    for r in rows:
        ratio = base[r["layer"], r["threads"]] / r["fwd+bwd"]
        print(f"{r['layer']:<7} {r['threads']:>3} {r['method']:<24} {fmt(r['fwd'])} "
              f"{fmt(r['dx'])} {fmt(r['dw'])} {fmt(r['bwd'])} "
              f"{fmt(r['fwd+bwd'])} {ratio:>8.2f}x {r['err']:>8.1e}")
    print()
    print("Winograd stages (ms; 'input' = B^T d B incl. padding, 'kernel' = "
          "G g G^T, 'gemm' = the 16 GEMMs, 'output' = A^T m A):")
    for r in rows:
        if r["stages"] and "fwd" in r["stages"]:
            for part in ("fwd", "dx"):
                s = r["stages"][part]
                print(f"  {r['layer']:<7} {r['threads']} thr {part:<3}: input {s['input']:7.2f}"
                      f"  kernel {s['kernel']:6.2f}  gemm {s['gemm']:7.2f}  output "
                      f"{s['output']:7.2f}  total {s['total']:7.2f}")
    print("Forward stages (ms): 'matrix' = building the matrix the GEMM reads (im2col, "
          "nhwc: the columns, by blocks; tensordot, einsum: NumPy's copy of the windows "
          "view), 'gemm' = the GEMM(s) alone on that matrix built beforehand (blocked methods: "
          "the first block's columns, in cache as in their forward):")
    for r in rows:
        if r["stages"] and "matrix" in r["stages"]:
            s = r["stages"]
            print(f"  {r['layer']:<7} {r['threads']} thr {r['method']:<24} matrix "
                  f"{s['matrix']:7.2f}  gemm {s['gemm']:7.2f}  (forward {r['fwd']:7.2f})")
    print("Backward stages (ms): building the columns of x again, adding the columns of "
          "dx back (col2im), the rest (GEMMs, layouts) = bwd - both:")
    for r in rows:
        if r["stages"] and "bwd" in r["stages"]:
            s = r["stages"]["bwd"]
            print(f"  {r['layer']:<7} {r['threads']} thr {r['method']:<24} columns "
                  f"{s['columns']:7.2f}  col2im {s['col2im']:7.2f}  rest "
                  f"{r['bwd'] - s['columns'] - s['col2im']:7.2f}  (bwd {r['bwd']:7.2f})")
    print("NHWC layout conversions of the forward (ms): x NCHW->NHWC, y NHWC->NCHW:")
    for r in rows:
        if r["stages"] and "x to NHWC" in r["stages"]:
            s = r["stages"]
            print(f"  {r['layer']:<7} {r['threads']} thr: x {s['x to NHWC']:6.2f}  "
                  f"y {s['y to NCHW']:6.2f}")
    missing = sorted({name for name, (_, w, _) in layers.items() if w[2:] != (3, 3)})
    if missing:
        print(f"No Winograd row for {', '.join(missing)}: F(2x2, 3x3) needs a 3x3 kernel.")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default="1,2",
                    help="comma-separated BLAS/torch thread counts, one child each")
    ap.add_argument("--reps", type=int, default=7, help="timed runs per number (≥ 7)")
    ap.add_argument("--layers", default=",".join(LAYERS))
    ap.add_argument("--stat", choices=("median", "min"), default="median",
                    help="each number: the median of the runs, or the least (steadier "
                    "on a loaded machine)")
    ap.add_argument("--quick", action="store_true", help="tiny shapes, 1 run (smoke test)")
    ap.add_argument("--child", dest="threads_child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick:
        args.reps = 1
    elif args.reps < 7:
        ap.error(f"--reps must be at least 7, got {args.reps}")
    for name in args.layers.split(","):
        if name not in LAYERS:
            ap.error(f"unknown layer {name!r}; choose from {tuple(LAYERS)}")
    if args.threads_child is not None:
        return child(args)
    threads = [int(t) for t in args.threads.split(",")]
    layers = QUICK_LAYERS if args.quick else LAYERS
    start = time.perf_counter()
    load0 = os.getloadavg()
    print("Convolution designs, float32, stride 1, no padding; ms, "
          f"{'median' if args.stat == 'median' else 'least'} of {args.reps} runs after a "
          f"warm-up, methods in turn; {os.cpu_count()} CPUs")
    for name in args.layers.split(","):
        xs, ws, what = layers[name]
        print(f"  {name:<7} {what}: x {xs}, w {ws}")
    print(f"load average at start (1, 5, 15 min): {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    rows = []
    for t in threads:
        env = run.child_env(t)
        cmd = [sys.executable, os.path.abspath(__file__), "--child", str(t), "--reps",
               str(args.reps), "--layers", args.layers, "--stat", args.stat] + \
            (["--quick"] if args.quick else [])
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if p.returncode:
            raise SystemExit(f"conv_designs: the child with {t} threads failed:\n"
                             f"{p.stderr[-3000:]}")
        rows += json.loads(p.stdout.strip().splitlines()[-1])["rows"]
    rows.sort(key=lambda r: (list(LAYERS).index(r["layer"]), r["threads"]))
    print()
    print_table(rows, {k: layers[k] for k in args.layers.split(",")})
    print()
    print("Columns: fwd = y; dx, dW = one gradient alone; bwd = both gradients (Winograd: "
          "its dx + im2col's dW); fwd+bwd = fwd + bwd (torch: one autograd step); "
          "vs im2col = im2col's fwd+bwd / this row's (> 1: faster); err = max|diff| / "
          "max|ref| against retrograd's float32 result.")
    load1 = os.getloadavg()
    print(f"load average at end (1, 5, 15 min): {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}"
          f"; {time.perf_counter() - start:.0f} s in all")
    for t in threads:     # the load before this script ran, plus its own threads
        if load0[0] + t > (os.cpu_count() or 1) + 0.5:
            print(f"WARNING: load {load0[0]:.1f} + {t} thread(s) > {os.cpu_count()} CPUs: "
                  f"the {t}-thread rows shared the CPUs with other work (a BLAS thread "
                  "waits for the other's time slice); rerun on an idle machine before "
                  "drawing conclusions from them.")


if __name__ == "__main__":
    sys.exit(main())
