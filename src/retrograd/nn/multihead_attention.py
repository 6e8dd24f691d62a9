"""``nn.MultiheadAttention``: h heads of ``F.scaled_dot_product_attention``
(nn/attention.py) between learnt projections.

out = [head₁ … head_h] W_Oᵀ + b_O with headᵢ = attention(Q W_Qⁱᵀ, K W_Kⁱᵀ, V W_Vⁱᵀ).
(Apart from attention.py because ``nn.functional`` imports that module, and
``Linear``, which this one needs, imports ``nn.functional``.)
"""
import math

import numpy as np

from ..backend import array_module
from ..ops.matmul import linear, matmul
from ..ops.shape import concatenate
from ..ops.softmax import softmax
from ..tensor import Tensor
from . import init
from .attention import _mask_tensor, scaled_dot_product_attention
from .dropout import dropout
from .linear import Linear
from .module import Module, as_input
from .parameter import Parameter

__all__ = ["MultiheadAttention"]


# -- multi-head attention ------------------------------------------------------------

def second_input(x, first, who, arg):
    """A module's input after the first (``Module.__call__`` converts that one): host
    data as a float tensor where the first input is."""
    if isinstance(x, Tensor):
        return x
    return as_input(x, who, arg, floating=True).to(first.device)


def _fail(message):
    # PyTorch checks these with ``assert``; raised explicitly (python -O keeps them).
    raise AssertionError(message)


def _float_mask(mask, like, name):
    """PyTorch's canonical mask: a bool mask (True = masked out) as 0/−∞ additive."""
    if mask is None:
        return None
    mask = _mask_tensor(mask, like, f"MultiheadAttention: {name}")
    if mask.dtype.kind == "b":
        xp = array_module(mask.array)
        out = xp.zeros(mask.shape, dtype=like.dtype)
        out[mask.array] = -math.inf
        return Tensor._wrap(out)
    return mask


class MultiheadAttention(Module):
    """Multi-head attention: out = concat(head₁ … head_h) W_Oᵀ + b_O with
    headᵢ = softmax(Qᵢ Kᵢᵀ/√d + M) Vᵢ, Qᵢ = query W_Qⁱᵀ + b_Qⁱ (likewise K, V),
    d = embed_dim / num_heads.

    Parameters as PyTorch: ``in_proj_weight`` (3·embed_dim, embed_dim) and
    ``in_proj_bias`` when keys and values have embed_dim features, else
    ``q_proj_weight``, ``k_proj_weight`` (embed_dim, kdim), ``v_proj_weight``
    (embed_dim, vdim); ``out_proj`` a ``Linear``; with ``add_bias_kv`` the learnt
    ``bias_k``, ``bias_v`` (1, 1, embed_dim) appended to the keys and values;
    ``add_zero_attn`` appends a zero key and value. Inputs (L, N, E) — (N, L, E) with
    ``batch_first`` — or unbatched (L, E).

    ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` returns
    ``(output, weights)``: weights (N, L, S) averaged over the heads, (N, h, L, S)
    otherwise, None unless ``need_weights``. Masks: True (bool) = *not* allowed, or a
    float added to the scores; ``key_padding_mask`` (N, S), ``attn_mask`` (L, S) or
    (N·h, L, S).

    >>> mha = MultiheadAttention(64, 8, batch_first=True)
    >>> out, w = mha(x, x, x)                      # self-attention, x: (N, L, 64)
    """

    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
                 add_zero_attn=False, kdim=None, vdim=None, batch_first=False, device=None,
                 dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater "
                             f"than 0, got embed_dim={embed_dim} and num_heads={num_heads} "
                             "instead")
        self.embed_dim, self.num_heads = int(embed_dim), int(num_heads)
        self.kdim = self.embed_dim if kdim is None else int(kdim)
        self.vdim = self.embed_dim if vdim is None else int(vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout, self.batch_first = float(dropout), bool(batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        if self.head_dim * self.num_heads != self.embed_dim:
            _fail("embed_dim must be divisible by num_heads")
        self.add_zero_attn = bool(add_zero_attn)
        dtype = dtype or np.float32
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.empty((3 * e, e), dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(np.empty((e, e), dtype=dtype))
            self.k_proj_weight = Parameter(np.empty((e, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(np.empty((e, self.vdim), dtype=dtype))
        if bias:
            self.in_proj_bias = Parameter(np.empty(3 * e, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(e, e, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(np.empty((1, 1, e), dtype=dtype))
            self.bias_v = Parameter(np.empty((1, 1, e), dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self._reset_parameters()
        if device is not None:
            self.to(device)

    def _reset_parameters(self):
        """PyTorch's: Xavier-uniform projections, zero biases, Xavier-normal bias_k/v
        (``out_proj.weight`` keeps ``Linear``'s initialisation)."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _check(self, query, key, value, key_padding_mask, attn_mask):
        batched = query.ndim == 3
        if query.ndim not in (2, 3):
            _fail(f"query should be unbatched 2D or batched 3D tensor but received "
                  f"{query.ndim}-D query tensor")
        if key.ndim != query.ndim or value.ndim != query.ndim:
            _fail(f"For {'batched (3-D)' if batched else 'unbatched (2-D)'} `query`, expected "
                  f"`key` and `value` to be {query.ndim}-D but found {key.ndim}-D and "
                  f"{value.ndim}-D tensors respectively")
        if key_padding_mask is not None and np.ndim(key_padding_mask) != query.ndim - 1:
            _fail(f"For {'batched (3-D)' if batched else 'unbatched (2-D)'} `query`, expected "
                  f"`key_padding_mask` to be `None` or {query.ndim - 1}-D but found "
                  f"{np.ndim(key_padding_mask)}-D tensor instead")
        if attn_mask is not None and np.ndim(attn_mask) not in (2, 3):
            _fail(f"For {'batched (3-D)' if batched else 'unbatched (2-D)'} `query`, expected "
                  f"`attn_mask` to be `None`, 2-D or 3-D but found {np.ndim(attn_mask)}-D "
                  "tensor instead")
        return batched

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True, is_causal=False):
        key, value = (second_input(t, query, "MultiheadAttention", name)
                      for t, name in ((key, "key"), (value, "value")))
        batched = self._check(query, key, value, key_padding_mask, attn_mask)
        if batched and self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
            if key_padding_mask is not None:
                key_padding_mask = _mask_tensor(key_padding_mask, query,
                                                "MultiheadAttention").unsqueeze(0)
        out, weights = self._attend(query, key, value, key_padding_mask, need_weights,
                                    attn_mask, average_attn_weights, is_causal)
        if not batched:
            return out.squeeze(1), None if weights is None else weights.squeeze(0)
        if self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def _projections(self, query, key, value):
        e = self.embed_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:e], b[e:2 * e], b[2 * e:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:e], w[e:2 * e], w[2 * e:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)

    def _attend(self, query, key, value, key_padding_mask, need_weights, attn_mask,
                average_attn_weights, is_causal):
        """PyTorch's ``multi_head_attention_forward`` on (L, N, E) inputs."""
        L, n, e = query.shape
        h, d = self.num_heads, self.head_dim
        if e != self.embed_dim:
            _fail(f"was expecting embedding dimension of {self.embed_dim}, but got {e}")
        if key.shape[:2] != value.shape[:2]:
            _fail(f"key shape {tuple(key.shape)} does not match value shape "
                  f"{tuple(value.shape)}")
        if key.shape[-1] != self.kdim or value.shape[-1] != self.vdim:
            _fail(f"expected key and value with {self.kdim} and {self.vdim} features, got "
                  f"shapes {tuple(key.shape)} and {tuple(value.shape)}")
        if key.shape[1] != n:
            _fail(f"query {tuple(query.shape)} and key {tuple(key.shape)} have different "
                  "batch sizes")
        if is_causal and attn_mask is None:
            raise RuntimeError("MultiheadAttention: need attn_mask if specifying the "
                               "is_causal hint; generate_square_subsequent_mask makes one")
        key_padding_mask = _float_mask(key_padding_mask, query, "key_padding_mask")
        if is_causal and key_padding_mask is None and not need_weights:
            attn_mask = None        # the hint: sdpa builds the causal mask itself
        else:
            attn_mask = _float_mask(attn_mask, query, "attn_mask")
            if key_padding_mask is not None:
                is_causal = False
        S = key.shape[0]
        if attn_mask is not None:
            want = (L, S) if attn_mask.ndim == 2 else (n * h, L, S)
            if tuple(attn_mask.shape) != want:
                raise RuntimeError(f"The shape of the {attn_mask.ndim}D attn_mask is "
                                   f"{tuple(attn_mask.shape)}, but should be {want}.")
            if attn_mask.ndim == 2:
                attn_mask = attn_mask.unsqueeze(0)
        q, k, v = self._projections(query, key, value)
        if self.bias_k is not None:
            k = concatenate([k, self.bias_k.expand(1, n, e)], 0)
            v = concatenate([v, self.bias_v.expand(1, n, e)], 0)
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        q = q.reshape(L, n * h, d).transpose(0, 1)           # (N·h, L, d)
        k = k.reshape(k.shape[0], n * h, d).transpose(0, 1)  # (N·h, S, d)
        v = v.reshape(v.shape[0], n * h, d).transpose(0, 1)
        if self.add_zero_attn:
            zeros = Tensor._wrap(array_module(q.array).zeros((n * h, 1, d), dtype=q.dtype))
            k, v = concatenate([k, zeros], 1), concatenate([v, zeros], 1)
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        S = k.shape[1]
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (n, S):
                _fail(f"expecting key_padding_mask shape of {(n, S)}, but got "
                      f"{tuple(key_padding_mask.shape)}")
            kpm = key_padding_mask.reshape(n, 1, 1, S).expand(n, h, 1, S).reshape(n * h, 1, S)
            attn_mask = kpm if attn_mask is None else attn_mask + kpm
        p = self.dropout if self.training else 0.0
        if need_weights:
            scores = matmul(q * (1.0 / math.sqrt(d)), k.transpose(1, 2))
            if attn_mask is not None:
                scores = scores + attn_mask
            weights = softmax(scores, -1)     # PyTorch's: NaN where no key is allowed
            if p > 0:
                weights = dropout(weights, p, True)
            out = matmul(weights, v)                          # (N·h, L, d)
            out = out.transpose(0, 1).reshape(L * n, e)
            out = self.out_proj(out).reshape(L, n, e)
            weights = weights.reshape(n, h, L, S)
            return out, weights.mean(1) if average_attn_weights else weights
        if attn_mask is not None:
            attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 else \
                attn_mask.reshape(n, h, -1, S)
        q, k, v = (t.reshape(n, h, t.shape[1], d) for t in (q, k, v))
        out = scaled_dot_product_attention(q, k, v, attn_mask, p, is_causal)
        out = out.permute(2, 0, 1, 3).reshape(L * n, e)
        return self.out_proj(out).reshape(L, n, e), None

    def extra_repr(self):
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"


def _pad_last(mask):
    """A float mask with one more key (a 0 column: the appended key is allowed)."""
    if mask is None:
        return None
    xp = array_module(mask.array)
    zero = Tensor._wrap(xp.zeros(mask.shape[:-1] + (1,), dtype=mask.dtype))
    return concatenate([mask, zero], -1)
