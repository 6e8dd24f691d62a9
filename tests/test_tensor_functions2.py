"""PyTorch's everyday reductions, scans, shape and indexing functions: prod, the order
statistics (median, mode, kthvalue, quantile), the NaN reductions, cummax/cummin/
logcumsumexp/diff, narrow/select/unbind/take/diagonal/index_add…, movedim/tile/
repeat_interleave/rot90…, hstack/meshgrid/block_diag…, searchsorted/histc/bincount.

One table of differentiable cases, each checked against finite differences, forward
mode and PyTorch (float64 and float32), written as ``retrograd.f`` (the top-level
spellings); then tables of index/count results, dtypes, method spellings and
PyTorch's error types, one loop on every device, and tutorial idioms."""
import numpy as np
import pytest
from harness import check_grad, check_jvp, compare_torch
from hypothesis import given, settings
from hypothesis import strategies as st

import retrograd as rg
from retrograd.missing import TENSOR_METHODS, NotSupportedError

torch = pytest.importorskip("torch", reason="PyTorch is the oracle of these tests")

NAN = np.nan
ZEROS = np.array([[2.0, 0.0, 3.0, -1.5], [0.5, -1.0, 0.0, 0.0], [1.0, 2.0, -0.5, 3.0]])
WITH_NAN = np.array([[0.3, NAN, -1.2, 2.5, 0.7], [NAN, NAN, NAN, 1.5, -0.4]])
# Integer-valued, with ties: mode's answer is then well defined.
TIES = np.array([[1.0, 3.0, 3.0, 1.0, 2.0, 2.0, 3.0], [5.0, 4.0, 1.0, 1.0, 7.0, 4.0, 4.0]])


def _both(f):
    """One lambda written with ``lib`` (retrograd or torch) as two functions."""
    return (lambda *xs: f(rg, *xs)), (lambda *xs: f(torch, *xs))


def _i(lib, values):
    return lib.tensor(np.asarray(values, dtype=np.int64))


def _mask(lib, values):
    return lib.tensor(np.asarray(values, dtype=bool))


# name: (f(lib, *inputs) -> one tensor, input shapes or arrays, finite differences?)
CASES = {
    "prod_all": (lambda L, x: L.prod(x), [(2, 3)], True),
    "prod_dim_keepdim": (lambda L, x: L.prod(x, 1, keepdim=True), [(3, 4)], True),
    "prod_zeros": (lambda L, x: L.prod(x, 1), [ZEROS], True),
    "prod_zeros_dim0": (lambda L, x: L.prod(x, 0), [ZEROS], True),
    "prod_all_one_zero": (lambda L, x: L.prod(x), [ZEROS[2:3] * ZEROS[:1]], True),
    "unbind": (lambda L, x: L.stack(x.unbind(1), 0) * 2, [(2, 3)], True),
    "tile": (lambda L, x: L.tile(x, (2, 1, 2)), [(2, 3)], True),
    "repeat_interleave_int": (lambda L, x: L.repeat_interleave(x, 2, dim=1), [(2, 3)], True),
    "repeat_interleave_tensor": (lambda L, x: L.repeat_interleave(x, _i(L, [2, 0, 1]), 0),
                                 [(3, 2)], True),
    "repeat_interleave_flat": (lambda L, x: L.repeat_interleave(x, 3), [(2, 2)], True),
    "narrow": (lambda L, x: L.narrow(x, 1, -3, 2), [(2, 4)], True),
    "select": (lambda L, x: L.select(x, 0, -1), [(3, 4)], True),
    "movedim": (lambda L, x: L.movedim(x, (0, 1), (2, 0)), [(2, 3, 4)], True),
    "moveaxis": (lambda L, x: L.moveaxis(x, -1, 0), [(2, 3, 4)], True),
    "swapaxes": (lambda L, x: L.swapaxes(x, 0, 2), [(2, 3, 4)], True),
    "swapdims": (lambda L, x: L.swapdims(x, -1, 1), [(2, 3, 4)], True),
    "take": (lambda L, x: L.take(x, _i(L, [[0, 5], [-1, 5]])), [(2, 3)], True),
    "take_along_dim": (lambda L, x: L.take_along_dim(x, _i(L, [[2, 0], [1, 1], [0, 3]]), 1),
                       [(3, 4)], True),
    "take_along_dim_broadcast": (lambda L, x: L.take_along_dim(
        x, _i(L, [[[1, 0], [0, 2]]]), dim=2), [(3, 1, 4)], True),
    "take_along_dim_flat": (lambda L, x: L.take_along_dim(x, _i(L, [5, 0, 5])), [(2, 3)],
                            True),
    "masked_select": (lambda L, x: L.masked_select(x, _mask(L, [[True, False, True, True]])),
                      [(3, 4)], True),
    "masked_scatter": (lambda L, x, s: x.masked_scatter(
        _mask(L, [[True, False, True], [False, True, True]]), s), [(2, 3), (2, 3)], True),
    "hstack": (lambda L, a, b: L.hstack([a, b]), [(2, 3), (2, 1)], True),
    "hstack_1d": (lambda L, a, b: L.hstack((a, b)), [(3,), (2,)], True),
    "vstack": (lambda L, a, b: L.vstack([a, b]), [(3,), (2, 3)], True),
    "row_stack": (lambda L, a, b: L.row_stack([a, b]), [(2, 3), (1, 3)], True),
    "dstack": (lambda L, a, b: L.dstack([a, b]), [(2, 3), (2, 3)], True),
    "column_stack": (lambda L, a, b: L.column_stack([a, b]), [(3,), (3, 2)], True),
    "meshgrid_ij": (lambda L, a, b: L.stack(L.meshgrid(a, b, indexing="ij")), [(3,), (2,)],
                    True),
    "meshgrid_xy": (lambda L, a, b, c: L.stack(L.meshgrid(a, b, c, indexing="xy")),
                    [(3,), (2,), (2,)], True),
    "broadcast_tensors": (lambda L, a, b: L.stack(L.broadcast_tensors(a, b)) * 1.5,
                          [(3, 1), (1, 4)], True),
    "unflatten": (lambda L, x: L.unflatten(x, 1, (2, -1)), [(2, 6)], True),
    "atleast_3d": (lambda L, x: L.atleast_3d(x), [(3,)], True),
    "atleast_2d": (lambda L, a, b: L.cat(L.atleast_2d(a, b), 0), [(3,), (1, 3)], True),
    "fliplr": (lambda L, x: L.fliplr(x), [(2, 3)], True),
    "flipud": (lambda L, x: L.flipud(x), [(2, 3)], True),
    "rot90": (lambda L, x: L.rot90(x), [(2, 3)], True),
    "rot90_k2": (lambda L, x: L.rot90(x, 2, (1, 2)), [(2, 3, 2)], True),
    "rot90_k3": (lambda L, x: L.rot90(x, -1, [0, 1]), [(2, 3)], True),
    "diagonal": (lambda L, x: L.diagonal(x), [(3, 4)], True),
    "diagonal_offset_dims": (lambda L, x: L.diagonal(x, -1, 2, 0), [(4, 2, 3)], True),
    "diag_embed": (lambda L, x: L.diag_embed(x), [(2, 3)], True),
    "diag_embed_offset_dims": (lambda L, x: L.diag_embed(x, 1, 0, 2), [(2, 3)], True),
    "cartesian_prod": (lambda L, a, b: L.cartesian_prod(a, b), [(3,), (2,)], True),
    "block_diag": (lambda L, a, b, c: L.block_diag(a, b, c), [(2, 2), (3,), ()], True),
    "combinations": (lambda L, x: L.combinations(x, 2), [(4,)], True),
    "combinations_replacement": (lambda L, x: L.combinations(x, 3, with_replacement=True),
                                 [(3,)], True),
    "median_all": (lambda L, x: L.median(x), [(3, 4)], True),
    "median_dim": (lambda L, x: L.median(x, 1).values, [(3, 4)], True),
    "median_dim_keepdim": (lambda L, x: L.median(x, 0, keepdim=True).values, [(3, 5)], True),
    "nanmedian_dim": (lambda L, x: L.nanmedian(x, 1).values, [WITH_NAN], True),
    "nanmedian_all": (lambda L, x: L.nanmedian(x), [WITH_NAN], True),
    "kthvalue": (lambda L, x: L.kthvalue(x, 2, 0).values, [(3, 4)], True),
    "mode": (lambda L, x: L.mode(x, 1).values, [TIES], False),
    "quantile_linear": (lambda L, x: L.quantile(x, L.tensor([0.1, 0.5, 0.9], dtype=x.dtype),
                                                dim=1, keepdim=True), [(2, 5)], True),
    "quantile_all": (lambda L, x: L.quantile(x, 0.3), [(3, 4)], True),
    "quantile_lower": (lambda L, x: L.quantile(x, 0.4, 0, interpolation="lower"), [(5, 2)],
                       True),
    "quantile_higher": (lambda L, x: L.quantile(x, 0.4, 0, interpolation="higher"), [(5, 2)],
                        True),
    "quantile_midpoint": (lambda L, x: L.quantile(x, 0.4, 0, interpolation="midpoint"),
                          [(5, 2)], True),
    "quantile_nearest": (lambda L, x: L.quantile(
        x, L.tensor([0.125, 0.375, 0.625], dtype=x.dtype), 0, interpolation="nearest"),
        [(5, 2)], True),
    "nanquantile": (lambda L, x: L.nanquantile(x, L.tensor([0.25, 0.8], dtype=x.dtype), 1),
                    [WITH_NAN], True),
    "nansum": (lambda L, x: L.nansum(x, 1), [WITH_NAN], True),
    "nanmean": (lambda L, x: L.nanmean(x, 1, keepdim=True), [WITH_NAN[:, :4]], True),
    "var_mean": (lambda L, x: sum(L.var_mean(x, 1)), [(2, 4)], True),
    "std_mean": (lambda L, x: sum(L.std_mean(x, dim=0, correction=0)), [(3, 2)], True),
    "aminmax": (lambda L, x: L.aminmax(x, dim=1).min + 2 * L.aminmax(x, dim=1).max,
                [(3, 4)], True),
    "aminmax_all": (lambda L, x: L.aminmax(x).max - L.aminmax(x).min, [(3, 4)], True),
    "cummax": (lambda L, x: L.cummax(x, 1).values, [(3, 5)], True),
    "cummin": (lambda L, x: L.cummin(x, 0).values, [(5, 3)], True),
    "logcumsumexp": (lambda L, x: L.logcumsumexp(x, 1), [(2, 5)], True),
    "logcumsumexp_far_apart": (lambda L, x: L.logcumsumexp(x * 400, 0), [(4, 2)], True),
    "diff": (lambda L, x: L.diff(x), [(2, 5)], True),
    "diff_n2_prepend_append": (lambda L, x, p, a: L.diff(x, 2, 0, p, a),
                               [(3, 2), (1, 2), (2, 2)], True),
    "index_add": (lambda L, x, s: L.index_add(x, 1, _i(L, [2, 0, 2]), s, alpha=-2.0),
                  [(2, 4), (2, 3)], True),
    "index_copy": (lambda L, x, s: L.index_copy(x, 0, _i(L, [3, 1]), s), [(4, 2), (2, 2)],
                   True),
    "index_fill": (lambda L, x: x.index_fill(1, _i(L, [0, 2]), -1.0), [(2, 3)], True),
}


def _arrays(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [s if isinstance(s, np.ndarray) else rng.standard_normal(s) for s in shapes]


def test_differentiable_functions_against_finite_differences_forward_mode_and_pytorch():
    for name, (f, shapes, fd) in CASES.items():
        ours, theirs = _both(f)
        arrays = _arrays(shapes)
        try:
            if fd:
                check_grad(ours, *arrays)
                check_jvp(ours, *arrays)
            compare_torch(ours, theirs, *arrays)
            # float32: the dtype kept, values and gradients as PyTorch's float32
            xs = [rg.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
            ts = [torch.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
            y, yt = ours(*xs), theirs(*ts)
            assert y.dtype == np.float32 and tuple(y.shape) == tuple(yt.shape)
            np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
            v = np.random.default_rng(3).standard_normal(y.shape).astype(np.float32)
            y.backward(v)
            yt.backward(torch.tensor(v))
            for a, b in zip(xs, ts):
                assert a.grad.dtype == np.float32
                np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5,
                                           atol=1e-5)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


def _same(ours, theirs, name):
    """Values, shape and dtype of a (tuple of) result(s) as PyTorch's."""
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs), name
        if hasattr(theirs, "_fields") or hasattr(type(theirs), "n_fields"):
            assert type(ours).__name__ == type(theirs).__name__.split(".")[-1], name
        for a, b in zip(ours, theirs):
            _same(a, b, name)
        return
    b = theirs.numpy()
    assert tuple(ours.shape) == b.shape, (name, ours.shape, b.shape)
    assert ours.dtype == b.dtype, (name, ours.dtype, b.dtype)
    np.testing.assert_allclose(ours.numpy(), b, rtol=1e-6, atol=1e-12, err_msg=name)


# Results with indices, counts and dtypes: f(lib) -> a tensor or a tuple of tensors.
RESULTS = {
    "median_indices": lambda L: L.median(L.tensor(TIES), 1),
    "median_nan": lambda L: L.median(L.tensor(WITH_NAN), 1),
    "median_nan_all": lambda L: L.median(L.tensor([1.0, NAN, 3.0, NAN])),
    "median_empty": lambda L: L.median(L.tensor(np.zeros(0))),
    "median_int": lambda L: L.median(_i(L, [[1, 2], [3, 4]]), 1),
    "median_0d": lambda L: L.median(L.tensor(3.0), 0, keepdim=True),
    "nanmedian_indices": lambda L: L.nanmedian(L.tensor(WITH_NAN), 1, keepdim=True),
    "mode": lambda L: L.mode(L.tensor(TIES)),
    "mode_dim0_int": lambda L: L.mode(_i(L, TIES.T), 0),
    "mode_nan": lambda L: L.mode(L.tensor([2.0, NAN, NAN]), 0),
    "kthvalue": lambda L: L.kthvalue(L.tensor(ZEROS[2:]), 3, 1, True),
    "cummax": lambda L: L.cummax(L.tensor(TIES), 1),
    "cummin": lambda L: L.cummin(L.tensor(TIES), 1),
    "cummax_int": lambda L: L.cummax(_i(L, [1, 3, 3, 2, 5, 5]), 0),
    "cummax_nan": lambda L: L.cummax(L.tensor([1.0, NAN, 3.0, NAN, 0.0]), 0),
    "cummin_0d": lambda L: L.cummin(L.tensor(2.0), 0),
    "aminmax_int": lambda L: L.aminmax(_i(L, TIES), dim=0, keepdim=True),
    "prod_int": lambda L: L.prod(_i(L, [[1, 2], [3, -4]]), 0),
    "prod_bool": lambda L: L.prod(L.tensor([True, True])),
    "prod_dtype": lambda L: L.prod(L.tensor([1.5, 2.0], dtype=L.float32), dtype=L.float64),
    "prod_empty": lambda L: L.prod(L.tensor(np.zeros((2, 0))), 1),
    "nansum_int": lambda L: L.nansum(_i(L, [1, 2])),
    "nansum_all": lambda L: L.nansum(L.tensor(WITH_NAN)),
    "nanmean_all_nan": lambda L: L.nanmean(L.tensor(WITH_NAN[:, 1:3]), 0),
    "count_nonzero": lambda L: L.count_nonzero(L.tensor(ZEROS), dim=(0, 1)),
    "count_nonzero_dim": lambda L: L.count_nonzero(L.tensor(ZEROS), 1),
    "count_nonzero_all": lambda L: L.count_nonzero(L.tensor(ZEROS)),
    "quantile_nan": lambda L: L.quantile(L.tensor(WITH_NAN), 0.5, dim=1),
    "quantile_keepdim_all": lambda L: L.quantile(L.tensor(ZEROS), L.tensor([0.2, 0.7],
                                                 dtype=L.float64), keepdim=True),
    "quantile_0d_q": lambda L: L.quantile(L.tensor(ZEROS), L.tensor(0.5, dtype=L.float64),
                                          1, keepdim=True),
    "nanquantile_all_nan": lambda L: L.nanquantile(L.tensor(WITH_NAN[:, 1:3]), 0.5, 0),
    "searchsorted": lambda L: L.searchsorted(L.tensor([1.0, 2, 2, 3]),
                                             L.tensor([[2.0, 0.5], [3.5, 1.0]])),
    "searchsorted_right": lambda L: L.searchsorted(L.tensor([1.0, 2, 2, 3]),
                                                   L.tensor([2.0, 0.5]), right=True),
    "searchsorted_side_int32": lambda L: L.searchsorted(
        L.tensor([1.0, 2, 2, 3]), L.tensor([2.0]), side="right", out_int32=True),
    "searchsorted_rows": lambda L: L.searchsorted(L.tensor([[1.0, 3, 5], [2, 4, 6]]),
                                                  L.tensor([[3.0, 6.0], [1.0, 4.0]])),
    "searchsorted_sorter": lambda L: L.searchsorted(L.tensor([3.0, 1, 2]), L.tensor([2.5]),
                                                    sorter=_i(L, [1, 2, 0])),
    "searchsorted_scalar": lambda L: L.searchsorted(L.tensor([1.0, 2, 3]), 2.0),
    "bucketize": lambda L: L.bucketize(L.tensor([[0.5, 2.0], [3.0, 9.0]]),
                                       L.tensor([1.0, 2.0, 3.0])),
    "bucketize_right": lambda L: L.bucketize(_i(L, [1, 2, 4]), _i(L, [1, 2, 3]), right=True),
    "histc": lambda L: L.histc(L.tensor([1.0, 2, 1, 2.5, 7]), bins=4, min=0, max=3),
    "histc_data_range": lambda L: L.histc(L.tensor([1.0, 2, 1], dtype=L.float32), bins=5),
    "histc_constant": lambda L: L.histc(L.tensor([2.0, 2.0]), bins=2),
    "histc_on_edges": lambda L: L.histc(L.tensor([0.6, 0.6, 0.2, 1.0, 0.8], dtype=L.float64), 5,
                                        min=0, max=1),
    "histc_nan_outside": lambda L: L.histc(L.tensor([0.5, NAN, 2.0, 1.0]), bins=4, min=0, max=1),
    "bincount": lambda L: L.bincount(_i(L, [0, 3, 3, 1])),
    "bincount_minlength": lambda L: L.bincount(_i(L, [0, 3, 3, 1]), minlength=6),
    "bincount_weights32": lambda L: L.bincount(_i(L, [0, 2, 2]),
                                               L.tensor([0.5, 1.0, 2.0], dtype=L.float32)),
    "bincount_int_weights": lambda L: L.bincount(_i(L, [0, 2]), weights=_i(L, [1, 2])),
    "argwhere": lambda L: L.argwhere(L.tensor(ZEROS)),
    "argwhere_0d": lambda L: L.argwhere(L.tensor(3.0)),
    "tril_indices": lambda L: L.tril_indices(3, 4, 1),
    "triu_indices": lambda L: L.triu_indices(4, 3, -1),
    "repeat_interleave_counts": lambda L: L.repeat_interleave(_i(L, [2, 0, 3])),
    "diff_bool": lambda L: L.diff(L.tensor([True, False, False, True])),
    "diff_int": lambda L: L.diff(_i(L, [1, 4, 9, 16]), n=2),
    "diff_n0": lambda L: L.diff(_i(L, [1, 4]), n=0),
    "tile_int": lambda L: L.tile(_i(L, [[1, 2]]), (2,)),
    "unbind_int": lambda L: L.unbind(_i(L, [[1, 2], [3, 4]]), -1),
    "masked_select_bool_broadcast": lambda L: L.masked_select(
        _i(L, [1, 2, 3]), _mask(L, [[True], [False]])),
    "meshgrid_one": lambda L: L.meshgrid(L.tensor([1.0, 2.0]), indexing="xy"),
    "atleast_1d_0d": lambda L: L.atleast_1d(L.tensor(2.0)),
    "atleast_2d_list": lambda L: L.atleast_2d([L.tensor(2.0), L.tensor([1.0, 2.0])]),
    "block_diag_int": lambda L: L.block_diag(_i(L, [[1, 2]]), _i(L, [[3], [4]])),
    "cartesian_prod_one": lambda L: L.cartesian_prod(L.tensor([1.0, 2.0])),
    "combinations_short": lambda L: L.combinations(L.tensor([1.0, 2.0]), 3),
    "narrow_tensor_start": lambda L: L.narrow(_i(L, [[1, 2, 3]]), 1, _i(L, 1), 2),
    "index_fill_int": lambda L: L.index_fill(_i(L, [[1, 2, 3]]), 1, _i(L, [0, 2]), 7),
    "index_add_repeated": lambda L: L.index_add(_i(L, [1, 2, 3]), 0, _i(L, [1, 1]),
                                                _i(L, [10, 20])),
    "logcumsumexp_neg_inf": lambda L: L.logcumsumexp(L.tensor([-np.inf, -np.inf, 0.0]), 0),
    "prod_0d_dim": lambda L: L.prod(L.tensor(3.0), 0, True),
    "median_0d_all": lambda L: L.median(L.tensor(3.0)),
    "quantile_0d_keepdim": lambda L: L.quantile(L.tensor(3.0), L.tensor([0.5, 0.1]), 0, True),
    "tile_0d": lambda L: L.tile(L.tensor(2.0), (3,)),
    "narrow_at_end": lambda L: L.narrow(L.ones(3), 0, 3, 0),
    "mode_0d": lambda L: L.mode(L.tensor(2.0)),
    "cummax_0d": lambda L: L.cummax(L.tensor(2.0), 0),
    "hstack_0d": lambda L: L.hstack([L.tensor(1.0), L.tensor(2.0)]),
    "column_stack_0d": lambda L: L.column_stack([L.tensor(1.0), L.tensor(2.0)]),
    "hstack_mixed_dtypes": lambda L: L.hstack([L.ones(2, dtype=L.int64), L.ones(2)]),
    "block_diag_mixed": lambda L: L.block_diag(L.ones(1, dtype=L.int64), L.ones(2, 2)),
    "cartesian_prod_empty": lambda L: L.cartesian_prod(L.ones(2), L.zeros(0)),
    "diagonal_beyond": lambda L: L.diagonal(L.ones(2, 3), 5),
    "masked_scatter_long_source": lambda L: L.masked_scatter(
        L.zeros(3), _mask(L, [1, 0, 1]), L.arange(4.0)),
    "rot90_k5_3d": lambda L: L.rot90(L.arange(24).reshape(2, 3, 4), 5, (2, 0)),
    "searchsorted_ints": lambda L: L.searchsorted(_i(L, [1, 3, 5]), _i(L, [2, 6])),
    "bucketize_scalar": lambda L: L.bucketize(2.5, L.tensor([1.0, 2, 3])),
    "var_mean_keepdim": lambda L: L.var_mean(L.tensor(ZEROS), 1, keepdim=True),
    "std_mean_biased": lambda L: L.std_mean(L.tensor([1.0, 2, 4]), 0, False),
    "take_along_dim_int": lambda L: L.take_along_dim(_i(L, [[1, 2], [3, 4]]),
                                                     _i(L, [[1], [0]]), 1),
    "trapezoid_dx_inf": lambda L: L.trapezoid(L.tensor([[1.0, np.inf], [2, 3]]), dx=0.5, dim=0),
    "trapezoid_int_one": lambda L: L.trapezoid(_i(L, [[1, 2, 4]])) + L.trapezoid(L.ones(1)),
    "tril_in_place": lambda L: L.arange(12.0).reshape(3, 4).tril_(-1),
    "triu_cumsum_cumprod_in_place": lambda L: _i(L, [[1, 2], [3, 4]]).triu_(1).cumsum_(1)
    .cumprod_(dim=0),
    "mode_bool": lambda L: L.mode(_mask(L, [[1, 0, 0], [1, 1, 0]]), 1),
    "aminmax_empty_rows": lambda L: L.aminmax(L.zeros(0, 3), dim=1),
    "nansum_0d_dim": lambda L: L.nansum(L.tensor(NAN), 0, keepdim=True),
    "nanmean_0d_dim": lambda L: L.nanmean(L.tensor(2.0), -1),
    "var_mean_0d_dim": lambda L: L.var_mean(L.tensor(2.0), 0),
    "std_mean_0d_dim": lambda L: L.std_mean(L.tensor(2.0), (0,), correction=0),
}


def test_indices_counts_and_dtypes_as_pytorch():
    import warnings
    for name, f in RESULTS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # meshgrid's indexing warning, empty median
            _same(f(rg), f(torch), name)


def test_median_takes_the_lower_middle_and_routes_its_gradient_to_that_index():
    x = rg.tensor([[4.0, 1.0, 3.0, 2.0]], requires_grad=True)
    m = x.median(dim=1)
    assert m.values.tolist() == [2.0] and m.indices.tolist() == [3]
    m.values.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0, 1.0]]
    # a gradient for tied values goes to the chosen one only, as PyTorch's
    x = rg.tensor([2.0, 0.0, 2.0], requires_grad=True)
    xt = torch.tensor([2.0, 0.0, 2.0], requires_grad=True)
    rg.median(x).backward()
    torch.median(xt).backward()
    assert x.grad.tolist() == xt.grad.tolist()
    # many ties (found by a partition, not a sort): PyTorch's values, and the index the
    # stable sort puts at that place, along either dim, int and float
    a = np.random.default_rng(3).integers(-2, 3, (7, 10))
    for dim, k in ((0, 3), (1, 7), (-1, 1)):
        for t in (a, a.astype(np.float32)):
            place = {"median": (t.shape[dim] - 1) // 2, "kthvalue": k - 1}
            for name, f in (("median", lambda L, x: L.median(x, dim)),
                            ("kthvalue", lambda L, x: L.kthvalue(x, k, dim))):
                ours, theirs = f(rg, rg.tensor(t)), f(torch, torch.tensor(t))
                np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
                stable = np.take(np.argsort(t, axis=dim, kind="stable"), place[name], axis=dim)
                np.testing.assert_array_equal(ours.indices.numpy(), stable, err_msg=name)


def test_prod_gradient_where_zeros_are_as_pytorch():
    for a in ([0.0, 2.0, 3.0], [0.0, 2.0, 0.0], [1.5, 2.0, -3.0], [0.0]):
        x = rg.tensor(a, requires_grad=True)
        xt = torch.tensor(a, requires_grad=True)
        rg.prod(x).backward()
        torch.prod(xt).backward()
        assert x.grad.tolist() == xt.grad.tolist(), a


def test_method_spellings():
    a = np.random.default_rng(5).standard_normal((3, 4))
    x, xt = rg.tensor(a), torch.tensor(a)
    calls = [lambda t: t.prod(1), lambda t: t.prod(dtype=t.dtype), lambda t: t.median(),
             lambda t: t.median(0), lambda t: t.nanmedian(1, True), lambda t: t.mode(0),
             lambda t: t.kthvalue(2), lambda t: t.quantile(0.5, 1),
             lambda t: t.nanquantile(0.25), lambda t: t.nansum(), lambda t: t.nanmean(0),
             lambda t: t.count_nonzero(1), lambda t: t.aminmax(dim=0), lambda t: t.cummax(1),
             lambda t: t.cummin(0), lambda t: t.logcumsumexp(1), lambda t: t.diff(dim=0),
             lambda t: t.unbind(1)[2], lambda t: t.narrow(0, 1, 2), lambda t: t.select(1, 2),
             lambda t: t.take(_idx(t)),
             lambda t: t.masked_select(t > 0), lambda t: t.diagonal(1),
             lambda t: t.diag_embed(), lambda t: t.movedim(0, 1), lambda t: t.moveaxis(1, 0),
             lambda t: t.swapaxes(0, 1), lambda t: t.swapdims(1, 0),
             lambda t: t.unflatten(1, (2, 2)), lambda t: t.tile(2), lambda t: t.tile((1, 2)),
             lambda t: t.repeat_interleave(2), lambda t: t.fliplr(), lambda t: t.flipud(),
             lambda t: t.rot90(1, (1, 0)), lambda t: (t * 4).floor().histc(4, -5, 5),
             lambda t: t.argwhere(), lambda t: (t > 0).long().flatten().bincount(),
             lambda t: t.masked_scatter(t > 0, t * 10), lambda t: t.index_fill(0, _idx(t), 0),
             lambda t: t.index_add(1, _idx(t), t[:, :2]), lambda t: t.index_copy(1, _idx(t),
                                                                              t[:, 2:]),
             lambda t: t.take_along_dim(t.argsort(1), 1)]
    for k, call in enumerate(calls):
        _same(call(x), call(xt), f"method call {k}")


def _idx(t):
    return (rg if isinstance(t, rg.Tensor) else torch).tensor([2, 0])


def test_in_place_index_and_masked_forms():
    results = []
    for lib in (rg, torch):
        x = lib.zeros(2, 3)
        x.index_add_(1, lib.tensor([0, 0]), lib.ones(2, 2), alpha=2)
        x.index_copy_(0, lib.tensor([1]), lib.full((1, 3), 5.0))
        x.index_fill_(1, lib.tensor([2]), -1.0)
        x.masked_scatter_(lib.tensor([[True, False, False]]), lib.tensor([7.0, 8.0]))
        results.append(np.asarray(x.tolist()))
        # a tensor with a history takes the change into it
        w = lib.ones(2, 3, requires_grad=True)
        h = w * 3
        h.index_add_(0, lib.tensor([1]), w[:1] * 2)
        h.sum().backward()
        results.append(np.asarray(w.grad.tolist()))
    np.testing.assert_array_equal(results[0], results[2])
    np.testing.assert_array_equal(results[1], results[3])
    leaf = rg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        leaf.index_fill_(0, rg.tensor([0]), 2.0)


def test_out_keyword():
    x = np.random.default_rng(6).standard_normal((3, 4))
    for lib in (rg, torch):
        t = lib.tensor(x)
        v, i = lib.empty(0, dtype=lib.float64), lib.empty(0, dtype=lib.int64)
        r = lib.median(t, 1, out=(v, i))
        assert r.values is v and r.indices is i and list(v.shape) == [3]
        p = lib.empty(0, dtype=lib.float64)
        assert lib.prod(t, 0, out=p) is p
        h = lib.empty(0, dtype=lib.float64)
        lib.hstack([t, t], out=h)
        assert list(h.shape) == [3, 8]
    np.testing.assert_allclose(rg.quantile(rg.tensor(x), 0.5, out=rg.empty(0, dtype=rg.float64))
                               .numpy(), np.quantile(x, 0.5))


def _error_type(f, lib):
    try:
        f(lib)
    except Exception as e:   # noqa: BLE001 - the type is what is compared
        return type(e), str(e)
    return None, ""


# (word the message must hold, f(lib)): the same exception type as PyTorch's
ERRORS = [
    ("prod", lambda L: L.prod(L.ones(2, 3), (0, 1))),
    ("Dimension out of range", lambda L: L.prod(L.ones(2, 3), 2)),
    ("exceeds dimension size", lambda L: L.narrow(L.ones(2, 6), 1, 4, 3)),
    ("select", lambda L: L.select(L.ones(2, 6), 1, 7)),
    ("unbind", lambda L: L.unbind(L.ones(2, 6), 3)),
    ("kthvalue", lambda L: L.kthvalue(L.ones(2, 6), 7, 1)),
    ("median", lambda L: L.median(L.ones(2, 0), 1)),
    ("mode", lambda L: L.mode(L.ones(0), 0)),
    ("quantile", lambda L: L.quantile(L.ones(3), 1.5)),
    ("quantile", lambda L: L.quantile(L.tensor([1, 2]), 0.5)),
    ("quantile", lambda L: L.quantile(L.ones(3), 0.5, interpolation="cubic")),
    ("quantile", lambda L: L.quantile(L.ones(3), L.tensor([0.5], dtype=L.float64))),
    ("nanmean", lambda L: L.nanmean(L.tensor([1, 2]))),
    ("movedim", lambda L: L.movedim(L.ones(2, 3), (0, 1), (0,))),
    ("movedim", lambda L: L.movedim(L.ones(2, 3), (0, 0), (0, 1))),
    ("out of range", lambda L: L.take(L.ones(3, 4), L.tensor([12]))),
    ("diagonal", lambda L: L.diagonal(L.ones(3, 4), 0, 1, 1)),
    ("searchsorted", lambda L: L.searchsorted(L.tensor([[1.0, 2]]), L.tensor([1.0]))),
    ("bincount", lambda L: L.bincount(L.tensor([-1, 2]))),
    ("repeats", lambda L: L.repeat_interleave(L.ones(2, 6), L.tensor([1, 2]), dim=1)),
    ("tile", lambda L: L.tile(L.ones(2), (2.0,))),
    ("unflatten", lambda L: L.unflatten(L.ones(2, 6), 1, (4, -1))),
    ("diff", lambda L: L.diff(L.ones(2), prepend=L.tensor(1.0))),
    ("logcumsumexp", lambda L: L.logcumsumexp(L.tensor([1, 2]), 0)),
    ("meshgrid", lambda L: L.meshgrid(L.ones(2), L.ones(3), indexing="ji")),
    ("block_diag", lambda L: L.block_diag(L.ones(2, 2, 2))),
    ("broadcast_tensors", lambda L: L.broadcast_tensors(L.ones(2, 3), L.ones(4))),
    ("Sizes of tensors must match", lambda L: L.vstack([L.ones(2, 3), L.ones(2, 2)])),
    ("rot90", lambda L: L.rot90(L.ones(2, 2), 1, (0, 0))),
    ("fliplr", lambda L: L.fliplr(L.ones(3))),
    ("take_along_dim", lambda L: L.take_along_dim(L.ones(2, 3), L.tensor([0]), 1)),
    ("masked_select", lambda L: L.masked_select(L.ones(2, 3), L.ones(2, 3))),
    ("index_add", lambda L: L.index_add(L.ones(2, 3), 0, L.tensor([0]), L.ones(1, 2))),
    ("histc", lambda L: L.histc(L.ones(3), bins=-1)),
    ("aminmax", lambda L: L.aminmax(L.ones(0))),
    ("quantile", lambda L: L.quantile(L.zeros(0), 0.5)),
    ("unflatten", lambda L: L.unflatten(L.tensor(2.0), 0, (1,))),
    ("repeat_interleave", lambda L: L.repeat_interleave(L.tensor(2.0), 3, dim=0)),
    ("histogram", lambda L: L.histc(L.tensor([1, 2]))),
    ("median", lambda L: L.median(L.tensor([True, False]))),
    ("narrow", lambda L: L.narrow(L.ones(3), 0, 1, -1)),
    ("Dimension out of range", lambda L: L.diag_embed(L.tensor(3.0))),
    ("masked_scatter", lambda L: L.masked_scatter(L.zeros(3), _mask(L, [1, 1, 0]),
                                                  L.ones(1))),
    ("aminmax", lambda L: L.aminmax(L.zeros(0, 3), dim=0)),
    ("kthvalue", lambda L: L.kthvalue(L.zeros(0, 3), 1, 0)),
    ("multiple times", lambda L: L.count_nonzero(L.ones(3), (0, -1))),
    ("var_mean", lambda L: L.var_mean(L.tensor([1, 2]))),
    ("std_mean", lambda L: L.std_mean(L.tensor([True, False]))),
    ("Dimension out of range", lambda L: L.trapezoid(L.ones(3, 4), dim=5)),
    ("Dimension out of range", lambda L: L.cumulative_trapezoid(L.ones(3, 4), dim=-3)),
    ("bool", lambda L: L.trapezoid(_mask(L, [1, 0]))),
    # tensordot's dims are checked, never wrapped around (dim 5 of a 2-D tensor was 1)
    ("Dimension out of range", lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 2), ([5], [0]))),
    ("Dimension out of range", lambda L: L.tensordot(L.tensor(1.0), L.ones(3), ([0], [0]))),
    ("multiple times", lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 2), ([0, 0], [1, 1]))),
    ("tensordot", lambda L: L.tensordot(L.ones(2, 3), L.ones(3, 2), 3)),
]


def test_errors_as_pytorch():
    for word, f in ERRORS:
        ours, message = _error_type(f, rg)
        theirs, _ = _error_type(f, torch)
        assert theirs is not None and ours is not None, (word, theirs, ours)
        assert issubclass(ours, theirs), (word, message, ours, theirs)
        assert word.lower() in message.lower(), (word, message)


def test_no_longer_missing():
    for name in ("prod", "median", "mode", "kthvalue", "quantile", "narrow", "take",
                 "histc", "bincount", "cummax", "cummin", "masked_select", "fliplr",
                 "flipud", "rot90", "diagonal", "index_add", "index_add_", "index_fill_",
                 "index_copy_", "masked_scatter_", "tril_", "triu_", "cumsum_", "cumprod_"):
        assert callable(getattr(rg.ones(2, 2), name)), name
        assert name not in TENSOR_METHODS, name
    for name in TENSOR_METHODS:      # what is still missing is named, as before
        with pytest.raises(NotSupportedError, match=name):
            getattr(rg.ones(2), name)


def test_on_every_device(device):
    rng = np.random.default_rng(7)
    a = rng.standard_normal((3, 4))
    fns = [lambda x: rg.prod(x, 1).sum() + rg.median(x, 0).values.sum() + rg.median(x),
           lambda x: rg.quantile(x, rg.tensor([0.2, 0.7], dtype=x.dtype, device=x.device),
                                 dim=1).sum() + rg.nanquantile(x, 0.4) + rg.nansum(x),
           lambda x: rg.kthvalue(x, 2, 1).values.sum() + rg.mode(x.round(), 0).values.sum(),
           lambda x: rg.cummax(x, 1).values.sum() + rg.cummin(x, 0).values.sum()
           + rg.logcumsumexp(x, 1).sum() + rg.diff(x, 2).sum(),
           lambda x: sum(t.sum() for t in x.unbind(1)) + rg.tile(x, (2,)).sum()
           + rg.repeat_interleave(x, rg.tensor([1, 0, 2], device=x.device), 0).sum()
           + rg.narrow(x, 1, 1, 2).sum() + rg.movedim(x, 0, 1)[0].sum(),
           lambda x: rg.take(x, rg.tensor([[0, 11]], device=x.device)).sum()
           + rg.take_along_dim(x, x.argsort(1), 1)[:, 0].sum()
           + rg.masked_select(x, x > 0).sum() + rg.diagonal(x, 1).sum()
           + rg.diag_embed(x, -1).sum() + rg.rot90(x).sum(),
           lambda x: rg.hstack([x, x]).sum() + rg.vstack([x, x[0]]).sum()
           + rg.stack(rg.meshgrid(x[0], x[1], indexing="xy")).sum()
           + rg.block_diag(x, x[0]).sum() + rg.cartesian_prod(x[0], x[1]).sum()
           + rg.stack(rg.broadcast_tensors(x, x[:1])).sum(),
           lambda x: rg.index_add(x, 1, rg.tensor([0, 0], device=x.device), x[:, 1:3]).sum()
           + x.masked_scatter(x > 0, x * 2).sum() + rg.nanmean(x) + rg.aminmax(x).max,
           lambda x: rg.nanmedian(x, 0).values.sum() + rg.unflatten(x, 1, (2, 2)).sum()
           + rg.swapaxes(x, 0, 1)[0].sum() + rg.dstack([x, x]).sum()
           + rg.column_stack([x[0], x[1]]).sum() + rg.combinations(x[0], 2).sum()
           + rg.index_copy(x, 0, rg.tensor([2], device=x.device), x[:1] * 3).sum()
           + rg.index_fill(x, 1, rg.tensor([1], device=x.device), 0.5).sum()
           + rg.quantile(x, 0.3, 0, interpolation="nearest").sum()
           + rg.quantile(x, 0.3, 1, True, interpolation="midpoint").sum()
           + rg.diff(x, 1, 0, x[:1], x[1:]).sum()
           + rg.take_along_dim(x, x.reshape(-1).argsort(0)).sum()
           + rg.masked_select(x, x[:1] > 0).sum() + rg.var_mean(x, 1)[0].sum()]
    for f in fns:
        x0 = rg.tensor(a, requires_grad=True)
        x1 = rg.tensor(a, device=device, requires_grad=True)
        y0, y1 = f(x0), f(x1)
        y0.backward()
        y1.backward()
        assert y1.device == x1.device
        np.testing.assert_allclose(y1.cpu().numpy(), y0.numpy(), rtol=1e-12)
        np.testing.assert_allclose(x1.grad.cpu().numpy(), x0.grad.numpy(), rtol=1e-12)
    def integer_results(dev):
        x = rg.tensor(a, device=dev)
        seq = rg.tensor([-1.0, 0.0, 1.0], device=dev)
        return (rg.searchsorted(seq, x), rg.bucketize(x, seq), rg.histc(x, 4),
                rg.argwhere(x > 0), rg.count_nonzero(x > 0, 1), rg.median(x, 1).indices,
                rg.bincount(rg.tensor([0, 2, 2], device=dev)),
                rg.searchsorted(x.sort(1).values, x, sorter=x.argsort(1), side="right"),
                rg.repeat_interleave(rg.tensor([2, 0, 1], device=dev)),
                rg.count_nonzero(x, (0, 1)), rg.mode(x.round(), 1).indices,
                rg.cummax(x, 0).indices, rg.bincount(rg.tensor([0, 2], device=dev),
                                                     rg.ones(2, device=dev)))
    x = rg.tensor(a, device=device)
    for r, cpu in zip(integer_results(device), integer_results("cpu")):
        assert r.device == x.device
        np.testing.assert_array_equal(r.cpu().numpy(), cpu.numpy())   # the CPU's values
    assert rg.tril_indices(3, 3, device=device).device == x.device


def test_tutorial_idioms():
    # coordinate grids, as a plotting or positional-encoding tutorial writes them
    for lib in (rg, torch):
        xx, yy = lib.meshgrid(lib.linspace(-1, 1, 5), lib.linspace(-1, 1, 5), indexing="ij")
        r = (xx ** 2 + yy ** 2).sqrt()
        assert list(r.shape) == [5, 5]
    np.testing.assert_allclose(r.numpy(), (xx ** 2 + yy ** 2).sqrt().numpy())
    # unbind and stack round trip; the median score of each row; top rows by median
    scores = np.random.default_rng(8).standard_normal((4, 7))
    ours, theirs = rg.tensor(scores), torch.tensor(scores)
    assert rg.equal(rg.stack(ours.unbind(0)), ours)
    np.testing.assert_array_equal(ours.median(dim=1).values.numpy(),
                                  theirs.median(dim=1).values.numpy())
    # a causal mask's positions and robust statistics of a batch
    rows, cols = rg.triu_indices(4, 4, 1)
    assert [rows.tolist(), cols.tolist()] == torch.triu_indices(4, 4, 1).tolist()
    q = rg.quantile(ours, rg.tensor([0.25, 0.75], dtype=rg.float64), dim=1)
    np.testing.assert_allclose(q.numpy(), np.quantile(scores, [0.25, 0.75], axis=1))
    labels = rg.tensor([0, 2, 2, 1, 2])
    assert rg.bincount(labels, minlength=4).tolist() == [1, 1, 3, 0]


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=3), st.data())
def test_order_statistics_match_pytorch_on_random_ties_and_nan(shape, data):
    """Tie-heavy integer-valued data, sometimes with NaN: values of every statistic,
    and the indices where PyTorch's are deterministic (median, nanmedian, cummax,
    cummin; mode without NaN)."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    a = rng.integers(0, 4, size=shape).astype(np.float64)
    with_nan = data.draw(st.booleans())
    if with_nan:
        a[rng.random(shape) < 0.25] = np.nan
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, shape[d]))
    calls = {"median": lambda L, x: L.median(x, d), "nanmedian": lambda L, x: L.nanmedian(x, d),
             "cummax": lambda L, x: L.cummax(x, d), "cummin": lambda L, x: L.cummin(x, d),
             "mode": lambda L, x: L.mode(x, d), "kthvalue": lambda L, x: L.kthvalue(x, k, d),
             "quantile": lambda L, x: (L.quantile(x, 0.3, d),),
             "nanquantile": lambda L, x: (L.nanquantile(x, 0.7, d, interpolation="nearest"),),
             "all": lambda L, x: (L.median(x), L.nanmedian(x), L.prod(x, d), L.nansum(x, d))}
    if with_nan:
        del calls["mode"]        # PyTorch's mode of a slice with NaN is its own
    for name, f in calls.items():
        ours, theirs = f(rg, rg.tensor(a)), f(torch, torch.tensor(a))
        if name == "kthvalue":   # which of tied entries: PyTorch's quickselect decides
            ours, theirs = ours[:1], theirs[:1]
        for u, v in zip(ours, theirs):
            np.testing.assert_allclose(u.numpy(), v.numpy(), equal_nan=True, err_msg=name)


def test_beta_zero_ignores_input_but_gives_it_a_zero_gradient():
    """addmm/addmv/baddbmm with beta=0: the input's NaN are ignored and its gradient is
    zeros (PyTorch's; None would make an optimizer skip it)."""
    for f in (lambda L, c, a: L.addmm(c, a, L.ones(3, 2), beta=0),
              lambda L, c, a: L.addmv(c[0], a, L.ones(3), beta=0, alpha=2),
              lambda L, c, a: L.baddbmm(c, a[None], L.ones(1, 3, 2), beta=0)):
        grads = []
        for L in (rg, torch):
            c = L.tensor(np.full((2, 2), np.nan, np.float32), requires_grad=True)
            a = L.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), requires_grad=True)
            y = f(L, c, a)
            y.sum().backward()
            grads.append((y.detach().numpy(), c.grad.numpy(), a.grad.numpy()))
        for ours, theirs in zip(*grads):
            np.testing.assert_array_equal(ours, theirs)


def test_std_of_a_constant_sample_has_pytorchs_zero_gradient():
    """x.std() (and std_mean) at σ = 0: PyTorch's gradient 0, not √'s ∞ · 0 = NaN
    (standardising a constant feature); elsewhere the usual (x − x̄)/((n − 1)σ)."""
    a = np.array([[1.0, 2.0], [1.0, 4.0]])
    for f in (lambda m, x: m.std(x, 0).sum(), lambda m, x: m.std_mean(x, 0)[0].sum()):
        xo, xt = rg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        f(rg, xo).backward()
        f(torch, xt).backward()
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=0)
    check_jvp(lambda x: x.std(0), rg.tensor(np.array([[1.0, 2.0], [3.0, 5.0]])))


def test_last_everyday_names_as_pytorch(device):
    """unique_consecutive, hsplit/vsplit/dsplit, msort, ravel, ger, bernoulli and
    torch.dtype, against PyTorch (bernoulli: its statistics and errors)."""
    a = np.array([1, 1, 2, 2, 3, 1, 1, 2])
    m = np.array([[1, 1], [1, 1], [2, 3], [2, 3], [1, 1]])
    for x, kw in ((a, {}), (a, dict(return_inverse=True, return_counts=True)),
                  (m, dict(dim=0, return_inverse=True, return_counts=True)),
                  (m.T.copy(), dict(dim=1, return_counts=True)), (a[:0], {})):
        ours = rg.unique_consecutive(rg.tensor(x, device=device), **kw)
        theirs = torch.unique_consecutive(torch.tensor(x), **kw)
        for o, t in zip(ours if isinstance(ours, tuple) else (ours,),
                        theirs if isinstance(theirs, tuple) else (theirs,)):
            np.testing.assert_array_equal(o.numpy(), t.numpy())
            assert o.dtype == t.numpy().dtype
    x = np.arange(48.0).reshape(2, 4, 6)
    for f in ("hsplit", "vsplit", "dsplit"):
        for spec in (2, [1, 3], [5]):
            ours = getattr(rg, f)(rg.tensor(x, device=device), spec)
            theirs = getattr(torch, f)(torch.tensor(x), spec)
            assert len(ours) == len(theirs)
            for o, t in zip(ours, theirs):
                np.testing.assert_array_equal(o.numpy(), t.numpy())
    for bad in (lambda m: m.hsplit(m.ones(5), 2), lambda m: m.vsplit(m.ones(4), 2),
                lambda m: m.dsplit(m.ones(2, 2), 2)):
        with pytest.raises(RuntimeError):
            bad(torch)
        with pytest.raises(RuntimeError, match="split"):
            bad(rg)
    s = np.array([[3, 1], [1, 2], [2, 0]])
    np.testing.assert_array_equal(rg.msort(rg.tensor(s)).numpy(), torch.msort(torch.tensor(s)))
    assert rg.ravel(rg.ones(2, 3)).shape == (6,) and rg.ones(2, 3).ravel().shape == (6,)
    np.testing.assert_array_equal(rg.tensor([1.0, 2.0]).ger(rg.tensor([3.0, 4.0])).numpy(),
                                  torch.tensor([1.0, 2.0]).ger(torch.tensor([3.0, 4.0])))
    assert isinstance(rg.float32, rg.dtype) and isinstance(rg.ones(1).dtype, rg.dtype)
    rg.manual_seed(0)
    draws = rg.bernoulli(rg.full((20000,), 0.3, device=device))
    assert draws.dtype == np.float32 and abs(float(draws.mean()) - 0.3) < 4 * (0.21 / 2e4) ** .5
    assert set(np.unique(draws.numpy())) <= {0.0, 1.0}
    assert float(rg.bernoulli(rg.ones(50), 0.0).sum()) == 0
    assert float(rg.ones(50, device=device).bernoulli_(1.0).sum()) == 50
    with pytest.raises(RuntimeError, match="0 <= p <= 1"):
        rg.bernoulli(rg.tensor([1.5]))


def test_printoptions_and_threads_as_pytorch():
    """set_printoptions (precision, sci_mode, threshold/edgeitems, profiles) prints as
    PyTorch's for these cases; set_num_threads/get_num_threads reach BLAS's threads."""
    x = np.array([1.123456, 2e-5, 3000.0], dtype=np.float32)
    try:
        for kw in ({"precision": 2}, {"precision": 2, "sci_mode": True},
                   {"threshold": 5, "edgeitems": 2}):
            rg.set_printoptions(**kw)
            torch.set_printoptions(**kw)
            data = np.arange(10.0, dtype=np.float32) if "threshold" in kw else x
            assert repr(rg.tensor(data)) == repr(torch.tensor(data)).replace("  ...", " ...")
    finally:
        rg.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(rg.tensor(x)) == "tensor([1.1235e+00, 2.0000e-05, 3.0000e+03])"
    with pytest.raises(ValueError, match="profile"):
        rg.set_printoptions(profile="long")
    pytest.importorskip("threadpoolctl", reason="threads are reached through threadpoolctl")
    n = rg.get_num_threads()
    try:
        rg.set_num_threads(1)
        assert rg.get_num_threads() == 1
    finally:
        rg.set_num_threads(n)
    with pytest.raises(RuntimeError, match="positive integer"):
        rg.set_num_threads(0)
