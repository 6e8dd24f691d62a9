"""The ``Parameter`` marker: a tensor that a module learns."""
import numpy as np

from ..tensor import Tensor


class Parameter(Tensor):
    """A tensor a ``Module`` owns and trains: assigning one to a module attribute
    registers it, so ``parameters()`` finds it without a hand-written list.

    ``Parameter(data, requires_grad=True)``; ``data`` is a tensor or an array (shared,
    not copied) or Python data (float32).

    >>> w = Parameter(rg.zeros(3, 2))
    >>> w.requires_grad
    True
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
