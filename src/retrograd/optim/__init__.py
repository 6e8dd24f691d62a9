"""Optimisers: how parameters move against their gradients, and how fast.

``SGD`` (the course's gradient descent, online or by mini-batch; momentum,
Nesterov, weight decay), ``Adam``, ``AdamW``, ``NAdam``, ``RMSprop``, ``Adagrad``,
``Adadelta``, all on the ``Optimizer`` base (parameter groups, ``zero_grad``,
``step``, checkpoints). The learning rate η_t: ``lr_scheduler`` has PyTorch's
schedulers (``StepLR``, ``CosineAnnealingLR``, ``OneCycleLR``,
``ReduceLROnPlateau``…), ``schedules`` the course's closed forms and
``LRScheduler(opt, f, **args)``, a driver for any f(t, η0).

>>> opt = retrograd.optim.SGD([w, b], lr=0.1, momentum=0.9)
>>> opt.zero_grad(); loss.backward(); opt.step()
"""
from ..missing import module_getattr
from . import lr_scheduler, schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .nadam import NAdam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .schedules import LRScheduler, ReduceLROnPlateau
from .sgd import SGD
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .radam import RAdam
from .rprop import Rprop
from . import swa_utils

_OTHERS = "not implemented in retrograd; the optimisers are SGD, Adam, AdamW, NAdam, " \
          "RMSprop, Adagrad, Adadelta, Adamax, RAdam, ASGD, Rprop and LBFGS"
__getattr__ = module_getattr(__name__, {
    **{name: _OTHERS for name in ("SparseAdam", "Adafactor", "Muon")},
})

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "NAdam", "RMSprop", "Adagrad", "Adadelta",
           "Adamax", "RAdam", "ASGD", "Rprop", "LBFGS", "swa_utils",
           "lr_scheduler", "schedules", "LRScheduler", "ReduceLROnPlateau"]
