"""``torch.nn.utils.rnn``: padding a batch of sequences of different lengths to one
(``pad_sequence``, written in ``nn/rnn.py`` beside the recurrent layers); packed
sequences raise NotSupportedError naming them."""
from ..rnn import (PackedSequence, pack_padded_sequence, pack_sequence,  # noqa: F401
                   pad_packed_sequence, pad_sequence)

__all__ = ["pad_sequence", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence",
           "PackedSequence"]
