"""Optimisers: how parameters move against their gradients, and how fast.

``SGD`` (the course's gradient descent, online or by mini-batch; momentum,
Nesterov, weight decay), ``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad``, all on
the ``Optimizer`` base (parameter groups, ``zero_grad``, ``step``, checkpoints),
and ``schedules`` for the learning rate η_t.

>>> opt = retrograd.optim.SGD([w, b], lr=0.1, momentum=0.9)
>>> opt.zero_grad(); loss.backward(); opt.step()
"""
from . import schedules
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import LRScheduler, ReduceLROnPlateau
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "schedules",
           "LRScheduler", "ReduceLROnPlateau"]
