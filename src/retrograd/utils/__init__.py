"""``retrograd.utils``: PyTorch's ``torch.utils`` names; ``utils.data`` is the
data loading (``Dataset``, ``DataLoader``, ``random_split``…)."""
from ..missing import module_getattr
from . import data

__getattr__ = module_getattr(__name__, {
    "tensorboard": "no TensorBoard writer; retrograd.keras.callbacks.CSVLogger writes "
                   "the metrics of each epoch",
    "checkpoint": "no activation checkpointing (recomputation); for training checkpoints "
                  "see retrograd.checkpoint.save_checkpoint",
    "cpp_extension": "no C++ extensions; write an op as a retrograd.Function",
    "benchmark": "no benchmark utilities; time with time.perf_counter",
    "hooks": "no hook utilities; see Tensor.register_hook",
})

__all__ = ["data"]
