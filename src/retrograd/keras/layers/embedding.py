"""Keras's ``Embedding`` layer over the ``embedding`` op (``ops/embedding.py``)."""
import warnings

import numpy as np

from ...missing import NotSupportedError
from ...nn import init as _init
from ...nn import regularizers as _regularizers
from ...ops.embedding import embedding
from ...tensor import Tensor
from .core import _regularizer_config
from .layer import Layer, _plain, constraint_config, read_constraints


def _positive(value, arg):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r} "
                         f"(of type {type(value).__name__}).")
    return int(value)


class Embedding(Layer):
    """Turns integer indices (N, …) into vectors (N, …, output_dim): row i of the
    ``embeddings`` matrix (input_dim, output_dim), drawn from
    ``embeddings_initializer`` (Keras's default "uniform": U(−0.05, 0.05)). Float
    indices are truncated to integers (as Keras casts them); an index outside
    [0, input_dim) raises IndexError. ``mask_zero=True``: index 0 is padding, the
    output carries the mask ids ≠ 0 (``_keras_mask``) that the next layers (LSTM,
    GlobalAveragePooling1D, attention, the loss) read, so the vocabulary takes ids
    1 … input_dim − 1.

    >>> Embedding(10_000, 64)             # (None, 100) → (None, 100, 64): 640,000 weights
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        input_dim = _positive(input_dim, "input_dim")
        output_dim = _positive(output_dim, "output_dim")
        for name, value in (("lora_rank", lora_rank),
                            ("quantization_config", quantization_config)):
            if value:
                raise NotSupportedError(f"Embedding: {name}={value!r} is not supported "
                                        f"(retrograd's layers have no LoRA or "
                                        f"quantisation); leave it unset")
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.",
                          UserWarning, stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings_initializer = embeddings_initializer
        _init.get(embeddings_initializer)          # refuse a bad name now
        self.embeddings_regularizer = _regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = read_constraints(
            "Embedding", embeddings_constraint=embeddings_constraint)["embeddings_constraint"]
        self.embeddings = None
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) else [weights])

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim), initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer, constraint=self.embeddings_constraint,
            name="embeddings")
        self.built = True

    def weight_shapes(self, input_shape):
        return {"embeddings": (self.input_dim, self.output_dim)}

    def forward(self, x):
        # Not Layer.forward: the indices stay integers (it casts inputs to float32).
        if not self.built:
            self.build_for((None,) + tuple(x.shape[1:]))
        return self.call(x)

    def call(self, x):
        if x.dtype.kind == "f":
            x = x.to(dtype=np.int64)      # Keras casts to int (truncation)
        return embedding(x, self.embeddings)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs, mask=None):
        """ids ≠ 0 with ``mask_zero`` (True at the real tokens), else None."""
        if not self.mask_zero:
            return None
        return Tensor(inputs.array != 0)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": _plain(self.embeddings_initializer),
                "embeddings_regularizer": _regularizer_config(self.embeddings_regularizer),
                "embeddings_constraint": constraint_config(self.embeddings_constraint),
                "mask_zero": self.mask_zero}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(**config)
