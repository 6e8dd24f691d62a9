"""PyTorch's ``torch.utils.dlpack``: ``to_dlpack(t)`` (a capsule of t's memory) and
``from_dlpack(x)`` (a tensor sharing x's memory); see ``retrograd/dlpack.py``."""
from ..dlpack import from_dlpack, to_dlpack

__all__ = ["from_dlpack", "to_dlpack"]
