"""Stochastic weight averaging and EMA of weights, as ``torch.optim.swa_utils``.

``AveragedModel(model)`` keeps a copy whose parameters are the running average of
the model's at each ``update_parameters(model)`` (SWA: the equal-weight mean;
with ``multi_avg_fn=get_ema_multi_avg_fn(0.999)``: an exponential moving
average). ``SWALR`` anneals each group's rate to ``swa_lr``; ``update_bn``
recomputes the batch-norm statistics of the averaged weights from the data.

>>> swa = AveragedModel(model); sched = SWALR(opt, swa_lr=0.05)
>>> for epoch in ...: train(); swa.update_parameters(model); sched.step()
>>> update_bn(loader, swa)
"""
import copy
import itertools
import math

import numpy as np

from ..function import no_grad
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from ..tensor import Tensor
from .lr_scheduler import LRScheduler


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place EMA over lists of tensors: w_ema ← w_ema + (1 − decay)(w − w_ema)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value "
                         "in [0,1] range.")

    def ema_update(ema_param_list, current_param_list, _):
        for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
            a = p_ema.array
            if a.dtype.kind == "f":
                a += (p_model.array - a) * a.dtype.type(1 - decay)
            else:
                a[...] = a * decay + p_model.array * (1 - decay)

    return ema_update


def get_swa_multi_avg_fn():
    """An in-place equal-weight mean over lists: w̄ ← w̄ + (w − w̄)/(n + 1)."""
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        n = int(num_averaged.item() if isinstance(num_averaged, Tensor) else num_averaged)
        for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
            a = p_avg.array
            if a.dtype.kind == "f":
                a += (p_model.array - a) / a.dtype.type(n + 1)
            else:   # an integer buffer (BatchNorm's count): the mean truncated, as PyTorch
                a[...] = a + (p_model.array - a) / (n + 1)

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: decay · w_ema + (1 − decay) · w (returns a new tensor)."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value "
                         "in [0,1] range.")

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """Mean of one tensor: w̄ + (w − w̄)/(n + 1) (returns a new tensor)."""
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A deep copy of ``model`` (``.module``) whose parameters (and buffers, with
    ``use_buffers=True``) average the model's over ``update_parameters`` calls;
    ``n_averaged`` counts them. ``avg_fn(avg, new, n)`` or
    ``multi_avg_fn(avg_list, new_list, n)`` replace the equal-weight mean.
    Called, it runs the averaged copy."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", Tensor(np.zeros((), np.int64)))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current weights into the average (the first call copies)."""
        with no_grad():
            if self.use_buffers:
                own = list(itertools.chain(self.module.parameters(), self.module.buffers()))
                new = list(itertools.chain(model.parameters(), model.buffers()))
            else:
                own, new = list(self.module.parameters()), list(model.parameters())
            own = [p for p in own if p is not None]
            new = [p.detach() for p in new if p is not None]
            n = int(self.n_averaged.array)
            if n == 0:
                for p_avg, p_model in zip(own, new):
                    p_avg.array[...] = p_model.array
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn(own, new, Tensor(np.asarray(n, np.int64)))
            elif self.avg_fn is not None:
                for p_avg, p_model in zip(own, new):
                    out = self.avg_fn(p_avg.detach(), p_model, Tensor(np.asarray(n, np.int64)))
                    p_avg.array[...] = out.array if isinstance(out, Tensor) else out
            else:
                get_swa_multi_avg_fn()(own, new, n)
            if not self.use_buffers:
                # Buffers (running statistics) follow the source model.
                for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                    if b_swa is not None and b_model is not None:
                        b_swa.array[...] = b_model.array
            self.n_averaged.array[...] += 1


def update_bn(loader, model, device=None):
    """One pass over ``loader`` in train mode to recompute every batch-norm layer's
    running mean and variance (as a cumulative average) for the current weights."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's rate from its value to ``swa_lr`` over ``anneal_epochs``
    steps (``anneal_strategy`` "cos": α = (1 − cos πt)/2, or "linear": α = t), then
    hold it, as ``torch.optim.swa_utils.SWALR``."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        groups = optimizer.param_groups
        if isinstance(swa_lr, (list, tuple)):
            if len(swa_lr) != len(groups):
                raise ValueError(f"swa_lr must have the same length as "
                                 f"optimizer.param_groups: swa_lr has {len(swa_lr)}, "
                                 f"optimizer.param_groups has {len(groups)}")
            swa_lrs = list(swa_lr)
        else:
            swa_lrs = [swa_lr] * len(groups)
        for lr, group in zip(swa_lrs, groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead "
                             f"got {anneal_strategy}")
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else \
            self._linear_anneal
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha)
                    for g in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha)
                for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def state_dict(self):
        # anneal_func is a function: rebuilt from the strategy's name on load.
        return {k: v for k, v in self.__dict__.items()
                if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        strategy = state_dict.get("_anneal_strategy", self._anneal_strategy)
        if strategy not in ("cos", "linear"):
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead "
                             f"got {strategy}")
        super().load_state_dict(state_dict)
        self.anneal_func = self._cosine_anneal if strategy == "cos" else self._linear_anneal


__all__ = ["AveragedModel", "SWALR", "update_bn", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]
