"""Keras's attention layers: ``MultiHeadAttention`` (the Transformer's), and the
single-head ``Attention`` (Luong, dot product) and ``AdditiveAttention`` (Bahdanau).

Each query step attends to the value steps: scores s = score(q, k) for every key,
weights a = softmax(s) over the keys (a masked key gets −10⁹ before the softmax, so
a ≈ 0 there), output = Σ a·v. Multi-head attention first projects the query, key and
value to ``num_heads`` heads (``EinsumDense``), scores with q·k/√key_dim, and
projects the concatenated heads back (``attention_output``)."""
import math
import string

import numpy as np

from ...backend import array_module
from ...nn import regularizers as _regularizers
from ...nn.dropout import dropout as _dropout
from ...ops.einsum import einsum
from ...ops.elementwise import where
from ...tensor import Tensor
from .core import _regularizer_config
from .einsum_dense import EinsumDense
from .layer import Layer, _plain, _shape_of, constraint_config, read_constraints

_LARGE_NEGATIVE = -1e9      # Keras's masked score in float32
_ADDITIVE_NEGATIVE = -0.7 * 3.38953e38      # Keras's torch dot_product_attention's


def _mask_array(mask, xp):
    """A mask given as a tensor, an array or a list, as a boolean array (Keras: a
    boolean kept, numbers compared with 0.5)."""
    a = mask.array if isinstance(mask, Tensor) else xp.asarray(mask)
    return a if a.dtype == bool else a > 0.5


def _causal(t, s, xp):
    """(1, T, S): step i sees the steps j ≤ i."""
    return xp.tril(xp.ones((t, s), dtype=bool))[None]


def masked_softmax(scores, mask, axes, zero_masked=True):
    """softmax of ``scores`` over ``axes``, masked positions (False) set to −10⁹
    before and to 0 after (a row with every key masked gives zeros, as Keras's
    Softmax). ``zero_masked=False``: not zeroed after (Keras's torch
    ``dot_product_attention``, an additive mask: a fully masked row is uniform)."""
    if mask is not None and zero_masked:
        scores = where(mask, scores, _LARGE_NEGATIVE)
    elif mask is not None:      # the scores still get gradients where masked
        xp = array_module(mask)
        scores = scores + Tensor(xp.where(mask, 0.0, _ADDITIVE_NEGATIVE).astype(
            scores.dtype))
    if len(axes) == 1:
        out = scores.softmax(axes[0])
    else:
        out = (scores - scores.logsumexp(tuple(axes), keepdim=True)).exp()
    return out if mask is None or not zero_masked else where(mask, out, 0.0)


def _letter(i):
    return string.ascii_lowercase[i]


def attention_equations(rank, attn_axes):
    """Keras's einsum equations for projected tensors of ``rank`` axes (batch, …,
    heads, channels): (q·k scores, combination of the values, rank of the scores).
    The scores are (batch dims, heads, query attention dims, key attention dims)."""
    target = "".join(_letter(i) for i in range(rank))
    batch = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source, offset = "", rank
    for i in range(rank):
        if i in batch or i == rank - 1:
            source += target[i]
        else:
            source += _letter(offset)
            offset += 1
    product = "".join([target[i] for i in batch] + [target[i] for i in attn_axes] +
                      [source[i] for i in attn_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)


def projection_equation(free_dims, bound_dims, output_dims):
    """(equation, bias axes, output rank) of a projection: the ``free_dims`` leading
    axes kept, ``bound_dims`` contracted, ``output_dims`` made."""
    letters = [_letter(i) for i in range(free_dims + bound_dims + output_dims)]
    free = "".join(letters[:free_dims])
    bound = "".join(letters[free_dims:free_dims + bound_dims])
    out = "".join(letters[free_dims + bound_dims:])
    return f"{free}{bound},{bound}{out}->{free}{out}", out, free_dims + output_dims


def _output_shape(rank, known):
    return [None] * (rank - len(known)) + list(known)


class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017), Keras's: for each head h,
    softmax(Q_h K_hᵀ/√key_dim) V_h with Q_h = query·W_q[:, h] + b_q[h] (and K, V the
    same from key and value); the heads' outputs are projected back to the query's
    last size (or ``output_shape``). Weights (Keras's names, shapes and order):
    ``query``/``key``/``value`` kernels (d, heads, key_dim), biases (heads, key_dim),
    ``attention_output`` kernel (heads, value_dim, d), bias (d,).

    Call: ``mha(query, value, key=None, attention_mask=None,
    return_attention_scores=False, training=None, use_causal_mask=False)``; the mask
    (B, T, S) says which query step may see which key step (1/True: may).

    >>> MultiHeadAttention(num_heads=2, key_dim=32)(x, x)      # self-attention
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        def positive(v):
            return isinstance(v, int) and not isinstance(v, bool) and v > 0
        if not positive(num_heads):
            raise ValueError("Received an invalid value for argument `num_heads`, expected "
                             f"a positive integer. Received: num_heads={num_heads}")
        if not positive(key_dim):
            raise ValueError("Received an invalid value for argument `key_dim`, expected a "
                             f"positive integer. Received: key_dim={key_dim}")
        if value_dim is not None and not positive(value_dim):
            raise ValueError("Received an invalid value for argument `value_dim`, expected "
                             f"a positive integer or `None`. Received: value_dim={value_dim}")
        if sliding_window is not None and not positive(sliding_window):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple."
                             f"Received: attention_axes={attention_axes}")
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(f"Invalid `output_shape`: {output_shape}. When specified, "
                                 "the `output_shape` should be of type tuple, list, or "
                                 "int.") from None
        if flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        constraints = read_constraints("MultiHeadAttention", kernel_constraint=kernel_constraint,
                                       bias_constraint=bias_constraint)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        # handed to the query/key/value/output projections (their optimizer projection)
        self.kernel_constraint, self.bias_constraint = constraints.values()
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout, self.use_bias, self.use_gate = dropout, bool(use_bias), bool(use_gate)
        self._output_shape = output_shape or None
        self.attention_axes = tuple(attention_axes) if attention_axes else None
        self.sliding_window, self.flash_attention, self.seed = \
            sliding_window, flash_attention, seed
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer = _regularizers.get(kernel_regularizer)
        self.bias_regularizer = _regularizers.get(bias_regularizer)
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))
        self._query_dense = None
        # A seed makes one generator for the layer's life (not the same mask each step).
        self._generator = None if seed is None else np.random.default_rng(seed)

    # Keras builds from (query_shape, value_shape, key_shape); the base class hands
    # build only the first input's shape, so the shapes are taken here.
    def _build_from(self, args):
        if len(args) >= 2:
            self.build(*[_shape_of(a) for a in args[:3]])

    # Keras saves this layer's build_config as {"shapes_dict": {query_shape, …}}, not
    # the {"input_shape"} a one-input layer writes: with no input shape, no
    # build_config is written and Keras builds it by calling it in the model's graph.
    @property
    def input_shape(self):
        return None

    @input_shape.setter
    def input_shape(self, shape):
        pass

    def build_for(self, input_shapes):
        """Build for [query shape, value shape(, key shape)] (a model file's node)."""
        shapes = [tuple(s) for s in input_shapes]
        if not self.built:
            self.build(*shapes[:3])
        out = shapes[0][:-1] + (tuple(self._output_shape) if self._output_shape else
                                shapes[0][-1:])
        self.output_shape = out
        return out

    def _dense(self, equation, bias_axes, output_shape, name, activation=None):
        return EinsumDense(equation, output_shape=output_shape, activation=activation,
                           bias_axes=bias_axes if self.use_bias else None, name=name,
                           kernel_initializer=self.kernel_initializer,
                           bias_initializer=self.bias_initializer,
                           kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer,
                           kernel_constraint=self.kernel_constraint,
                           bias_constraint=self.bias_constraint)

    def build(self, query_shape, value_shape, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        query_shape, value_shape, key_shape = (tuple(s) for s in (query_shape, value_shape,
                                                                   key_shape))
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={value_shape} and "
                             f"key_shape={key_shape}")
        heads_k, heads_v = [self.num_heads, self.key_dim], [self.num_heads, self.value_dim]
        eq, bias, rank = projection_equation(len(query_shape) - 1, 1, 2)
        self._query_dense = self._dense(eq, bias, _output_shape(rank - 1, heads_k), "query")
        self._query_dense.build(query_shape)
        eq, bias, rank = projection_equation(len(key_shape) - 1, 1, 2)
        self._key_dense = self._dense(eq, bias, _output_shape(rank - 1, heads_k), "key")
        self._key_dense.build(key_shape)
        if self.use_gate:
            eq, bias, rank = projection_equation(len(query_shape) - 1, 1, 2)
            self._gate_dense = self._dense(eq, bias, _output_shape(rank - 1, heads_v), "gate",
                                           activation="sigmoid")
            self._gate_dense.build(query_shape)
        eq, bias, rank = projection_equation(len(value_shape) - 1, 1, 2)
        self._value_dense = self._dense(eq, bias, _output_shape(rank - 1, heads_v), "value")
        self._value_dense.build(value_shape)
        axes = self.attention_axes
        axes = tuple(range(1, rank - 2)) if axes is None else \
            tuple(a if a >= 0 else rank - 1 + a for a in axes)
        self.attention_axes = axes
        self._dot_product_equation, self._combine_equation, scores_rank = \
            attention_equations(rank, axes)
        self._norm_axes = tuple(range(scores_rank - len(axes), scores_rank))
        out = list(self._output_shape) if self._output_shape else [query_shape[-1]]
        eq, bias, rank = projection_equation(len(query_shape) - 1, 2, len(out))
        self._output_dense = self._dense(eq, bias, _output_shape(rank - 1, out),
                                         "attention_output")
        inner = list(self._query_dense.compute_output_shape(query_shape))
        inner[-1] = self.value_dim
        self._output_dense.build(tuple(inner))
        self.built = True

    def _attention_mask(self, query, value, attention_mask, use_causal_mask,
                        value_mask=None, key_mask=None, query_mask=None):
        """Keras's ``_compute_attention_mask``: attention_mask (B, T, S), query_mask
        (B, T) → (B, T, 1), value_mask, key_mask (B, S) → (B, 1, S), the causal and
        sliding-window bands, all and-ed."""
        xp = array_module(query.array)
        mask = None if attention_mask is None else _mask_array(attention_mask, xp)
        if query_mask is not None:
            m = _mask_array(query_mask, xp)[..., None]
            mask = m if mask is None else mask & m
        for m in (value_mask, key_mask):
            if m is not None:
                m = _mask_array(m, xp)[..., None, :]
                mask = m if mask is None else mask & m
        t, s = query.shape[1], value.shape[1]
        if use_causal_mask:
            causal = _causal(t, s, xp)
            mask = causal if mask is None else mask & causal
        if self.sliding_window is not None:
            i, j = xp.arange(t)[None, :, None], xp.arange(s)[None, None, :]
            band = xp.abs(i - j) < self.sliding_window
            mask = band if mask is None else mask & band
        return mask

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        who = f"MultiHeadAttention {self.name!r}"
        if not isinstance(value, Tensor):
            raise TypeError(f"{who}: missing the `value` input: call it as "
                            "mha(query, value) (value=query for self-attention)")
        # Keras 3 reads the query's mask from the tensor (its query_mask= is ignored)
        # and takes the inputs' masks off them; the output carries the query's.
        query_mask = getattr(query, "_keras_mask", None)
        if self.flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash "
                             "attention is enabled. Please disable flash attention to access"
                             " attention scores.")
        key = value if key is None else key
        for x in (query, value, key):
            if getattr(x, "_keras_mask", None) is not None:
                x._keras_mask = None
        if tuple(value.shape[1:-1]) != tuple(key.shape[1:-1]):
            raise ValueError("All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={tuple(value.shape)} and "
                             f"key_shape={tuple(key.shape)}")
        if self._query_dense is None:
            self.build((None,) + tuple(query.shape[1:]), (None,) + tuple(value.shape[1:]),
                       (None,) + tuple(key.shape[1:]))
        mask = self._attention_mask(query, value, attention_mask, use_causal_mask,
                                    value_mask, key_mask, query_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = self._key_dense(key)
        v = self._value_dense(value)
        scores = einsum(self._dot_product_equation, k, q * self._inverse_sqrt_key_dim)
        if mask is not None:
            # (B, T, S) → (B, 1, T, S): the heads (and batch) axes are broadcast.
            expand = -len(self.attention_axes) * 2 - 1
            for _ in range(scores.ndim - mask.ndim):
                mask = array_module(mask).expand_dims(mask, expand)
            if mask.ndim > scores.ndim or any(
                    m not in (1, s) for m, s in zip(mask.shape[::-1], scores.shape[::-1])):
                raise ValueError(f"{who}: The `mask` must be broadcastable to `inputs` "
                                 "(the attention scores, batch × heads × query steps × key "
                                 f"steps). Received: inputs.shape={tuple(scores.shape)}, "
                                 f"mask.shape={tuple(mask.shape)}")
        # Keras 3 computes through ops.dot_product_attention (an additive mask on the
        # torch backend) unless there is dropout, scores are returned or the input
        # has more than one attention axis: then its Softmax zeroes masked weights.
        fused = self.dropout == 0 and not return_attention_scores and query.ndim == 3
        scores = masked_softmax(scores, mask, self._norm_axes, zero_masked=not fused)
        weights = _dropout(scores, self.dropout, True, generator=self._generator) \
            if self.dropout > 0 and training else scores
        out = einsum(self._combine_equation, weights, v)
        out = self._output_dense(out * gate if gate is not None else out)
        if query_mask is not None:
            out._keras_mask = query_mask
        return (out, scores) if return_attention_scores else out

    def keras_weight_groups(self):
        """The groups of Keras 3's weights file below this layer's
        (layers/multi_head_attention/query_dense/vars, …)."""
        subs = [("query_dense", self._query_dense), ("key_dense", self._key_dense)]
        if self.use_gate:
            subs.append(("gate_dense", self._gate_dense))
        subs += [("value_dense", self._value_dense), ("output_dense", self._output_dense)]
        return [(f"{n}/vars", [p for _, p in layer.named_weights()]) for n, layer in subs] + \
            [("_softmax/vars", []), ("_dropout_layer/vars", []), ("vars", [])]

    def get_config(self):
        config = super().get_config()
        config.pop("input_shape", None)
        return {**config, "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout,
                "use_bias": self.use_bias, "use_gate": self.use_gate,
                "output_shape": self._output_shape, "attention_axes": self.attention_axes,
                "sliding_window": self.sliding_window,
                "kernel_initializer": _plain(self.kernel_initializer),
                "bias_initializer": _plain(self.bias_initializer),
                "kernel_regularizer": _regularizer_config(self.kernel_regularizer),
                "bias_regularizer": _regularizer_config(self.bias_regularizer),
                "activity_regularizer": _regularizer_config(self.activity_regularizer),
                "kernel_constraint": constraint_config(self.kernel_constraint),
                "bias_constraint": constraint_config(self.bias_constraint), "seed": self.seed}


class _BaseDenseAttention(Layer):
    """What ``Attention`` and ``AdditiveAttention`` share: called on [query, value]
    or [query, value, key] (key = value if absent), scores (B, Tq, Tv) → softmax over
    the value steps → weights · value."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode}")
        super().__init__(**kwargs)
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self.dropout, self.seed = float(dropout), seed
        self.scale = self.concat_score_weight = None
        self._generator = None if seed is None else np.random.default_rng(seed)

    def _validate(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "  # noqa: TRY004 (Keras's)
                             f"[query, value] or [query, value, key]. Received: "
                             f"inputs={inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None and (not isinstance(mask, (list, tuple)) or
                                 not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                             f"value_mask]. Received: mask={mask}.")

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        xp = array_module(q.array)
        q_mask = None if not mask or mask[0] is None else _mask_array(mask[0], xp)
        v_mask = None if not mask or mask[1] is None else _mask_array(mask[1], xp)
        scores = self._scores(q, k)
        keep = None if v_mask is None else v_mask[..., None, :]
        if use_causal_mask:
            causal = _causal(scores.shape[-2], scores.shape[-1], xp)
            keep = causal if keep is None else keep & causal
        if keep is not None:
            scores = where(keep, scores, scores - 1e9)
        weights = scores.softmax(-1)
        if self.dropout > 0 and training:
            weights = _dropout(weights, self.dropout, True, generator=self._generator)
        out = weights @ v
        if q_mask is not None:
            out = where(q_mask[..., None], out, 0.0)
        return (out, weights) if return_attention_scores else out

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def compute_mask(self, inputs, mask=None):
        """The query's mask (Keras's)."""
        if not mask or mask[0] is None:
            return None
        return mask[0]

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class Attention(_BaseDenseAttention):
    """Dot-product (Luong) attention, Keras's: scores = q·kᵀ (× ``scale``, a
    trainable scalar, if ``use_scale``); ``score_mode="concat"``: scores =
    c·Σ tanh(q + k) (c a trainable scalar). Call on [query (B, Tq, d), value
    (B, Tv, d)] or [query, value, key].

    >>> Attention()([query, value])          # (B, Tq, d)
    """

    def build(self, input_shape):
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight",
                                                       shape=(), initializer="ones")
        self.built = True

    def _scores(self, q, k):
        if self.score_mode == "dot":
            s = q @ k.transpose(-2, -1)
            return s * self.scale if self.scale is not None else s
        x = q.unsqueeze(-2) + k.unsqueeze(-3)
        if self.scale is not None:
            x = self.scale * x
        return self.concat_score_weight * x.tanh().sum(-1)


class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau) attention, Keras's: scores = Σ_d scale_d·tanh(q_d + k_d)
    (``scale`` of shape (d,), trainable, if ``use_scale``).

    >>> AdditiveAttention()([query, value])
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate(input_shape)
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")
        self.built = True

    def _scores(self, q, k):
        x = (q.unsqueeze(-2) + k.unsqueeze(-3)).tanh()
        return (x * self.scale if self.use_scale else x).sum(-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
