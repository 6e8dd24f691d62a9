"""The Transformer (Vaswani et al., 2017) as PyTorch builds it: encoder and decoder
layers, their stacks, and ``nn.Transformer``.

An encoder layer is self-attention then a position-wise feed-forward network, each
wrapped in a residual connection and a layer normalisation:

    post-norm (``norm_first=False``):  x ← LN₁(x + SA(x)),  x ← LN₂(x + FF(x))
    pre-norm  (``norm_first=True``):   x ← x + SA(LN₁(x)),  x ← x + FF(LN₂(x))

with FF(x) = W₂ dropout(φ(W₁x + b₁)) + b₂. A decoder layer adds, between the two, an
attention of the target over the encoder's output (the "memory"). The submodules'
names are PyTorch's (``self_attn``, ``linear1``, ``norm1``, ``layers.0``…), so its
``state_dict`` loads. PyTorch's fast inference path (nested tensors) is not
reproduced: evaluation computes the same formula as training.
"""
import copy

import numpy as np

from ..function import is_grad_enabled
from ..tensor import Tensor
from . import functional as F
from . import init
from .multihead_attention import MultiheadAttention, second_input
from .containers import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = [
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "generate_square_subsequent_mask",
]


def generate_square_subsequent_mask(sz, device=None, dtype=None):
    """The causal mask of size (sz, sz): 0 on and below the diagonal, −∞ above (query i
    may attend to positions j ≤ i), as a float tensor (float32 by default)."""
    mask = np.triu(np.full((int(sz), int(sz)), -np.inf, dtype=np.dtype(dtype or np.float32)),
                   1)
    t = Tensor(mask)
    return t if device is None else t.to(device)


def _activation(activation):
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    if callable(activation):
        return activation
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


class _Layer(Module):
    """What encoder and decoder layers share: the feed-forward block and the norms."""

    def _build(self, d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
               batch_first, norm_first, bias, dtype, norms):
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias,
                                            batch_first=batch_first, dtype=dtype)
        if norms == 3:
            self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                     bias=bias, batch_first=batch_first,
                                                     dtype=dtype)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = bool(norm_first)
        for i in range(1, norms + 1):
            setattr(self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias,
                                                dtype=dtype))
        for i in range(1, norms + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        self.activation = _activation(activation)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False, is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x, out_dropout):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return out_dropout(x)


class TransformerEncoderLayer(_Layer):
    """Self-attention and a feed-forward network, each with a residual connection and
    a layer normalisation (after it, or before with ``norm_first``; module docstring).
    Input (S, N, d_model), (N, S, d_model) with ``batch_first``, or (S, d_model).

    >>> layer = TransformerEncoderLayer(d_model=64, nhead=4, batch_first=True)
    >>> y = layer(x, src_key_padding_mask=pad)     # x: (N, S, 64), pad: (N, S) bool
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self._build(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                    batch_first, norm_first, bias, dtype, norms=2)
        if device is not None:
            self.to(device)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x), self.dropout2)
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x, self.dropout2))
        return x


class TransformerDecoderLayer(_Layer):
    """Self-attention over the target, attention over the encoder's output (``memory``)
    and a feed-forward network, each with a residual connection and a layer
    normalisation (``norm1``, ``norm2``, ``norm3``; before each block with
    ``norm_first``).

    >>> layer = TransformerDecoderLayer(d_model=64, nhead=4)
    >>> y = layer(tgt, memory, tgt_mask=Transformer.generate_square_subsequent_mask(T))
    """

    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
                 layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self._build(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                    batch_first, norm_first, bias, dtype, norms=3)
        if device is not None:
            self.to(device)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, is_causal=is_causal,
                                need_weights=False)[0]
        return self.dropout2(x)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        memory = second_input(memory, tgt, "TransformerDecoderLayer", "memory")
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask,
                                   tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x), self.dropout3)
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask,
                                              tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask,
                                               memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x, self.dropout3))
        return x


def _clones(layer, n):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"num_layers must be a positive integer, got {n!r}")
    return ModuleList([copy.deepcopy(layer) for _ in range(int(n))])


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` (independent weights, each starting
    as a copy of it) applied in turn, then ``norm`` if given. ``enable_nested_tensor``
    and ``mask_check`` are accepted and ignored (PyTorch's inference fast path).

    >>> enc = TransformerEncoder(TransformerEncoderLayer(64, 4), num_layers=2)
    >>> y = enc(x, mask=causal, src_key_padding_mask=pad)
    """

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
                 mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = len(self.layers)
        self.norm = norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check
        attn = encoder_layer.self_attn
        self.use_nested_tensor = bool(
            enable_nested_tensor and isinstance(encoder_layer, TransformerEncoderLayer)
            and not encoder_layer.norm_first and attn.batch_first
            and attn._qkv_same_embed_dim and attn.in_proj_bias is not None
            and encoder_layer.activation in (F.relu, F.gelu)
            and encoder_layer.norm1.eps == encoder_layer.norm2.eps and attn.num_heads % 2 == 0)

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask,
                      is_causal=bool(is_causal))
        padded = self._nested_padding(src, mask, src_key_padding_mask)
        if padded is not None:
            x = x.masked_fill(padded[..., None], 0.0)
        return x if self.norm is None else self.norm(x)

    def _nested_padding(self, src, mask, key_padding_mask):
        """Where PyTorch's inference fast path would run (evaluation without gradients,
        a padding mask, no attention mask, a batch-first post-norm stack), it computes on
        nested tensors and returns 0 at the padded positions before ``norm``: those
        positions (N, S), else None. The other positions are the same either way."""
        if not self.use_nested_tensor or self.layers[0].training or src.ndim != 3 \
                or key_padding_mask is None or mask is not None:
            return None
        first = self.layers[0]
        tensors = [src] + [p for p in (first.self_attn.in_proj_weight,
                                       first.self_attn.in_proj_bias) if p is not None] + \
            list(first.self_attn.out_proj.parameters()) + list(first.norm1.parameters()) + \
            list(first.norm2.parameters()) + list(first.linear1.parameters()) + \
            list(first.linear2.parameters())
        if is_grad_enabled() and any(t.requires_grad for t in tensors):
            return None
        pad = key_padding_mask.array if isinstance(key_padding_mask, Tensor) else \
            np.asarray(key_padding_mask)
        pad = pad if pad.dtype == bool else pad != 0
        if self.mask_check and bool((pad[:, :-1] & ~pad[:, 1:]).any()):
            return None          # PyTorch's check: every row's tokens come first
        return pad


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` applied in turn to the target, each
    attending over the same ``memory``, then ``norm`` if given."""

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = len(self.layers)
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        x = tgt
        memory = second_input(memory, tgt, "TransformerDecoder", "memory")
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return x if self.norm is None else self.norm(x)


class Transformer(Module):
    """The encoder–decoder Transformer: ``encoder`` (``num_encoder_layers`` layers and a
    final ``LayerNorm``) reads ``src``, ``decoder`` (``num_decoder_layers`` and a final
    ``LayerNorm``) maps ``tgt`` attending over the encoder's output. Every matrix starts
    Xavier-uniform, as PyTorch. Shapes: src (S, N, E), tgt (T, N, E) → (T, N, E)
    (batch first with ``batch_first``).

    >>> model = Transformer(d_model=64, nhead=4, num_encoder_layers=2, num_decoder_layers=2)
    >>> out = model(src, tgt, tgt_mask=Transformer.generate_square_subsequent_mask(T))
    """

    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
                 dim_feedforward=2048, dropout=0.1, activation="relu", custom_encoder=None,
                 custom_decoder=None, layer_norm_eps=1e-5, batch_first=False,
                 norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                batch_first, norm_first, bias)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(*args, dtype=dtype), num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(*args, dtype=dtype), num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        self._reset_parameters()
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        if device is not None:
            self.to(device)

    def _reset_parameters(self):
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        tgt = second_input(tgt, src, "Transformer", "tgt")
        batch = 0 if self.batch_first else 1
        if src.ndim == 3 and src.shape[batch] != tgt.shape[batch]:
            raise RuntimeError(f"the batch number of src and tgt must be equal (src "
                               f"{tuple(src.shape)}, tgt {tuple(tgt.shape)})")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError(f"the feature number of src and tgt must be equal to d_model="
                               f"{self.d_model} (src {tuple(src.shape)}, tgt "
                               f"{tuple(tgt.shape)})")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask,
                              is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    generate_square_subsequent_mask = staticmethod(generate_square_subsequent_mask)
