"""Keras's ``Masking`` and ``Identity`` layers.

``Masking(mask_value)`` zeroes the steps whose features all equal ``mask_value``
(padding) and hands the mask (which steps are real: ``_keras_mask``) to the next
layers, which skip those steps (an LSTM keeps its state across them, a pooling
leaves them out, the loss does not count them)."""
from ...ops.elementwise import where
from ...tensor import Tensor
from .layer import Layer


class Masking(Layer):
    """y = x where a step has a feature ≠ ``mask_value``, 0 where all its features
    equal it (the mask is over the last axis: (N, T, d) → a (N, T) mask).

    >>> Masking(mask_value=0.0)
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.built = True

    def call(self, inputs):
        keep = (inputs.array != self.mask_value).any(axis=-1, keepdims=True)
        return where(keep, inputs, 0.0)

    def compute_mask(self, inputs, mask=None):
        """any(x ≠ mask_value) over the last axis: True at the real steps."""
        return Tensor((inputs.array != self.mask_value).any(axis=-1))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}


class Identity(Layer):
    """y = x: a placeholder layer (a model's branch that does nothing).

    >>> Identity()
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
