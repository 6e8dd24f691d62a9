"""``keras.preprocessing``: Keras 3 keeps ``sequence.pad_sequences`` here (also
``keras.utils.pad_sequences``); its dataset loaders from directories and arrays are
not in retrograd.keras (NotSupportedError naming them)."""
from . import sequence

__all__ = ["sequence"]

from ..missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)
