"""``keras.preprocessing``: Keras 3 keeps ``sequence.pad_sequences`` here (also
``keras.utils.pad_sequences``); its dataset loaders from directories and arrays are
not in retrograd.keras (NotSupportedError naming them)."""
from . import sequence
from .. import image_utils as image     # keras.preprocessing.image.load_img, …
from ..dataset_utils import image_dataset_from_directory, text_dataset_from_directory

__all__ = ["sequence", "image", "image_dataset_from_directory", "text_dataset_from_directory"]

from ..missing import module_getattr as _module_getattr  # noqa: E402

__getattr__ = _module_getattr(__name__)
