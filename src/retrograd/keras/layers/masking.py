"""Keras's ``Masking`` and ``Identity`` layers.

``Masking(mask_value)`` zeroes the steps whose features all equal ``mask_value``
(padding). Keras also hands the mask (which steps are real) to the next layers, which
skip those steps (an LSTM keeps its state across them, a pooling leaves them out).
retrograd does not propagate masks: the output tensor carries the mask as
``_keras_mask``, and the layers that would read it refuse an input with masked steps
(``refuse_mask``) rather than compute over the padding as if it were data."""
from ...missing import NotSupportedError
from ...ops.elementwise import where
from .layer import Layer


def refuse_mask(x, who):
    """Raise NotSupportedError when ``x`` comes from ``Masking`` with masked steps."""
    mask = getattr(x, "_keras_mask", None)
    if mask is not None and not bool(mask.all()):
        raise NotSupportedError(f"{who}: its input has steps masked by a Masking layer; "
                                "retrograd does not propagate Keras masks, so the masked "
                                "steps would be computed as data (Keras skips them). Drop "
                                "the padded steps, or use attention_mask= where the layer "
                                "takes one")


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
        out = where(keep, inputs, 0.0)
        out._keras_mask = keep[..., 0]
        return out

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
