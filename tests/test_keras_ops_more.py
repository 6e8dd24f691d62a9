"""keras.ops' core, NumPy, nn and image functions against real Keras 3 (PyTorch
backend): one table of calls run on both sides, compared in values, shapes and dtypes;
gradients of the differentiable ones against torch autograd on Keras's result; a few
symbolic uses in a functional model; errors; a keras-io style custom layer trained."""
import functools

import numpy as np
import pytest

import retrograd as rg
from retrograd import keras as rk
from retrograd.keras import ops as rops

from keras_parity import import_keras, value

keras, torch = import_keras("keras.ops")
kops = keras.ops

R = np.random.default_rng(0)
A = R.standard_normal((3, 4)).astype(np.float32)
C = R.standard_normal((3, 4)).astype(np.float32)
P = (R.random((3, 4)) + 0.1).astype(np.float32)
U = (R.random((3, 4)) * 1.6 - 0.8).astype(np.float32)          # in (−1, 1)
T3 = R.standard_normal((2, 3, 4)).astype(np.float32)
SQ = R.standard_normal((3, 3)).astype(np.float32)
V3 = R.standard_normal((2, 3)).astype(np.float32)
I64 = np.array([[3, 1, 2], [0, 5, 4]])
I32 = I64.astype(np.int32)
VEC = np.array([1.0, -2.0, 0.0, 3.5], np.float32)
IMG = R.random((2, 5, 6, 3)).astype(np.float32)
SEQ = R.standard_normal((2, 7, 3)).astype(np.float32)
K2 = R.standard_normal((3, 3, 3, 4)).astype(np.float32)       # (kh, kw, C, F)
K1 = R.standard_normal((3, 3, 2)).astype(np.float32)          # (k, C, F)
DW = R.standard_normal((3, 3, 3, 2)).astype(np.float32)       # (kh, kw, C, M)
PW = R.standard_normal((1, 1, 6, 4)).astype(np.float32)
KT = R.standard_normal((3, 3, 4, 3)).astype(np.float32)       # (kh, kw, F, C)
Q = R.standard_normal((2, 4, 2, 3)).astype(np.float32)        # (B, T, N, H)
KV = R.standard_normal((2, 5, 2, 3)).astype(np.float32)
BIAS = R.standard_normal((1, 1, 4, 5)).astype(np.float32)
SPECIAL = np.array([np.nan, np.inf, -np.inf, 1.5], np.float32)
LABELS = np.array([0, 3, 1])
AFFINE = np.array([[0.9, -0.2, 1.3, 0.1, 1.1, -0.7, 0, 0],
                   [1.2, 0.3, -1.0, -0.3, 0.8, 0.6, 0, 0]], np.float32)
COORDS = np.array([[0.3, 2.6, -0.4, 1.0, 2.2], [3.7, 0.5, 1.5, -1.2, 2.0]], np.float32)
SEQ6 = R.standard_normal((3, 6, 5)).astype(np.float32)        # (batch, time, classes)
CTC_TARGET = np.array([[1, 2, 2], [3, 0, 0], [4, 1, 0]])
VOL = R.random((2, 5, 6, 4, 2)).astype(np.float32)            # (batch, d, h, w, c)
NANS = np.where(A > 0.8, np.nan, A).astype(np.float32)
IDX = np.array([[0, 1], [2, 3], [0, 1]])

# (name, call): the same call on both sides.
CASES = [
    # core
    ("stop_gradient", lambda o: o.stop_gradient(o.convert_to_tensor(A))),
    ("slice", lambda o: o.slice(T3, (0, 1, 1), (2, 2, 3))),
    ("slice_update", lambda o: o.slice_update(A, (1, 1), C[:2, :2])),
    ("scatter", lambda o: o.scatter(np.array([[0, 1], [2, 3], [0, 1]]), VEC[:3], (3, 4))),
    ("scatter_rows", lambda o: o.scatter(np.array([[2], [0]]), A[:2], (4, 4))),
    ("scatter_update", lambda o: o.scatter_update(A, np.array([[0, 0], [2, 3]]), VEC[:2])),
    ("take", lambda o: o.take(A, np.array([2, 0, -1]), axis=1)),
    ("take_flat", lambda o: o.take(A, np.array([[1, 5], [11, 0]]))),
    ("take_along_axis", lambda o: o.take_along_axis(A, IDX, axis=1)),
    ("unstack", lambda o: o.unstack(o.convert_to_tensor(T3), axis=1)),
    ("fori_loop", lambda o: o.fori_loop(0, 3, lambda i, v: v * 2.0 + i, o.convert_to_tensor(A))),
    ("while_loop", lambda o: o.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 1.5),
                                          (0, o.convert_to_tensor(A)))[1]),
    ("map", lambda o: o.map(lambda r: o.sum(r * r), o.convert_to_tensor(A))),
    ("vectorized_map", lambda o: o.vectorized_map(lambda r: o.flip(r) * 2.0,
                                                  o.convert_to_tensor(A))),
    ("scan", lambda o: o.scan(lambda c, x: (c + x, c * x), o.zeros(4), o.convert_to_tensor(A))),
    ("scan_reverse", lambda o: o.scan(lambda c, x: (c + x, c), o.zeros(4),
                                      o.convert_to_tensor(A), reverse=True)),
    ("cond", lambda o: o.cond(True, lambda: o.add(A, 1.0), lambda: o.add(A, 2.0))),
    ("cond_tensor", lambda o: o.cond(o.sum(A) > 100, lambda: o.add(A, 1.0), lambda: o.exp(A))),
    ("switch", lambda o: o.switch(1, [lambda x: x + 1.0, lambda x: x * 2.0], A)),
    ("switch_clamped", lambda o: o.switch(5, [lambda x: x + 1.0, lambda x: x * 2.0], A)),
    ("while_loop_one", lambda o: o.while_loop(lambda v: o.sum(v) < 50.0, lambda v: v + 1.0,
                                              o.convert_to_tensor(P))),
    ("while_loop_max", lambda o: o.while_loop(lambda i, v: True, lambda i, v: (i + 1, v * 2.0),
                                              [0, o.convert_to_tensor(A)],
                                              maximum_iterations=3)[1]),
    ("is_tensor", lambda o: int(o.is_tensor(o.convert_to_tensor(A))) + 2 * int(o.is_tensor(A))),
    ("unique_all", lambda o: o.unique(np.array([3, 1, 3, 2, 1]), return_index=True, return_inverse=True,
                                      return_counts=True)),
    ("multi_hot_axis", lambda o: o.multi_hot(np.array([[0, 2], [1, 1]]), 4, axis=0)),
    ("in_top_k_ties", lambda o: o.in_top_k(np.array([0, 1]), np.array([[1.0, 1.0, 0.0],
                                                                    [2.0, 1.0, 1.0]]), 1)),
    # numpy: shapes and orders
    ("split", lambda o: o.split(T3, 2, axis=2)), ("split_at", lambda o: o.split(A, [1, 3], 1)),
    ("array_split", lambda o: o.array_split(VEC, 3)),
    ("tile", lambda o: o.tile(A, (2, 1))), ("tile_short", lambda o: o.tile(T3, 2)),
    ("repeat", lambda o: o.repeat(A, 2, axis=0)), ("repeat_flat", lambda o: o.repeat(A, 2)),
    ("repeat_counts", lambda o: o.repeat(A, np.array([1, 0, 2]), axis=0)),
    ("pad", lambda o: o.pad(A, ((1, 0), (2, 1)))),
    ("pad_value", lambda o: o.pad(A, ((1, 1), (1, 1)), constant_values=3.0)),
    ("pad_reflect", lambda o: o.pad(A, ((2, 1), (1, 3)), mode="reflect")),
    ("broadcast_to", lambda o: o.broadcast_to(VEC, (3, 4))),
    ("moveaxis", lambda o: o.moveaxis(T3, 0, -1)),
    ("moveaxis_many", lambda o: o.moveaxis(T3, (0, 1), (2, 0))),
    ("swapaxes", lambda o: o.swapaxes(T3, 0, 2)), ("ravel", lambda o: o.ravel(A)),
    ("flip", lambda o: o.flip(A)), ("flip_axis", lambda o: o.flip(T3, axis=1)),
    ("fliplr", lambda o: o.fliplr(A)), ("flipud", lambda o: o.flipud(A)),
    ("rot90", lambda o: o.rot90(A)), ("rot90_3", lambda o: o.rot90(A, k=3)),
    ("rot90_2_axes", lambda o: o.rot90(T3, k=2, axes=(1, 2))),
    ("roll", lambda o: o.roll(A, 2)), ("roll_axis", lambda o: o.roll(A, -1, axis=1)),
    ("sort", lambda o: o.sort(A)), ("sort_axis0", lambda o: o.sort(A, axis=0)),
    ("argsort", lambda o: o.argsort(A)), ("argsort_int", lambda o: o.argsort(I64, axis=0)),
    ("top_k", lambda o: o.top_k(A, 2)),
    ("in_top_k", lambda o: o.in_top_k(LABELS, A, 2)),
    ("cumsum", lambda o: o.cumsum(A, axis=1)), ("cumsum_flat", lambda o: o.cumsum(A)),
    ("cumsum_int", lambda o: o.cumsum(I32, axis=0)),
    ("cumprod", lambda o: o.cumprod(P, axis=0)),
    ("einsum", lambda o: o.einsum("ij,kj->ik", A, C)),
    ("einsum_trace", lambda o: o.einsum("ii", SQ)),
    ("outer", lambda o: o.outer(VEC, V3)),
    ("tensordot", lambda o: o.tensordot(T3, A.T, axes=1)),
    ("tensordot_pairs", lambda o: o.tensordot(T3, A, axes=([1, 2], [0, 1]))),
    ("inner", lambda o: o.inner(A, C)), ("vdot", lambda o: o.vdot(A[0], C[0])),
    ("kron", lambda o: o.kron(V3, SQ[:2, :2])),
    ("cross", lambda o: o.cross(V3, A[:2, :3])),
    ("tril", lambda o: o.tril(A)), ("triu_k", lambda o: o.triu(A, k=1)),
    ("tri", lambda o: o.tri(3, 4, k=-1)),
    ("diag", lambda o: o.diag(A)), ("diag_vec", lambda o: o.diag(VEC, k=1)),
    ("diagonal", lambda o: o.diagonal(A, offset=1)),
    ("diagonal_axes", lambda o: o.diagonal(T3, 0, 1, 2)),
    ("trace", lambda o: o.trace(A)), ("trace_int", lambda o: o.trace(I32)),
    ("meshgrid", lambda o: o.meshgrid(VEC, V3[0])),
    ("meshgrid_ij", lambda o: o.meshgrid(VEC, V3[0], indexing="ij")),
    ("isclose", lambda o: o.isclose(A, A + 1e-6)), ("allclose", lambda o: o.allclose(A, C)),
    ("count_nonzero", lambda o: o.count_nonzero(I64 > 2, axis=1)),
    ("prod", lambda o: o.prod(P)), ("prod_axis", lambda o: o.prod(T3, axis=(0, 2))),
    ("prod_keep", lambda o: o.prod(P, axis=1, keepdims=True)),
    ("prod_int", lambda o: o.prod(I32, axis=1)),
    ("amax", lambda o: o.amax(A, axis=1)), ("amin", lambda o: o.amin(A)),
    ("average", lambda o: o.average(A, axis=1)),
    ("average_w", lambda o: o.average(A, axis=1, weights=P[0])),
    ("average_int", lambda o: o.average(I64)),
    ("logical_and", lambda o: o.logical_and(A > 0, C > 0)),
    ("logical_or", lambda o: o.logical_or(A > 0, C > 0)),
    ("logical_xor", lambda o: o.logical_xor(A > 0, C > 0)),
    ("logical_not", lambda o: o.logical_not(A > 0)),
    ("isnan", lambda o: o.isnan(SPECIAL)), ("isinf", lambda o: o.isinf(SPECIAL)),
    ("isfinite", lambda o: o.isfinite(SPECIAL)),
    ("round", lambda o: o.round(A * 3)), ("round_dec", lambda o: o.round(A, decimals=1)),
    ("floor", lambda o: o.floor(A * 3)), ("ceil", lambda o: o.ceil(A * 3)),
    ("trunc", lambda o: o.trunc(A * 3)), ("floor_int", lambda o: o.floor(I64)),
    ("mod", lambda o: o.mod(A * 3, 1.5)), ("mod_int", lambda o: o.mod(I64, 3)),
    ("floor_divide", lambda o: o.floor_divide(A * 3, 0.7)),
    ("floor_divide_int", lambda o: o.floor_divide(I32, 2)),
    ("reciprocal", lambda o: o.reciprocal(P)),
    ("log2", lambda o: o.log2(P)), ("log10", lambda o: o.log10(P)),
    ("exp2", lambda o: o.exp2(A)), ("tan", lambda o: o.tan(U)),
    ("sinh", lambda o: o.sinh(A)), ("cosh", lambda o: o.cosh(A)),
    ("hypot", lambda o: o.hypot(A, C)), ("logaddexp", lambda o: o.logaddexp(A, C)),
    ("hypot_int", lambda o: o.hypot(I64, 2)), ("logaddexp2", lambda o: o.logaddexp2(A, C)),
    ("log1p", lambda o: o.log1p(P)), ("expm1", lambda o: o.expm1(A)),
    ("log1p_int", lambda o: o.log1p(I64)), ("erf", lambda o: o.erf(A)),
    ("erfinv", lambda o: o.erfinv(U)), ("rsqrt", lambda o: o.rsqrt(P)),
    ("arcsin", lambda o: o.arcsin(U)), ("arccos", lambda o: o.arccos(U)),
    ("arctan", lambda o: o.arctan(A)), ("arcsinh", lambda o: o.arcsinh(A)),
    ("arccosh", lambda o: o.arccosh(P + 1)), ("arctanh", lambda o: o.arctanh(U)),
    ("arctan2", lambda o: o.arctan2(A, C)), ("deg2rad", lambda o: o.deg2rad(A * 90)),
    ("rad2deg", lambda o: o.rad2deg(A)), ("cbrt", lambda o: o.cbrt(A)),
    ("median", lambda o: o.median(A)), ("median_axis", lambda o: o.median(T3, axis=1)),
    ("median_keep", lambda o: o.median(A, axis=1, keepdims=True)),
    ("quantile", lambda o: o.quantile(A, 0.3, axis=0)),
    ("quantile_list", lambda o: o.quantile(T3, np.array([0.1, 0.9]), axis=(0, 2))),
    ("quantile_method", lambda o: o.quantile(A, 0.4, method="nearest")),
    ("percentile", lambda o: o.percentile(A, 25.0, axis=1, keepdims=True)),
    ("nanmedian", lambda o: o.nanmedian(np.where(A > 1, np.nan, A), axis=1)),
    ("nansum", lambda o: o.nansum(np.where(A > 1, np.nan, A), axis=0)),
    ("nanmean", lambda o: o.nanmean(np.where(A > 1, np.nan, A))),
    ("diff", lambda o: o.diff(A)), ("diff2", lambda o: o.diff(T3, 2, axis=1)),
    ("trapezoid", lambda o: o.trapezoid(A)), ("trapezoid_dx", lambda o: o.trapezoid(A, dx=0.5)),
    ("isneginf", lambda o: o.isneginf(SPECIAL)), ("isposinf", lambda o: o.isposinf(SPECIAL)),
    ("signbit", lambda o: o.signbit(VEC)), ("fmod", lambda o: o.fmod(A * 3, 1.5)),
    ("fabs", lambda o: o.fabs(I64)),
    ("sinc", lambda o: o.sinc(VEC)),
    ("nan_to_num", lambda o: o.nan_to_num(SPECIAL)),
    ("nan_to_num_vals", lambda o: o.nan_to_num(SPECIAL, nan=1.0, posinf=9.0, neginf=-9.0)),
    ("divide_no_nan", lambda o: o.divide_no_nan(VEC, np.array([2.0, 0, 0, 1], np.float32))),
    ("heaviside", lambda o: o.heaviside(VEC, 0.5)),
    ("copy", lambda o: o.copy(A)), ("empty_like", lambda o: o.zeros_like(o.empty_like(A))),
    ("identity", lambda o: o.identity(3)),
    ("geomspace", lambda o: o.geomspace(1, 100, 5)),
    ("logspace", lambda o: o.logspace(0, 2, 5)),
    ("hstack", lambda o: o.hstack([A, C])), ("vstack", lambda o: o.vstack([VEC, VEC])),
    ("dstack", lambda o: o.dstack([A, C])),
    ("append", lambda o: o.append(A, C)), ("append_axis", lambda o: o.append(A, C, axis=1)),
    ("searchsorted", lambda o: o.searchsorted(np.sort(VEC), A.ravel())),
    ("searchsorted_right", lambda o: o.searchsorted(np.array([0., 1, 1, 2]), VEC[:3], "right")),
    ("digitize", lambda o: o.digitize(A, np.array([-1.0, 0.0, 1.0], np.float32))),
    ("bincount", lambda o: o.bincount(np.array([0, 1, 1, 4]))),
    ("bincount_w", lambda o: o.bincount(np.array([0, 1, 1, 3]), weights=VEC, minlength=6)),
    ("squeeze_tuple", lambda o: o.squeeze(A[:, None, :, None], axis=(1, 3))),
    ("expand_dims_tuple", lambda o: o.expand_dims(A, (0, 2))),
    ("var", lambda o: o.var(I64, axis=0)), ("std", lambda o: o.std(A, axis=1, keepdims=True)),
    ("unique", lambda o: o.unique(np.array([3, 1, 3, 2, 1]))),
    ("dtype", lambda o: o.dtype(o.convert_to_tensor(I32))),
    ("ndim", lambda o: o.ndim(T3)), ("size", lambda o: o.size(T3)),
    ("array", lambda o: o.array([[1, 2], [3, 4]])), ("get_item", lambda o: o.get_item(A, 1)),
    ("select", lambda o: o.select([A > 0.5, A < -0.5], [A, C], 7.0)),
    ("fmax", lambda o: o.fmax(SPECIAL, VEC)), ("fmin", lambda o: o.fmin(SPECIAL, VEC)),
    ("nanmax", lambda o: o.nanmax(NANS, axis=1)), ("nanmin", lambda o: o.nanmin(NANS)),
    ("nanprod", lambda o: o.nanprod(NANS, axis=0)), ("nanvar", lambda o: o.nanvar(NANS, 1)),
    ("nanstd", lambda o: o.nanstd(NANS)), ("nanargmax", lambda o: o.nanargmax(NANS, 1)),
    ("nanargmin", lambda o: o.nanargmin(NANS, axis=0)),
    ("nancumsum", lambda o: o.nancumsum(NANS, axis=1)),
    ("nancumprod", lambda o: o.nancumprod(NANS, axis=0)),
    ("ptp", lambda o: o.ptp(A, axis=1)), ("real", lambda o: o.real(A)),
    ("conj", lambda o: o.conj(A)),
    ("angle", lambda o: o.angle(A)), ("isreal", lambda o: o.isreal(A)),
    ("hsplit", lambda o: o.hsplit(A, 2)), ("vsplit", lambda o: o.vsplit(T3, [1])),
    ("dsplit", lambda o: o.dsplit(T3, 2)), ("diagflat", lambda o: o.diagflat(V3, 1)),
    ("vander", lambda o: o.vander(VEC)), ("vander_inc", lambda o: o.vander(VEC, 3, True)),
    ("erfc", lambda o: o.erfc(A)), ("ldexp", lambda o: o.ldexp(A, I32[:1, :1])),
    ("saturate_cast", lambda o: o.saturate_cast(A * 300, "uint8")),
    ("isin", lambda o: o.isin(I64, np.array([1, 4]))),
    ("unravel_index", lambda o: o.unravel_index(np.array([1, 7, 10]), (3, 4))),
    ("histogram", lambda o: o.histogram(VEC, bins=3)),
    ("corrcoef", lambda o: o.corrcoef(A)),
    ("correlate", lambda o: o.correlate(VEC, V3[0])),
    ("correlate_full", lambda o: o.correlate(VEC, V3[0], mode="full")),
    ("correlate_same", lambda o: o.correlate(VEC, V3[0], mode="same")),
    ("bitwise_and", lambda o: o.bitwise_and(I32, 6)), ("bitwise_or", lambda o: o.bitwise_or(I32, 8)),
    ("bitwise_xor", lambda o: o.bitwise_xor(I32, I32[::-1])),
    ("bitwise_not", lambda o: o.bitwise_not(I32)),
    ("left_shift", lambda o: o.left_shift(I32, 2)), ("right_shift", lambda o: o.right_shift(I32, 1)),
    ("gcd", lambda o: o.gcd(I32, 4)), ("lcm", lambda o: o.lcm(I32, 4)),
    ("hamming", lambda o: o.hamming(5)), ("hanning", lambda o: o.hanning(6)),
    ("bartlett", lambda o: o.bartlett(5)), ("blackman", lambda o: o.blackman(5)),
    ("kaiser", lambda o: o.kaiser(5, 2.0)), ("nextafter", lambda o: o.nextafter(A, C)),
    ("associative_scan", lambda o: o.associative_scan(lambda a, b: a + b, A, axis=1)),
    ("associative_scan_rev", lambda o: o.associative_scan(o.maximum, A, reverse=True)),
    ("vectorize", lambda o: o.vectorize(lambda a, b: a * b + 1.0)(A, C[0])),
    ("segment_sum", lambda o: o.segment_sum(A, np.array([0, 2, 0]))),
    ("segment_sum_n", lambda o: o.segment_sum(A, np.array([0, 2, 0]), num_segments=4)),
    ("segment_max", lambda o: o.segment_max(A, np.array([1, 1, 0]))),
    ("lu_factor", lambda o: o.lu_factor(np.stack([SQ, SQ[::-1]]))),
    ("abs_bool", lambda o: o.abs(A > 0)), ("sign_bool", lambda o: o.sign(A > 0)),
    ("hard_shrink_nan", lambda o: o.hard_shrink(SPECIAL)),
    ("soft_shrink_nan", lambda o: o.soft_shrink(SPECIAL)),
    ("grayscale_uint8", lambda o: o.image.rgb_to_grayscale((IMG * 255).astype(np.uint8))),
    ("patches_uint8", lambda o: o.image.extract_patches((IMG * 255).astype(np.uint8), 2)),
    ("bool_plus_int", lambda o: o.add(A > 0, 1)), ("int_pow_half", lambda o: o.power(I32, 0.5)),
    ("clip_int_float", lambda o: o.clip(I32, 0.5, 2.5)), ("square_bool", lambda o: o.square(A > 0)),
    ("segment_max_empty", lambda o: o.segment_max(A, np.array([1, 1, 3]), num_segments=4)),
    ("segment_min_empty", lambda o: o.segment_min(A, np.array([0, 2, 2]), num_segments=4)),
    ("extract_sequences", lambda o: o.extract_sequences(T3, 2, 1)),
    ("fft", lambda o: o.fft((A, C))), ("fft2", lambda o: o.fft2((T3, T3 * 0.5))),
    ("ifft2", lambda o: o.ifft2((T3, -T3))), ("rfft", lambda o: o.rfft(A)),
    ("rfft_pad", lambda o: o.rfft(T3, 7)), ("rfft_cut", lambda o: o.rfft(T3, 3)),
    ("irfft", lambda o: o.irfft((A, C))), ("irfft_odd", lambda o: o.irfft((A, C), 5)),
    ("stft", lambda o: o.stft(SEQ.reshape(2, 21), 8, 4, 8)),
    ("stft_hamming", lambda o: o.stft(SEQ.reshape(2, 21), 6, 3, 8, "hamming")),
    ("stft_uncentred", lambda o: o.stft(SEQ.reshape(2, 21), 8, 2, 8, None, False)),
    ("stft_batch", lambda o: o.stft(T3.astype(np.float64), 3, 2, 4)),
    ("istft", lambda o: o.istft(o.stft(SEQ.reshape(2, 21), 8, 2, 8), 8, 2, 8)),
    ("istft_length", lambda o: o.istft(o.stft(SEQ.reshape(2, 21), 6, 3, 6, "hamming"), 6, 3,
                                       6, length=17, window="hamming")),
    ("rearrange", lambda o: o.rearrange(T3, "b h w -> b (h w)")),
    ("rearrange_split", lambda o: o.rearrange(T3, "b h (w1 w2) -> (b w1) w2 h", w2=2)),
    ("view", lambda o: o.view(A, "int32")), ("view_bytes", lambda o: o.view(A, "uint8")),
    ("space_to_depth", lambda o: o.space_to_depth(IMG[:, :4, :4], 2)),
    ("depth_to_space", lambda o: o.depth_to_space(IMG[:, :, :, :1].repeat(4, -1), 2)),
    ("unfold", lambda o: o.unfold(o.convert_to_tensor(IMG.transpose(0, 3, 1, 2)), 2)),
    ("fold", lambda o: o.fold(o.convert_to_tensor(IDX[:1, :1] + T3.reshape(1, 12, 2)), (3, 2), 2)),
    # nn
    ("gelu", lambda o: o.gelu(A)), ("swish", lambda o: o.swish(A)),
    ("relu6", lambda o: o.nn.relu6(A * 4)), ("hard_sigmoid", lambda o: o.hard_sigmoid(A * 4)),
    ("hard_silu", lambda o: o.nn.hard_silu(A * 4)), ("hard_swish", lambda o: o.hard_swish(A)),
    ("log_sigmoid", lambda o: o.log_sigmoid(A)), ("celu", lambda o: o.celu(A, alpha=0.7)),
    ("glu", lambda o: o.glu(A)), ("softsign", lambda o: o.softsign(A)),
    ("squareplus", lambda o: o.squareplus(A, b=2)), ("sparse_plus", lambda o: o.sparse_plus(A)),
    ("sparse_sigmoid", lambda o: o.nn.sparse_sigmoid(A)),
    ("tanh_shrink", lambda o: o.tanh_shrink(A)), ("hard_tanh", lambda o: o.hard_tanh(A)),
    ("hard_shrink", lambda o: o.hard_shrink(A)),
    ("soft_shrink", lambda o: o.soft_shrink(A, 0.3)),
    ("threshold", lambda o: o.threshold(A, 0.2, -1.0)),
    ("selu", lambda o: o.selu(A)), ("softplus", lambda o: o.softplus(A)),
    ("elu", lambda o: o.elu(A)), ("silu", lambda o: o.silu(A)),
    ("leaky_relu", lambda o: o.leaky_relu(A)), ("one_hot", lambda o: o.one_hot(LABELS, 4)),
    ("normalize", lambda o: o.normalize(A)), ("normalize_l1", lambda o: o.normalize(A, 0, 1)),
    ("moments", lambda o: o.moments(T3, axes=(0, 1))),
    ("moments_keep", lambda o: o.moments(T3, axes=[2], keepdims=True)),
    ("batch_normalization", lambda o: o.batch_normalization(
        A, VEC, P[0], axis=1, offset=C[0], scale=P[1])),
    ("layer_normalization", lambda o: o.layer_normalization(A, P[0], C[0])),
    ("rms_normalization", lambda o: o.rms_normalization(T3, P[0])),
    ("multi_hot", lambda o: o.multi_hot(np.array([[0, 2], [1, 1]]), 4)),
    ("conv2d", lambda o: o.conv(IMG, K2)),
    ("conv2d_same_stride", lambda o: o.conv(IMG, K2, strides=2, padding="same")),
    ("conv2d_dilated", lambda o: o.conv(IMG, K2[:2, :2], dilation_rate=2)),
    ("conv2d_cf", lambda o: o.conv(IMG.transpose(0, 3, 1, 2), K2, data_format="channels_first")),
    ("conv1d", lambda o: o.conv(SEQ, K1, padding="same")),
    ("depthwise_conv", lambda o: o.depthwise_conv(IMG, DW, padding="same")),
    ("separable_conv", lambda o: o.separable_conv(IMG, DW, PW)),
    ("conv_transpose", lambda o: o.conv_transpose(IMG[:, :4, :4, :], KT, strides=2)),
    ("conv_transpose_same", lambda o: o.conv_transpose(IMG, KT, strides=2, padding="same")),
    ("max_pool", lambda o: o.max_pool(IMG, 2)),
    ("max_pool_same", lambda o: o.max_pool(IMG, 3, strides=2, padding="same")),
    ("average_pool", lambda o: o.average_pool(IMG, (2, 3))),
    ("average_pool_same", lambda o: o.average_pool(IMG, 2, padding="same")),
    ("max_pool1d", lambda o: o.max_pool(SEQ, 2)),
    ("adaptive_average_pool", lambda o: o.adaptive_average_pool(IMG, (2, 4))),
    ("adaptive_max_pool", lambda o: o.adaptive_max_pool(IMG, 3)),
    ("attention", lambda o: o.dot_product_attention(Q, KV, KV)),
    ("attention_causal", lambda o: o.dot_product_attention(Q, Q, Q, is_causal=True)),
    ("attention_mask", lambda o: o.dot_product_attention(
        Q, KV, KV, mask=np.tril(np.ones((4, 5), bool)), scale=0.3)),
    ("attention_bias", lambda o: o.dot_product_attention(Q, KV, KV, bias=BIAS)),
    ("psnr", lambda o: o.psnr(IMG, IMG[::-1], 1.0)),
    ("ctc_loss", lambda o: o.ctc_loss(CTC_TARGET, SEQ6, np.array([3, 1, 2]),
                                      np.array([6, 4, 5]))),
    ("ctc_loss_mask4", lambda o: o.nn.ctc_loss(CTC_TARGET % 4, SEQ6, np.array([3, 2, 2]),
                                               np.array([6, 6, 3]), mask_index=4)),
    ("ctc_decode", lambda o: o.ctc_decode(SEQ6, np.array([6, 4, 5]))),
    ("ctc_decode_unmerged", lambda o: o.nn.ctc_decode(SEQ6, np.array([6, 6, 2]),
                                                      merge_repeated=False, mask_index=2)),
    ("categorical_crossentropy", lambda o: o.categorical_crossentropy(
        np.eye(4, dtype=np.float32)[LABELS], A, from_logits=True)),
    # image
    ("resize", lambda o: o.image.resize(IMG, (7, 4))),
    ("resize_down", lambda o: o.image.resize(IMG, (2, 3))),
    ("resize_nearest", lambda o: o.image.resize(IMG, (8, 4), interpolation="nearest")),
    ("resize_single", lambda o: o.image.resize(IMG[0], (3, 9))),
    ("resize_bicubic", lambda o: o.image.resize(IMG, (7, 9), interpolation="bicubic")),
    ("resize_antialias", lambda o: o.image.resize(IMG, (2, 3), antialias=True)),
    ("resize_crop", lambda o: o.image.resize(IMG, (4, 2), crop_to_aspect_ratio=True)),
    ("resize_pad", lambda o: o.image.resize(IMG, (4, 2), pad_to_aspect_ratio=True,
                                            fill_value=0.5)),
    ("resize_uint8", lambda o: o.image.resize((IMG * 255).astype(np.uint8), (3, 4))),
    ("crop_images", lambda o: o.image.crop_images(IMG, 1, 2, target_height=3, target_width=3)),
    ("pad_images", lambda o: o.image.pad_images(IMG, 1, 2, 0, 1)),
    ("pad_images_target", lambda o: o.image.pad_images(IMG, top_padding=1, left_padding=0,
                                                       target_height=8, target_width=7)),
    ("rgb_to_grayscale", lambda o: o.image.rgb_to_grayscale(IMG)),
    ("affine_transform", lambda o: o.image.affine_transform(IMG, AFFINE)),
    ("affine_nearest_wrap", lambda o: o.image.affine_transform(
        IMG, AFFINE, interpolation="nearest", fill_mode="wrap")),
    ("affine_single", lambda o: o.image.affine_transform(IMG[0], AFFINE[1])),
    ("affine_reflect", lambda o: o.image.affine_transform(IMG, AFFINE, fill_mode="reflect")),
    ("affine_mirror", lambda o: o.image.affine_transform(IMG, AFFINE, fill_mode="mirror",
                                                          fill_value=0.5)),
    ("affine_constant_fill", lambda o: o.image.affine_transform(IMG, AFFINE, fill_value=2.0)),
    ("map_coordinates", lambda o: o.image.map_coordinates(A, COORDS, 1)),
    ("sobel_edges", lambda o: o.image.sobel_edges(IMG)),
    ("rgb_to_hsv", lambda o: o.image.rgb_to_hsv(IMG)),
    ("hsv_to_rgb", lambda o: o.image.hsv_to_rgb(IMG)),
    ("ssim", lambda o: o.image.ssim(IMG, IMG[::-1] * 0.8, filter_size=3)),
    ("ssim_single", lambda o: o.image.ssim(IMG[0], IMG[1], 2.0, 5, 1.0)),
    ("perspective_transform", lambda o: o.image.perspective_transform(
        IMG, [[0, 0], [5, 0], [0, 4], [5, 4]], [[0.5, 0.2], [4.6, 0.1], [0.3, 3.9], [5.2, 3.5]])),
    ("perspective_nearest", lambda o: o.image.perspective_transform(
        IMG[0], np.array([[0, 0], [5, 0], [0, 4], [5, 4]], np.float32),
        np.array([[1, 0], [5, 1], [0, 4], [4, 3]], np.float32), "nearest", 0.5)),
    ("hsv_round_trip", lambda o: o.image.hsv_to_rgb(o.image.rgb_to_hsv(IMG[0]))),
    ("map_coordinates_nearest", lambda o: o.image.map_coordinates(A, COORDS, 0, "nearest")),
    ("extract_patches", lambda o: o.image.extract_patches(IMG, 2)),
    ("extract_patches_3d", lambda o: o.image.extract_patches_3d(VOL, 2)),
    ("scale_and_translate", lambda o: o.image.scale_and_translate(
        IMG, (2, 8, 4, 3), [1.6, 0.7], [0.3, -0.2], (1, 2), "linear")),
    ("scale_and_translate_cubic", lambda o: o.image.scale_and_translate(
        IMG, (2, 8, 4, 3), [1.6, 0.7], [0.3, -0.2], (1, 2), "bicubic", antialias=False)),
    ("scale_and_translate_lanczos", lambda o: o.image.scale_and_translate(
        IMG, (2, 3, 9, 3), [0.6, 1.5], [0.0, 0.5], (1, 2), "lanczos5")),
    ("scale_and_translate_uint8", lambda o: o.image.scale_and_translate(
        (IMG * 255).astype(np.uint8), (2, 4, 4, 3), [0.8, 0.7], [0, 0], (1, 2), "linear")),
    ("extract_patches_3d_same", lambda o: o.image.extract_patches_3d(
        VOL, 2, strides=(1, 2, 1), padding="same")),
    ("extract_patches_3d_dilated", lambda o: o.image.extract_patches_3d(
        VOL[0], (2, 2, 2), strides=1, dilation_rate=2)),
    ("extract_patches_stride", lambda o: o.image.extract_patches(IMG, (2, 3), strides=1)),
]


def _flat(result):
    """A result as a list of leaves (tensors, arrays or Python values)."""
    if isinstance(result, (tuple, list)):
        return [leaf for r in result for leaf in _flat(r)]
    return [result]


def _dtype(leaf):
    if isinstance(leaf, rg.Tensor):
        return str(leaf.dtype)
    if hasattr(leaf, "dtype"):
        return str(leaf.dtype).replace("torch.", "")
    return type(leaf).__name__


def test_values_shapes_and_dtypes_match_keras():
    failures = []
    for name, call in CASES:
        try:
            mine, theirs = _flat(call(rops)), _flat(call(kops))
        except Exception as e:          # reported with the others, not one at a time
            failures.append(f"{name}: raised {type(e).__name__}: {e}")
            continue
        if len(mine) != len(theirs):
            failures.append(f"{name}: {len(mine)} results, Keras {len(theirs)}")
            continue
        for m, t in zip(mine, theirs):
            if isinstance(t, (str, int)):
                if m != t:
                    failures.append(f"{name}: {m!r}, Keras {t!r}")
                continue
            got, want = value(m), value(t)
            if not isinstance(m, rg.Tensor):
                failures.append(f"{name}: returned {type(m).__name__}, not a Tensor")
            elif got.shape != want.shape:
                failures.append(f"{name}: shape {got.shape}, Keras {want.shape}")
            elif _dtype(m) != _dtype(t):
                failures.append(f"{name}: dtype {_dtype(m)}, Keras {_dtype(t)}")
            elif not np.allclose(got, want, rtol=2e-5, atol=2e-5, equal_nan=True):
                failures.append(f"{name}: values differ by {np.nanmax(np.abs(got - want))}")
    assert not failures, "\n".join(failures)


def _sparsemax(z, axis):
    """Martins & Astudillo's sparsemax: max(z − τ, 0), τ from the sorted support."""
    z = np.moveaxis(z, axis, -1)
    s = -np.sort(-z, axis=-1)
    k = np.arange(1, z.shape[-1] + 1)
    cs = np.cumsum(s, axis=-1)
    kz = (1 + k * s > cs).sum(-1, keepdims=True)
    tau = (np.take_along_axis(cs, kz - 1, -1) - 1) / kz
    return np.moveaxis(np.maximum(z - tau, 0), -1, axis)


def _blurred(images, size, sigma):
    """Each channel correlated with the normalised Gaussian, zero padding."""
    k = [np.exp(-0.5 * ((np.arange(n) - (n - 1) / 2) / s) ** 2) for n, s in zip(size, sigma)]
    kernel = np.outer(k[0] / k[0].sum(), k[1] / k[1].sum())
    p, q = size[0] // 2, size[1] // 2
    padded = np.pad(images, ((0, 0), (p, p), (q, q), (0, 0)))
    h, w = images.shape[1:3]
    return sum(kernel[i, j] * padded[:, i:i + h, j:j + w] for i in range(size[0])
               for j in range(size[1]))


# Where Keras 3.15's PyTorch backend departs from the NumPy semantics Keras documents
# (its symmetric pad replicates the edge, imag refuses real tensors, nonzero stacks the indices into one tensor,
# argpartition does not partition, sparsemax's τ sums the running sums, gaussian_blur
# mixes channels), NumPy, the sparsemax paper and a direct convolution are the oracles.
NUMPY_CASES = [
    ("pad_int_width", lambda: rops.pad(A, 1), np.pad(A, 1)),
    ("pad_symmetric", lambda: rops.pad(A, ((2, 1), (1, 3)), mode="symmetric"),
     np.pad(A, ((2, 1), (1, 3)), mode="symmetric")),
    ("pad_edge", lambda: rops.pad(A, ((1, 1), (0, 2)), mode="edge"),
     np.pad(A, ((1, 1), (0, 2)), mode="edge")),
    ("nonzero", lambda: rops.nonzero(I64 > 2), np.nonzero(I64 > 2)),
    ("imag", lambda: rops.imag(A), np.imag(A)),
    ("where_one", lambda: rops.where(A > 0), np.nonzero(A > 0)),
    ("argpartition", lambda: rops.sort(rops.take_along_axis(A, rops.argpartition(A, 1), 1)[
        :, :2]), np.sort(A, axis=1)[:, :2]),
    ("sparsemax", lambda: rops.sparsemax(A * 2), _sparsemax(A * 2, -1)),
    ("gaussian_blur", lambda: rops.image.gaussian_blur(IMG), _blurred(IMG, (3, 3), (1, 1))),
    ("gaussian_blur_5", lambda: rops.image.gaussian_blur(IMG, (5, 5), (1.5, 1.5)),
     _blurred(IMG, (5, 5), (1.5, 1.5))),
    ("sparsemax_axis0", lambda: rops.sparsemax(A, 0), _sparsemax(A, 0)),
    # Keras's x-first order: kernel_size/sigma [0] along the width, [1] the height
    ("gaussian_blur_3x5", lambda: rops.image.gaussian_blur(IMG, (3, 5), (0.8, 1.5)),
     _blurred(IMG, (5, 3), (1.5, 0.8))),
]


def test_numpy_semantics_where_keras_torch_departs():
    for name, call, want in NUMPY_CASES:
        got = call()
        got, want = ([value(g) for g in got], list(want)) if isinstance(got, tuple) else \
            ([value(got)], [want])
        assert len(got) == len(want), name
        for g, w in zip(got, want):
            assert g.shape == w.shape, f"{name}: {g.shape} vs {w.shape}"
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=name)
    assert np.allclose(value(rops.sparsemax(A * 2)).sum(-1), 1)


# Gradients: Σ w·f(x) with fixed weights w, backward on both sides (x of A's shape,
# or IMG's for the image and convolution functions).
GRAD_CASES = [
    ("slice", lambda o, x: o.slice(x, (1, 0), (2, 3))),
    ("slice_update", lambda o, x: o.slice_update(x, (0, 1), o.multiply(x[:2, :2], 3.0))),
    ("scatter", lambda o, x: o.scatter(np.array([[0, 1], [2, 3], [0, 1]]), x[0, :3], (3, 4))),
    ("scatter_update", lambda o, x: o.scatter_update(x, np.array([[0, 0], [2, 3]]),
                                                     o.square(x[1, :2]))),
    ("take", lambda o, x: o.take(x, np.array([2, 0, 2]), axis=1)),
    ("take_along_axis", lambda o, x: o.take_along_axis(x, IDX, axis=1)),
    ("scan", lambda o, x: o.scan(lambda c, r: (c * r + 1.0, c), o.ones(4), x)[1]),
    ("fori_loop", lambda o, x: o.fori_loop(0, 3, lambda i, v: o.tanh(v) * 2.0, x)),
    ("tile_repeat", lambda o, x: o.repeat(o.tile(x, (1, 2)), 2, axis=0)),
    ("pad", lambda o, x: o.pad(x, ((1, 2), (0, 1)), constant_values=1.0)),
    ("pad_reflect", lambda o, x: o.pad(x, ((2, 1), (1, 3)), mode="reflect")),
    ("moveaxis_flip_roll", lambda o, x: o.roll(o.flip(o.moveaxis(x, 0, 1), 0), 1)),
    ("rot90", lambda o, x: o.rot90(x, 3)),
    ("sort", lambda o, x: o.sort(x)), ("top_k", lambda o, x: o.top_k(x, 2)[0]),
    ("cumsum", lambda o, x: o.cumsum(x, axis=0)), ("cumprod", lambda o, x: o.cumprod(x, 1)),
    ("einsum", lambda o, x: o.einsum("ij,kj->ik", x, C)),
    ("tensordot", lambda o, x: o.tensordot(x, C, axes=([1], [1]))),
    ("outer", lambda o, x: o.outer(x[0], x[1])), ("kron", lambda o, x: o.kron(x[:2, :2], SQ)),
    ("cross", lambda o, x: o.cross(x[:2, :3], C[:2, :3])),
    ("tril", lambda o, x: o.tril(x, -1)), ("diagonal", lambda o, x: o.diagonal(x, 1)),
    ("trace", lambda o, x: o.trace(x)), ("diag", lambda o, x: o.diag(x[0])),
    ("prod", lambda o, x: o.prod(x, axis=1)), ("prod_all", lambda o, x: o.prod(x)),
    ("average", lambda o, x: o.average(x, axis=1, weights=P[0])),
    ("mod", lambda o, x: o.mod(x * 3, 1.5)), ("hypot", lambda o, x: o.hypot(x, C)),
    ("logaddexp", lambda o, x: o.logaddexp(x, C)), ("sinc", lambda o, x: o.sinc(x)),
    ("tan_sinh_cosh", lambda o, x: o.tan(x * 0.5) + o.sinh(x) + o.cosh(x)),
    ("special", lambda o, x: o.log1p(o.abs(x)) + o.expm1(x) + o.erf(x)
     + o.erfinv(o.tanh(x) * 0.9) + o.rsqrt(o.abs(x) + 1) + o.arctan(x) + o.arcsinh(x)
     + o.arcsin(o.tanh(x)) + o.cbrt(x) + o.arctan2(x, C)),
    ("median", lambda o, x: o.median(x, axis=1)),
    ("quantile", lambda o, x: o.quantile(x, np.array([0.2, 0.7]), axis=0)),
    ("diff", lambda o, x: o.diff(x, 2, axis=1)), ("trapezoid", lambda o, x: o.trapezoid(x)),
    ("log2_exp2", lambda o, x: o.log2(o.abs(x) + 1) + o.exp2(x) + o.reciprocal(x + 3)),
    ("divide_no_nan", lambda o, x: o.divide_no_nan(x, VEC)),
    ("nan_to_num", lambda o, x: o.nan_to_num(x)),
    ("meshgrid", lambda o, x: o.meshgrid(x[0], x[1])[1]),
    ("hstack_append", lambda o, x: o.append(o.hstack([x, C]), o.hstack([C, x]), axis=0)),
    ("activations", lambda o, x: o.relu6(x * 4) + o.hard_sigmoid(x * 4) + o.hard_silu(x)
     + o.log_sigmoid(x) + o.celu(x, 0.7) + o.softsign(x) + o.squareplus(x)
     + o.sparse_plus(x) + o.tanh_shrink(x) + o.hard_tanh(x) + o.soft_shrink(x)
     + o.hard_shrink(x) + o.threshold(x, 0.1, 2.0)),
    ("glu", lambda o, x: o.glu(x)),
    ("normalize", lambda o, x: o.normalize(x)),
    ("moments", lambda o, x: o.moments(x, axes=[1])[1]),
    ("batch_normalization", lambda o, x: o.batch_normalization(x, VEC, P[0], 1, C[0], P[1])),
    ("layer_normalization", lambda o, x: o.layer_normalization(x, P[0], C[0])),
    ("rms_normalization", lambda o, x: o.rms_normalization(x, P[0])),
    ("attention", lambda o, x: o.dot_product_attention(o.reshape(x, (1, 3, 2, 2)),
                                                        o.reshape(C, (1, 3, 2, 2)),
                                                        o.reshape(x, (1, 3, 2, 2)),
                                                        is_causal=True)),
    ("psnr", lambda o, x: o.psnr(x, C, 2.0)),
    ("ctc_loss", lambda o, x: o.ctc_loss(np.array([[1, 1], [1, 0], [1, 0]]),
                                         o.concatenate([o.reshape(x, (3, 2, 2))] * 2, 1),
                                         np.array([2, 1, 1]), np.array([4, 2, 1]))),
    ("segments", lambda o, x: o.segment_sum(x, np.array([1, 0, 1]))
     + o.segment_max(x, np.array([1, 0, 1]))),
    ("select_ptp", lambda o, x: o.select([x > 0.5], [o.square(x)], C) + o.ptp(x, axis=0)),
    ("nanmax_erfc", lambda o, x: o.nanmax(x, axis=1) + o.erfc(x[:, 0])),
    ("corrcoef", lambda o, x: o.corrcoef(x)),
    ("correlate", lambda o, x: o.correlate(x[0], x[1, :3], mode="same")),
    ("extract_sequences", lambda o, x: o.extract_sequences(x, 3, 1)),
    ("associative_scan", lambda o, x: o.associative_scan(lambda a, b: a * b, x, axis=1)),
    ("vectorize", lambda o, x: o.vectorize(lambda a: a * a + 1.0)(x)),
    ("fft", lambda o, x: o.fft((x, C))[0] * 2.0 + o.fft2((x, o.square(x)))[1]),
    ("rfft_irfft", lambda o, x: o.irfft(o.rfft(x * x, 6), 6) + o.rfft(x)[1][:, :1]),
    ("stft", lambda o, x: o.stft(o.reshape(x, (2, 6)), 4, 2, 4)[0]),
    ("istft", lambda o, x: o.istft((o.reshape(x, (2, 2, 3)), o.reshape(C, (2, 2, 3))),
                                   4, 2, 4)),
    ("rearrange", lambda o, x: o.rearrange(x, "(a b) (c d) -> (d a) c b", b=1, d=2)),
]
IMG_GRAD_CASES = [
    ("conv", lambda o, x: o.conv(x, K2, strides=2, padding="same")),
    ("depthwise_conv", lambda o, x: o.depthwise_conv(x, DW)),
    ("conv_transpose", lambda o, x: o.conv_transpose(x, KT, strides=2, padding="same")),
    ("max_pool", lambda o, x: o.max_pool(x, 3, strides=2, padding="same")),
    ("average_pool", lambda o, x: o.average_pool(x, 2, padding="same")),
    ("adaptive_average_pool", lambda o, x: o.adaptive_average_pool(x, (2, 4))),
    ("resize", lambda o, x: o.image.resize(x, (7, 4))),
    ("resize_nearest", lambda o, x: o.image.resize(x, (3, 8), interpolation="nearest")),
    ("extract_patches", lambda o, x: o.image.extract_patches(x, 2)),
    ("affine_transform", lambda o, x: o.image.affine_transform(x, AFFINE, fill_mode="reflect")),
    ("ssim", lambda o, x: o.image.ssim(x, IMG[::-1], filter_size=3)),
    ("scale_and_translate", lambda o, x: o.image.scale_and_translate(
        x, (2, 3, 9, 3), [0.6, 1.5], [0.0, 0.5], (1, 2), "cubic")),
    ("extract_patches_3d", lambda o, x: o.image.extract_patches_3d(
        o.reshape(x, (2, 5, 6, 3, 1)), 2, strides=1)),
    ("sobel_hsv", lambda o, x: o.image.hsv_to_rgb(x)
     + o.sum(o.image.sobel_edges(x), axis=-1) + o.image.rgb_to_hsv(x + 0.1)),
    ("space_depth", lambda o, x: o.depth_to_space(o.space_to_depth(x[:, :4, :4], 2) * 2.0, 2)),
    ("grayscale_crop_pad", lambda o, x: o.image.pad_images(o.image.crop_images(
        o.image.rgb_to_grayscale(x), 1, 1, 1, 2), 1, 0, 0, 2)),
]


def test_gradients_match_keras():
    failures = []
    for x0, cases in ((A, GRAD_CASES), (IMG, IMG_GRAD_CASES)):
        for name, call in cases:
            x = rg.tensor(x0, requires_grad=True)
            xt = torch.tensor(x0, requires_grad=True)
            try:
                y = call(rops, x)
                w = np.linspace(0.5, 1.5, int(np.prod(y.shape)),
                                dtype=np.float32).reshape(y.shape)
                (y * rg.tensor(w)).sum().backward()
                (call(kops, xt) * torch.tensor(w)).sum().backward()
            except Exception as e:      # reported with the others
                failures.append(f"{name}: raised {type(e).__name__}: {e}")
                continue
            if not np.allclose(value(x.grad), xt.grad.numpy(), rtol=1e-4, atol=1e-5):
                failures.append(f"{name}: gradients differ by "
                                f"{np.abs(value(x.grad) - xt.grad.numpy()).max()}")
    assert not failures, "\n".join(failures)


def test_symbolic_inputs_make_nodes_of_a_functional_model():
    """On KerasTensors the functions record nodes of Keras's shapes; the model built
    from them computes what the eager calls compute."""
    x, kx = rk.Input(shape=(5, 6, 3)), keras.Input(shape=(5, 6, 3))
    calls = [lambda o, t: o.image.resize(t, (4, 4)),
             lambda o, t: o.max_pool(t, 2, padding="same"),
             lambda o, t: o.top_k(o.reshape(t, (-1, 90)), 3)[0],
             lambda o, t: o.pad(t, ((0, 0), (1, 1), (0, 2), (0, 0))),
             lambda o, t: o.moveaxis(o.sort(t, axis=2), -1, 1),
             lambda o, t: o.cumsum(o.log1p(o.abs(t)), axis=1)]
    outs = []
    for call in calls:
        ours, theirs = call(rops, x), call(kops, kx)
        assert isinstance(ours, rk.KerasTensor) and ours.shape == tuple(theirs.shape)
        outs.append(ours)
    model = rk.Model(x, outs)
    got = model(rg.tensor(IMG))
    for call, g in zip(calls, got):
        np.testing.assert_allclose(value(g), value(call(rops, IMG)), rtol=1e-6, atol=1e-6)


def test_custom_gradient_uses_the_given_backward():
    @rops.custom_gradient
    def clipped_identity(x):
        def grad(*args, upstream=None):          # Keras's documented form
            upstream = args[0] if upstream is None else upstream
            return rops.clip(upstream, -0.5, 0.5)
        return x * 1.0, grad

    @rops.custom_gradient
    def log1pexp(x):
        e = rops.exp(x)
        return rops.log(1 + e), lambda g: g * (1 - 1 / (1 + e))   # TF/JAX form

    x = rg.tensor(A, requires_grad=True)
    (clipped_identity(x) * 3.0).sum().backward()
    np.testing.assert_allclose(value(x.grad), np.full(A.shape, 0.5))
    x = rg.tensor(np.array([0.0, 100.0], np.float32), requires_grad=True)
    y = log1pexp(x)
    y.sum().backward()
    np.testing.assert_allclose(value(x.grad), [0.5, 1.0], rtol=1e-6)
    assert np.isfinite(value(x.grad)).all()


def test_bad_arguments_raise_keras_error_types_naming_the_function():
    cases = [
        (ValueError, r"keras\.ops\.split: an axis of size 4", lambda: rops.split(A, 3, 1)),
        (ValueError, r"keras\.ops\.moveaxis: axis 3 is out of bounds",
         lambda: rops.moveaxis(A, 3, 0)),
        (ValueError, r"keras\.ops\.broadcast_to: a tensor of shape \(3, 4\)",
         lambda: rops.broadcast_to(A, (2, 4))),
        (RuntimeError, r"keras\.ops\.top_k: k=5", lambda: rops.top_k(A, 5)),
        (IndexError, r"keras\.ops\.take: indices from 0 to 7",
         lambda: rops.take(A, np.array([0, 7]), axis=1)),
        (ValueError, r"keras\.ops\.slice_update: updates of shape \(2, 2\)",
         lambda: rops.slice_update(A, (2, 3), C[:2, :2])),
        (ValueError, r"keras\.ops\.pad: mode 'reflect' pads by less",
         lambda: rops.pad(A, ((3, 0), (0, 0)), mode="reflect")),
        (ValueError, r"keras\.ops\.quantile: q must be in \[0, 1\]",
         lambda: rops.quantile(A, 1.5)),
        (ValueError, r"keras\.ops\.nn\.glu: axis -1 .* even size", lambda: rops.glu(A[:, :3])),
        (ValueError, r"keras\.ops\.nn\.conv: inputs must be", lambda: rops.conv(A, K2)),
        (ValueError, r"keras\.ops\.nn\.max_pool: padding must be 'valid' or 'same'",
         lambda: rops.max_pool(IMG, 2, padding="full")),
        (ValueError, r"keras\.ops\.nn\.dot_product_attention: only 4D",
         lambda: rops.dot_product_attention(A, A, A)),
        (ValueError, r"keras\.ops\.image\.resize: invalid images rank",
         lambda: rops.image.resize(A, (2, 2))),
        (ValueError, r"keras\.ops\.image\.crop_images: give exactly two",
         lambda: rops.image.crop_images(IMG, 1, 1, 1, 1, 1)),
        (ValueError, r"keras\.ops\.unstack: num=2", lambda: rops.unstack(A, num=2)),
        (ValueError, r"keras\.ops\.scatter: values of shape \(2,\)",
         lambda: rops.scatter(np.array([[0, 1]]), VEC[:2], (3, 4))),
        (ValueError, r"keras\.ops\.where: give both", lambda: rops.where(A > 0, A)),
        (NotImplementedError, r"keras\.ops\.nn\.max_pool: 3-D inputs .* not supported",
         lambda: rops.max_pool(VOL, 2)),
        (IndexError, r"keras\.ops\.argmax: the reduced axis 0 .* \(0, 4\) is empty",
         lambda: rops.argmax(A[:0], axis=0)),
        (IndexError, r"keras\.ops\.argmin: the reduced axis None", lambda: rops.argmin(A[:0])),
    ]
    for error, match, call in cases:
        with pytest.raises(error, match=match):
            call()
    for error, call in ((RuntimeError, lambda k: k.top_k(A, 5)),  # Keras's types too
                        (ValueError, lambda k: k.image.resize(A, (2, 2))),
                        (ValueError, lambda k: k.dot_product_attention(A, A, A)),
                        (IndexError, lambda k: k.argmax(A[:0], axis=0))):
        with pytest.raises(error):
            call(kops)


def test_keras_io_style_layer_with_new_ops_trains():
    """A custom layer in the keras-io style whose call uses several of the new ops."""
    class PatchMixer(rk.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(12, 12), initializer="glorot_uniform")
            self.g = self.add_weight(shape=(12,), initializer="ones")

        def call(self, images):
            x = rops.image.resize(images, (4, 4))
            p = rops.image.extract_patches(x, 2)                    # (B, 2, 2, 12)
            p = rops.reshape(p, (-1, 4, 12))
            h = rops.nn.rms_normalization(rops.einsum("bpc,cd->bpd", p, self.w), self.g)
            h = rops.hard_silu(h) + rops.log1p(rops.abs(h))
            return rops.mean(rops.top_k(h, 3)[0], axis=(1, 2))[:, None]

    rk.utils.set_random_seed(0)
    inputs = rk.Input(shape=(5, 6, 3))
    model = rk.Model(inputs, rk.layers.Dense(1)(PatchMixer()(inputs)))
    model.compile(optimizer=rk.optimizers.Adam(0.05), loss="mse")
    y = IMG.mean(axis=(1, 2, 3))[:, None] * 4
    history = model.fit(IMG, y, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_functions_run_on_the_device_of_their_inputs(fake_cuda):
    """The gradient cases on device "cuda" (the fake CuPy: NumPy with CuPy's
    host/device strictness) give the CPU's values and gradients."""
    failures = []
    # erfinv needs cupyx.scipy; the fake CuPy does not imitate CuPy's gcd/lcm.
    skip = {"erfinv", "gcd", "lcm"}
    for name, call in CASES:                    # NumPy inputs land on the default device
        if name in skip:
            continue
        results = []
        for device in ("cpu", "cuda"):
            rg.set_default_device(device)
            try:
                results.append([value(r.cpu()) if isinstance(r, rg.Tensor) else r
                                for r in _flat(call(rops))])
            except Exception as e:
                failures.append(f"{name} on {device}: {type(e).__name__}: {e}")
                break
            finally:
                rg.set_default_device("cpu")
        if len(results) == 2 and not all(
                a == b if isinstance(a, (str, int)) else np.allclose(a, b, equal_nan=True)
                for a, b in zip(*results)):
            failures.append(f"{name}: cuda differs from cpu")
    for x0, cases in ((A, GRAD_CASES), (IMG, IMG_GRAD_CASES)):
        for name, call in cases:
            if name == "special":       # erfinv on CuPy needs cupyx.scipy (retrograd's)
                continue
            grads = []
            for device in ("cpu", "cuda"):
                rg.set_default_device(device)
                try:
                    x = rg.tensor(x0, requires_grad=True)
                    y = call(rops, x)
                    assert y.device.type == device, f"result on {y.device}"
                    (y * y).sum().backward()
                    grads.append((value(y.detach().cpu()), value(x.grad.cpu())))
                except Exception as e:
                    failures.append(f"{name} on {device}: {type(e).__name__}: {e}")
                    break
                finally:
                    rg.set_default_device("cpu")
            if len(grads) == 2:
                for a, b in zip(*grads):
                    if not np.allclose(a, b, rtol=1e-5, atol=1e-6):
                        failures.append(f"{name}: cuda differs from cpu")
    assert not failures, "\n".join(failures)


def test_float64_gradients_match_finite_differences_and_forward_mode():
    """The composed functions in float64: backward against central differences and
    forward mode (jvp) against reverse mode."""
    from harness import check_grad, check_jvp
    names = {"slice_update", "scatter", "scatter_update", "take_along_axis", "pad_reflect",
             "cumprod", "tensordot", "prod", "mod", "logaddexp", "median", "quantile",
             "activations", "normalize", "layer_normalization", "attention", "segments",
             "corrcoef", "correlate", "select_ptp", "ctc_loss"}
    x64 = A.astype(np.float64)
    for name, call in GRAD_CASES:
        if name in names:
            f = functools.partial(call, rops)
            check_grad(f, x64)
            check_jvp(f, x64)
    small = IMG[:1, :4, :4, :2].astype(np.float64)
    for f in (lambda x: rops.image.resize(x, (3, 5)),
              lambda x: rops.sparsemax(rops.reshape(x, (4, 8)) * 3.0),
              lambda x: rops.max_pool(x, 3, strides=2, padding="same"),
              lambda x: rops.depthwise_conv(x, DW[:, :, :2].astype(np.float64)),
              lambda x: rops.image.gaussian_blur(x, (3, 3), (0.8, 1.2)),
              lambda x: rops.image.affine_transform(x, AFFINE[:1], fill_mode="mirror")):
        check_grad(f, small)
        check_jvp(f, small)


def test_elastic_transform_displaces_by_a_seeded_smooth_field():
    """Keras's values come from its own random numbers: checked by properties."""
    still = rops.image.elastic_transform(IMG, alpha=0.0, seed=1)
    np.testing.assert_allclose(value(still), IMG, atol=1e-6)       # no displacement
    one = value(rops.image.elastic_transform(IMG, 5.0, 2.0, seed=1))
    assert np.array_equal(one, value(rops.image.elastic_transform(IMG, 5.0, 2.0, seed=1)))
    assert not np.allclose(one, value(rops.image.elastic_transform(IMG, 5.0, 2.0, seed=2)))
    assert one.shape == IMG.shape and one.dtype == np.float32
    x = rg.tensor(IMG, requires_grad=True)
    rops.image.elastic_transform(x, 3.0, 2.0, seed=3).sum().backward()
    # Each output pixel spreads a total weight of 1 over the input ("reflect" fill).
    np.testing.assert_allclose(float(x.grad.sum()), IMG.size, rtol=1e-5)
    with pytest.raises(ValueError, match=r"keras\.ops\.image\.elastic_transform: invalid"):
        rops.image.elastic_transform(IMG, interpolation="cubic")
