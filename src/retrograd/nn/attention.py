"""Attention: ``F.scaled_dot_product_attention`` (``nn.MultiheadAttention`` is in
multihead_attention.py).

Each query qᵢ reads a weighted mean of the values vⱼ, the weights being a softmax of
its similarity to the keys kⱼ (Vaswani et al., 2017):

    A = softmax(Q Kᵀ · s + M),   out = A V,      s = 1/√E by default,

with M a mask added to the scores: 0 where query i may look at key j, −∞ where it may
not. Multi-head attention projects Q, K, V to h smaller spaces, attends in each and
projects the concatenation back: out = [head₁ … head_h] W_O with
headᵢ = attention(Q W_Qⁱ, K W_Kⁱ, V W_Vⁱ).

Both are composed from differentiable ops (matmul, softmax, where, dropout), so the
engine derives the backward and forward modes; the names, arguments, defaults,
parameter names and initialisation are PyTorch's, so its ``state_dict`` loads.
"""
import math

import numpy as np

from ..backend import array_module
from ..ops.matmul import matmul
from ..ops.softmax import softmax
from ..tensor import Tensor
from .dropout import dropout

__all__ = ["scaled_dot_product_attention"]


def _mask_tensor(mask, like, who):
    """``mask`` (Tensor or array-like) as a Tensor on ``like``'s device: booleans
    kept, numbers in ``like``'s float dtype."""
    if not isinstance(mask, Tensor):     # an array or a list: made where the query is
        mask = Tensor(np.asarray(mask)).to(like.device)
    if mask.device != like.device:
        raise RuntimeError(f"{who}: the mask is on {mask.device} but the query is on "
                           f"{like.device}; move one with .to()")
    if mask.dtype.kind == "b":
        return mask
    if mask.dtype.kind != "f":
        raise RuntimeError(f"{who}: expected a bool or floating-point mask, got dtype "
                           f"{mask.dtype}")
    return mask if mask.dtype == like.dtype else mask.to(dtype=like.dtype)


def _safe_softmax(scores):
    """softmax along the last axis, with 0 (not NaN) for a row whose scores are all −∞
    (a query allowed to see no key), as PyTorch's attention kernels return; such a row
    gets no gradient."""
    dead = (scores.array == -math.inf).all(axis=-1, keepdims=True)
    if not bool(dead.any()):
        return softmax(scores, -1)
    return softmax(scores.masked_fill(dead, 0.0), -1).masked_fill(dead, 0.0)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """softmax(Q Kᵀ · scale + M) V for query (…, L, E), key (…, S, E), value (…, S, Ev)
    → (…, L, Ev), any leading batch axes (broadcast). ``scale``: 1/√E by default.

    ``attn_mask`` broadcasts to (…, L, S): a bool mask says which keys each query may
    attend to (True = takes part), a float mask is added to the scores. ``is_causal``:
    query i sees keys j ≤ i (the top-left triangle, also when L ≠ S); not with
    ``attn_mask``. A query that may see no key gives zeros. ``dropout_p``: dropout on
    the attention weights, applied whatever the mode (as PyTorch: pass
    ``dropout_p if self.training else 0``). ``enable_gqa``: grouped-query attention,
    the query's heads (axis −3) share the key's and value's fewer heads in groups.

    >>> out = scaled_dot_product_attention(q, k, v, is_causal=True)   # (N, h, L, Ev)
    """
    who = "scaled_dot_product_attention"
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{who}: {name} must be a Tensor, got {type(t).__name__}")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"{who}: expected query, key and value to be at least 2-D, got "
                           f"query.dim()={query.ndim}, key.dim()={key.ndim}, "
                           f"value.dim()={value.ndim}")
    if not (query.dtype == key.dtype == value.dtype) or query.dtype.kind != "f":
        raise RuntimeError(f"{who}: expected query, key and value of one floating-point "
                           f"dtype, got {query.dtype}, {key.dtype} and {value.dtype}")
    if query.shape[-1] != key.shape[-1] or key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{who}: query {tuple(query.shape)}, key {tuple(key.shape)} and "
                           f"value {tuple(value.shape)} do not fit: expected query (…, L, E), "
                           "key (…, S, E), value (…, S, Ev)")
    if is_causal and attn_mask is not None:
        raise RuntimeError(f"{who}: explicit attn_mask should not be set when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"{who}: dropout probability has to be between 0 and 1, but got "
                           f"dropout_p={dropout_p!r}")
    if enable_gqa:
        key, value = _share_heads(query, key, value, who)
    L, S, E = query.shape[-2], key.shape[-2], query.shape[-1]
    s = (1.0 / math.sqrt(E) if E else math.inf) if scale is None else float(scale)   # E = 0:
    # scores of empty sums, 0 whatever the scale: uniform weights (PyTorch's too)
    scores = matmul(query * s, key.transpose(-2, -1))
    bias = None      # added to the scores: 0 where a query may look, −∞ where not
    if is_causal:
        xp = array_module(query.array)
        bias = xp.where(xp.tril(xp.ones((L, S), dtype=bool)), 0.0, -math.inf).astype(
            query.dtype)
    elif attn_mask is not None:
        mask = _mask_tensor(attn_mask, query, who)
        try:
            np.broadcast_shapes(tuple(mask.shape), tuple(scores.shape))
        except ValueError:
            raise RuntimeError(f"{who}: attn_mask of shape {tuple(mask.shape)} does not "
                               f"broadcast to the scores' shape {tuple(scores.shape)} "
                               "(…, L, S)") from None
        if mask.dtype.kind == "b":   # a constant bias of the mask's (small) shape
            bias = array_module(mask.array).where(mask.array, 0.0, -math.inf).astype(
                query.dtype)
        else:
            bias = mask              # a tensor: it may want a gradient
    if bias is not None:
        scores = scores + (bias if isinstance(bias, Tensor) else Tensor._wrap(bias))
    weights = _safe_softmax(scores) if bias is not None else softmax(scores, -1)
    if dropout_p == 1:       # every weight dropped: zeros (as PyTorch)
        weights = weights * 0.0
    elif dropout_p > 0:
        weights = dropout(weights, dropout_p, True)
    return matmul(weights, value)


def _share_heads(query, key, value, who):
    """Grouped-query attention: repeat each key/value head for its group of query heads."""
    if min(query.ndim, key.ndim, value.ndim) < 3:
        raise RuntimeError(f"{who}: enable_gqa needs a head axis (…, h, L, E)")
    hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
    if hk != hv or hq % hk:
        raise RuntimeError(f"{who}: with enable_gqa the number of query heads ({hq}) must "
                           f"be a multiple of the key's ({hk}), equal to the value's ({hv})")
    xp = array_module(key.array)
    index = xp.arange(hq) // (hq // hk)
    return key.index_select(-3, Tensor._wrap(index)), value.index_select(-3, Tensor._wrap(index))
