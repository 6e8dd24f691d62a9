"""Drawing category indices from weights: multinomial (text generation samples the
next token with ``multinomial(softmax(logits / T), 1)``), and 0/1 draws of given
probabilities: bernoulli (u < p for u ~ U[0, 1)).

With replacement each draw inverts the cumulative distribution: u ~ U[0, 1) picks
the first category whose cumulative weight exceeds u·Σw (a zero weight is never
picked). Without replacement the categories are ordered by the keys log(u)/wᵢ
(Efraimidis–Spirakis; the Gumbel top-k trick) and the first ``num_samples`` taken,
which is sampling one at a time proportionally to the weights left. Numbers come
from ``generator=`` or retrograd's default generator (``manual_seed``) on the CPU,
and from the device's generator on a GPU (random.py)."""
import numpy as np

from .. import random
from ..backend import array_module
from ..tensor import Tensor, _make
from .sorting import order


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """int64 indices of ``num_samples`` categories drawn for each row of ``input``
    (1-D: one distribution; 2-D: one per row) with probabilities proportional to its
    non-negative weights, as torch.multinomial."""
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim, got shape "
                           f"{tuple(input.shape)}")
    if input.dtype.kind not in "f":
        raise RuntimeError(f"multinomial(): only supports floating-point dtypes for "
                           f"input, got {input.dtype}")
    if not isinstance(num_samples, (int, np.integer)) or isinstance(num_samples, bool):
        raise TypeError(f"multinomial(): argument 'num_samples' must be int, not "
                        f"{type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial(): cannot sample n_sample <= 0 samples (got "
                           f"num_samples={num_samples})")
    n = input.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial(): cannot sample n_sample > prob_dist.size(-1) "
                           f"samples without replacement (num_samples={num_samples}, "
                           f"{n} categories)")
    w = input.array.reshape(-1, n).astype(np.float64)
    xp = array_module(w)
    if not bool(xp.isfinite(w).all()) or bool((w < 0).any()):
        raise RuntimeError("multinomial(): probability tensor contains either `inf`, "
                           "`nan` or element < 0")
    total = w.sum(axis=1, keepdims=True)
    if bool((total <= 0).any()):
        raise RuntimeError("multinomial(): invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    g = random.generator_for(xp, generator)
    rows = w.shape[0]
    if replacement:
        cdf = xp.cumsum(w, axis=1)
        cdf = cdf / cdf[:, -1:]                  # the last is exactly 1: u < 1 lands
        u = g.random((rows, num_samples))
        # One search over all rows at once: row r's values shifted into [r, r + 1).
        shift = xp.arange(rows, dtype=np.float64)[:, None]
        picked = xp.searchsorted((cdf + shift).reshape(-1), (u + shift).reshape(-1),
                                 side="right").reshape(rows, num_samples)
        picked = picked - xp.arange(rows)[:, None] * n
        # u + r may round up to r + 1 (u within r·2⁻⁵³ of 1), which lands past the
        # row's end: take the row's last category of non-zero weight there.
        last = n - 1 - xp.argmax(w[:, ::-1] > 0, axis=1)
        picked = xp.minimum(picked, last[:, None])
    else:
        u = g.random((rows, n))
        # Keys of the weights relative to the row's largest: the order is the same,
        # and a row of tiny weights (1e-310) no longer overflows every key to −∞
        # (which made the draw the index order); a weight below 1e-308 of the
        # largest still may, and then comes after the others, as it nearly must.
        w = w / w.max(axis=1, keepdims=True)
        with np.errstate(over="ignore"):
            keys = xp.where(w > 0, xp.log(1 - u) / xp.where(w > 0, w, 1), -xp.inf)
        picked = order(keys, 1, True)[:, :num_samples]
    picked = picked.astype(np.int64, copy=False)
    return _make(picked.reshape(num_samples) if input.ndim == 1 else picked)


def bernoulli_draws(xp, shape, dtype, p, generator=None):
    """0/1 values of ``dtype``: 1 where u < p, u ~ U[0, 1) (``p`` a number or an
    array broadcast to ``shape``), after PyTorch's check that 0 ≤ p ≤ 1."""
    bad = (p < 0) | (p > 1) | (p != p)
    if bool(bad.any() if hasattr(bad, "any") else bad):
        raise RuntimeError("bernoulli: expected every probability p to satisfy 0 <= p <= "
                           "1 (as PyTorch's p_in >= 0 && p_in <= 1)")
    u = random.generator_for(xp, generator).random(shape)
    return (u < p).astype(dtype)


def bernoulli(input, p=None, *, generator=None):
    """Samples of ``input``'s shape and float dtype: 1 with probability ``input`` (or
    the number ``p``), else 0 (torch.bernoulli). Not differentiable: the samples are
    constants (PyTorch gives ``input`` a zero gradient through them)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"bernoulli(): \"bernoulli\" not implemented for "
                                  f"'{input.dtype}' (floating input)")
    xp = array_module(input.array)
    probs = input.array if p is None else float(p)
    return _make(bernoulli_draws(xp, input.shape, input.dtype, probs, generator))
