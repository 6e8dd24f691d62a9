"""``keras.preprocessing.sequence.pad_sequences`` (the same function as
``keras.utils.pad_sequences``, in ``keras/sequence_utils.py``)."""
from ..sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
