"""Keras's ``pad_sequences``: a list of sequences of different lengths made one
array of shape (number of sequences, maxlen, …), the usual first step of a text
model (token ids of each review padded to the same length).

Each sequence is cut to ``maxlen`` items (``truncating="pre"`` keeps the last ones,
``"post"`` the first ones), then placed at the end (``padding="pre"``) or the start
(``"post"``) of a row filled with ``value``.

>>> pad_sequences([[1, 2, 3], [4]], maxlen=2)
array([[2, 3],
       [0, 4]], dtype=int32)
"""
import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """``sequences`` (a list of lists or arrays) as one NumPy array of shape
    (len(sequences), maxlen) + the items' shape, as Keras 3's NumPy implementation:
    ``maxlen`` defaults to the longest sequence; an empty sequence gives a row of
    ``value``; a string ``value`` needs ``dtype=object`` or a string dtype."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: `sequences` must be iterable (a list of "
                         f"sequences), got {type(sequences).__name__}")
    lengths, item_shape = [], None
    for i, seq in enumerate(sequences):
        try:
            n = len(seq)
        except TypeError:
            raise ValueError("pad_sequences: `sequences` must be a list of iterables. "
                             f"Found non-iterable: {seq!s} at position {i}") from None
        lengths.append(n)
        if item_shape is None and n:
            # The first non-empty sequence fixes the shape of one item (() for ids).
            item_shape = np.asarray(seq).shape[1:]
    item_shape = () if item_shape is None else item_shape
    if maxlen is None:
        if not lengths:
            raise ValueError("pad_sequences: no sequence given and maxlen=None, so the "
                             "length to pad to is unknown")
        maxlen = max(lengths)
    textual = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not textual:
        raise ValueError(f"pad_sequences: `dtype` {dtype} is not compatible with "
                         f"`value`'s type: {type(value)}\nYou should set `dtype=object` "
                         "for variable length strings.")
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood (pad_sequences '
                         'takes "pre" or "post")')
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood (pad_sequences takes '
                         '"pre" or "post")')
    out = np.full((len(lengths), maxlen) + tuple(item_shape), value, dtype=dtype)
    for i, seq in enumerate(sequences):
        if not len(seq):
            continue
        # As Keras: s[-maxlen:] keeps the last maxlen items (all of them for maxlen=0).
        kept = np.asarray(seq[-maxlen:] if truncating == "pre" else seq[:maxlen],
                          dtype=dtype)
        if kept.shape[1:] != tuple(item_shape):
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position "
                             f"{i} is different from expected shape {tuple(item_shape)}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out
