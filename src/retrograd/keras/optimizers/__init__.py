"""Keras optimizers (names, arguments and defaults of Keras 3) over ``retrograd.optim``.

A Keras optimizer is created without parameters; ``compile`` hands it the model's
parameters (``build``) and ``fit`` calls ``apply()`` after each backward pass.
``learning_rate`` is a float or a ``schedules.LearningRateSchedule`` evaluated at
``iterations`` before each step, and can be read and written between steps.

Keras's ``weight_decay`` is decoupled (θ ← θ − η·λ·θ before the step, as AdamW),
not an L2 term added to the gradient; ``clipnorm`` clips each gradient's norm,
``global_clipnorm`` their joint norm, ``clipvalue`` each component.
"""
import math
import re

import numpy as np

from ... import optim
from ...nn.utils import clip_grad_norm_, clip_grad_value_
from ...optim.optimizer import check_lr, check_nonneg
from ...tensor import Tensor
from . import rules, schedules
from .schedules import LearningRateSchedule
from ..missing import NotSupportedError


class Optimizer:
    """Base of the Keras optimizers: hyper-parameters by Keras name, the
    ``retrograd.optim`` optimizer that does the update built at ``build(params)``."""

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        who = type(self).__name__
        if loss_scale_factor is not None or gradient_accumulation_steps is not None:
            raise NotSupportedError(f"keras.optimizers.{who}: loss_scale_factor="
                                    f"{loss_scale_factor!r}, gradient_accumulation_steps="
                                    f"{gradient_accumulation_steps!r} (only None)")
        _flag(self, "use_ema", use_ema)
        if use_ema and (not isinstance(ema_momentum, (int, float)) or
                        not 0 <= ema_momentum <= 1):
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: "
                             f"ema_momentum={ema_momentum}")
        if ema_overwrite_frequency is not None and (
                not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1):
            raise ValueError(f"`ema_overwrite_frequency` must be an integer >= 1 or None. "
                             f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = self.gradient_accumulation_steps = None
        self._averages = []
        if kwargs:
            hint = " (Keras 3 calls it learning_rate)" if "lr" in kwargs else ""
            raise TypeError(f"{who}: unexpected argument(s) {sorted(kwargs)}{hint}")
        if not isinstance(learning_rate, LearningRateSchedule) and not callable(learning_rate):
            check_lr(learning_rate, who, "learning_rate")
        for arg, value in (("weight_decay", weight_decay), ("clipnorm", clipnorm),
                           ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if value is not None:
                check_nonneg(value, arg, who)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{who}: name must be a string, got name={name!r}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"{who}: give at most one of clipnorm, clipvalue, "
                             "global_clipnorm")
        self._lr = learning_rate
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.name = name or _snake(who)
        self.iterations = 0
        self.inner = None       # the retrograd.optim optimizer, once built
        self._params = []

    # -- learning rate -------------------------------------------------------
    @property
    def learning_rate(self):
        """The current learning rate (a schedule's value at ``iterations``)."""
        if callable(self._lr):
            return float(self._lr(self.iterations))
        return float(self._lr)

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(self._lr):
            raise TypeError(f"{type(self).__name__}: this optimizer's learning rate is the "
                            "schedule it was created with; it cannot be set")
        check_lr(value, type(self).__name__, "learning_rate")
        self._lr = float(value)
        if self.inner is not None:
            for group in self.inner.param_groups:
                group["lr"] = self._lr

    lr = learning_rate      # Keras 2's name

    # -- build and step ------------------------------------------------------
    def build(self, params):
        """Create the ``retrograd.optim`` optimizer on ``params`` (the slots follow
        at the first step)."""
        self._params = [p for p in params if p.requires_grad]
        if not self._params:
            raise ValueError(f"{type(self).__name__}: the model has no trainable weights")
        self.inner = self._make(self._params, self.learning_rate)
        # Weights with a keras.constraints projection (``p.constraint``, set by the layer
        # from kernel_constraint=…), applied after each update as Keras does.
        self._constrained = [p for p in self._params if getattr(p, "constraint", None)]
        # use_ema: the moving averages of the weights, from their values now
        self._averages = [p.array.copy() for p in self._params] if self.use_ema else []
        # Nothing but the update to do at each step (no clipping, schedule, decay).
        self._plain = (not self._constrained and not self.use_ema and
                       self.clipnorm is None and self.clipvalue is None and
                       self.global_clipnorm is None and not callable(self._lr) and
                       not (self.weight_decay and not self._decays_itself))

    @property
    def built(self):
        return self.inner is not None

    def apply(self, grads=None, trainable_variables=None):
        """One step: clip, decay, update, count. Without arguments, from the
        parameters' ``.grad`` (what ``fit`` does after backward); Keras 3's
        ``apply(grads, trainable_variables)`` first sets each variable's ``.grad`` to
        its gradient (an array or a Tensor of the variable's shape; None leaves it
        out), building the optimizer on those variables at the first call (a custom
        ``train_step``, a GAN's two optimizers)."""
        if grads is not None:
            self._set_grads(list(grads), trainable_variables)
        if self._plain:
            self.inner.step()
            self.iterations += 1
            return
        params = self._params
        if self.clipnorm is not None:
            for p in params:
                clip_grad_norm_([p], self.clipnorm)
        elif self.global_clipnorm is not None:
            clip_grad_norm_(params, self.global_clipnorm)
        elif self.clipvalue is not None:
            clip_grad_value_(params, self.clipvalue)
        if callable(self._lr):
            lr = float(self._lr(self.iterations))
            for group in self.inner.param_groups:
                group["lr"] = lr
        if self.weight_decay and not self._decays_itself:
            shrink = 1 - self.learning_rate * self.weight_decay
            for p in params:
                p.array *= p.array.dtype.type(shrink)
        self.inner.step()
        if self.use_ema:
            self._update_averages()
        for p in self._constrained:
            p.array[...] = p.constraint(p.array)
        self.iterations += 1

    def _update_averages(self):
        """Keras's EMA: a ← μa + (1 − μ)θ (a = θ at the first step); every
        ``ema_overwrite_frequency`` steps the weights take their averages."""
        momentum = self.ema_momentum if self.iterations else 0.0
        for p, a in zip(self._params, self._averages):
            t = a.dtype.type
            a *= t(momentum)
            a += t(1 - momentum) * p.array
        if self.ema_overwrite_frequency and \
                (self.iterations + 1) % self.ema_overwrite_frequency == 0:
            for p, a in zip(self._params, self._averages):
                p.array[...] = a

    def finalize_variable_values(self, var_list=None):
        """With ``use_ema``, set the weights to their moving averages (Keras calls it
        at the end of ``fit``)."""
        if self.use_ema and self._averages:
            for p, a in zip(self._params, self._averages):
                p.array[...] = a

    def apply_gradients(self, grads_and_vars):
        """Keras's ``optimizer.apply_gradients(zip(grads, trainable_variables))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def _set_grads(self, grads, variables):
        variables = list(self._params if variables is None else variables)
        if len(grads) != len(variables):
            raise ValueError(f"{type(self).__name__}.apply: {len(grads)} gradient(s) for "
                             f"{len(variables)} variable(s); give one per variable")
        if not self.built or [id(v) for v in variables] != [id(p) for p in self._params]:
            state = self.inner.state if self.built else {}
            self.build(variables)
            self.inner.state = {p: state[p] for p in self._params if p in state}
        for g, v in zip(grads, variables):
            if g is None:
                v.grad = None
                continue
            a = g.array if isinstance(g, Tensor) else g
            if tuple(a.shape) != tuple(v.shape):
                raise ValueError(f"{type(self).__name__}.apply: the gradient of "
                                 f"{getattr(v, 'name', None) or 'a variable'!r} has shape "
                                 f"{tuple(a.shape)}, the variable {tuple(v.shape)}")
            if v.grad is None or a is not v.grad.array:
                v.grad = Tensor._wrap(a.astype(v.array.dtype, copy=False))

    _decays_itself = False

    def zero_grad(self):
        if self.inner is not None:
            self.inner.zero_grad()

    def _make(self, params, lr):
        raise NotImplementedError

    # retrograd.optim's names of the hyper-parameters → Keras's, for the messages
    _KERAS_NAMES = {"betas[0]": "beta_1", "betas[1]": "beta_2", "eps": "epsilon",
                    "alpha": "rho"}

    def _check_as(self, cls, **values):
        """Check the hyper-parameters by the rules of ``cls`` (the retrograd.optim
        optimizer that will do the update): one set of rules, at creation (so also
        when a model file is read) rather than at the first ``fit``."""
        try:
            cls.check_hyperparameters(**values)
        except (ValueError, TypeError) as e:
            message = str(e).split(": ", 1)[-1]
            for ours, keras_name in self._KERAS_NAMES.items():
                message = re.sub(rf"(?<![\w\[]){re.escape(ours)}(?![\w\]])", keras_name,
                                 message)
            raise type(e)(f"{type(self).__name__}: {message}") from None

    # -- configuration ---------------------------------------------------------
    def get_config(self):
        lr = self._lr
        if isinstance(lr, LearningRateSchedule):
            lr = schedules.serialize(lr)       # with its module, as Keras writes it
        elif callable(lr):
            raise TypeError(f"{type(self).__name__}: a plain function as learning_rate "
                            "cannot be saved; use a keras.optimizers.schedules class")
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm, "use_ema": self.use_ema,
                "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": None, "gradient_accumulation_steps": None,
                **self._hyper()}

    def _hyper(self):
        return {}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            schedule = schedules.ALL.get(lr.get("class_name"))
            if schedule is None:
                raise ValueError(f"unknown learning-rate schedule {lr.get('class_name')!r}; "
                                 f"known: {', '.join(schedules.ALL)}")
            config["learning_rate"] = schedule.from_config(lr["config"])
        return cls(**config)

    def __repr__(self):
        return f"<keras.optimizers.{type(self).__name__} learning_rate={self._lr!r}>"


def _flag(optimizer, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{type(optimizer).__name__}: {name} must be True or False, got "
                        f"{name}={value!r}")


def _snake(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower()
                   for i, c in enumerate(name))


class SGD(Optimizer):
    """Gradient descent, θ ← θ − η g; with momentum μ, v ← μ v − η g, θ ← θ + v
    (``nesterov``: θ ← θ + μ v − η g). Keras default learning_rate=0.01.
    Runs Keras's step (``rules.SGDRule``) on ``retrograd.optim.SGD``'s slots (PyTorch's
    buffer gives the same steps only for a constant η)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _flag(self, "nesterov", nesterov)
        self._check_as(optim.SGD, momentum=momentum)
        self.momentum, self.nesterov = momentum, nesterov

    def _make(self, params, lr):     # Keras's momentum (of η-scaled steps), PyTorch's slots
        return rules.SGDRule(params, lr=lr, momentum=self.momentum,
                             nesterov=bool(self.nesterov and self.momentum))

    def _hyper(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam with Keras's defaults: learning_rate=0.001, beta_1=0.9, beta_2=0.999,
    epsilon=1e-7. Runs Keras's step (``rules.AdamRule``) on ``retrograd.optim.Adam``'s
    slots; the weight decay is Keras's (decoupled, before the step), the base class's."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _flag(self, "amsgrad", amsgrad)
        self._check_as(optim.Adam, betas=(beta_1, beta_2), eps=epsilon)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _make(self, params, lr):     # Keras's step (ε on the uncorrected √v), PyTorch's slots
        return rules.AdamRule(params, lr=lr, betas=(self.beta_1, self.beta_2),
                              eps=self.epsilon, amsgrad=self.amsgrad)

    def _hyper(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay; Keras default weight_decay=0.004."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, **kwargs):
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults: learning_rate=0.001, rho=0.9, momentum=0.0,
    epsilon=1e-7, centered=False. Runs Keras's step (``rules.RMSpropRule``: ε under the
    root) on ``retrograd.optim.RMSprop``'s slots (alpha=rho)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _flag(self, "centered", centered)
        self._check_as(optim.RMSprop, alpha=rho, momentum=momentum, eps=epsilon)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _make(self, params, lr):     # Keras's step (ε under the root), PyTorch's slots
        return rules.RMSpropRule(params, lr=lr, alpha=self.rho, eps=self.epsilon,
                                 momentum=self.momentum, centered=self.centered)

    def _hyper(self):
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad with Keras's defaults: learning_rate=0.001,
    initial_accumulator_value=0.1, epsilon=1e-7. Runs on ``retrograd.optim.Adagrad``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self._check_as(optim.Adagrad, initial_accumulator_value=initial_accumulator_value,
                       eps=epsilon)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _make(self, params, lr):     # Keras's step (ε under the root), PyTorch's slots
        return rules.AdagradRule(params, lr=lr,
                                 initial_accumulator_value=self.initial_accumulator_value,
                                 eps=self.epsilon)

    def _hyper(self):
        return {"initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class _RuleOptimizer(Optimizer):
    """A Keras optimizer whose update is one of ``rules``' (Keras's formulas);
    ``HYPER`` names its hyper-parameters, in Keras's order."""
    RULE = None
    HYPER = ()

    def __init__(self, learning_rate, hyper, **kwargs):
        super().__init__(learning_rate, **kwargs)
        for name, value in hyper.items():
            if name in self._FLAGS:
                _flag(self, name, value)
            elif not isinstance(value, (int, float)) or isinstance(value, bool) or \
                    not math.isfinite(value):
                raise TypeError(f"{type(self).__name__}: {name} must be a finite number, got "
                                f"{name}={value!r}")
            setattr(self, name, value)

    _FLAGS = ("relative_step",)

    def _rule_hyper(self):
        return {n: getattr(self, n) for n in self.HYPER}

    def _make(self, params, lr):
        return self.RULE(params, lr, **self._rule_hyper())

    def _hyper(self):
        return {n: getattr(self, n) for n in self.HYPER}


def _check_beta(optimizer, name, value, low_open=False):
    if not isinstance(value, (int, float)) or not (0 < value if low_open else 0 <= value) \
            or value > 1:
        raise ValueError(f"{type(optimizer).__name__}: {name} must be in "
                         f"{'(' if low_open else '['}0, 1], got {name}={value!r}")


class Nadam(_RuleOptimizer):
    """Adam with Nesterov momentum, Keras's formula (μₜ = β₁(1 − ½·0.96ᵗ)); Keras's
    defaults learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7."""
    RULE, HYPER = rules.NadamRule, ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, dict(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon),
                         **kwargs)


class Adamax(_RuleOptimizer):
    """Adam with the infinity norm: u ← max(β₂u, |g|), θ ← θ − η m / ((1 − β₁ᵗ)(u + ε));
    Keras's defaults learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7."""
    RULE, HYPER = rules.AdamaxRule, ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, dict(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon),
                         **kwargs)


class Adadelta(_RuleOptimizer):
    """Adadelta, Keras's formula (the step is multiplied by learning_rate); Keras's
    defaults learning_rate=0.001, rho=0.95, epsilon=1e-7."""
    RULE, HYPER = rules.AdadeltaRule, ("rho", "epsilon")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, dict(rho=rho, epsilon=epsilon), **kwargs)


class Lion(_RuleOptimizer):
    """Lion: θ ← θ − η sign(β₁m + (1 − β₁)g), m ← β₂m + (1 − β₂)g; Keras's defaults
    learning_rate=0.001, beta_1=0.9, beta_2=0.99."""
    RULE, HYPER = rules.LionRule, ("beta_1", "beta_2")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        if not isinstance(beta_1, (int, float)) or beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        super().__init__(learning_rate, dict(beta_1=beta_1, beta_2=beta_2), **kwargs)


class Ftrl(_RuleOptimizer):
    """FTRL-proximal with Keras's arguments and defaults (learning_rate=0.001,
    learning_rate_power=-0.5, initial_accumulator_value=0.1, the L1/L2/shrinkage
    strengths 0, beta=0)."""
    RULE = rules.FtrlRule
    HYPER = ("learning_rate_power", "initial_accumulator_value", "l1_regularization_strength",
             "l2_regularization_strength", "l2_shrinkage_regularization_strength", "beta")

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        for name, value, rule in (
                ("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                ("learning_rate_power", -learning_rate_power, "negative or zero"),
                ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                 "positive or zero")):
            if value < 0.0:
                shown = -value if name == "learning_rate_power" else value
                raise ValueError(f"`{name}` needs to be {rule}. Received: {name}={shown}.")
        super().__init__(learning_rate, dict(
            learning_rate_power=learning_rate_power,
            initial_accumulator_value=initial_accumulator_value,
            l1_regularization_strength=l1_regularization_strength,
            l2_regularization_strength=l2_regularization_strength,
            l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
            beta=beta), **kwargs)


class Lamb(_RuleOptimizer):
    """LAMB: Adam's direction scaled by the layer's trust ratio ‖θ‖/‖r‖; Keras's
    defaults learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7."""
    RULE, HYPER = rules.LambRule, ("beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, dict(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon),
                         **kwargs)


class Adafactor(_RuleOptimizer):
    """Adafactor with Keras's arguments and defaults (learning_rate=0.001,
    beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
    relative_step=True)."""
    RULE = rules.AdafactorRule
    HYPER = ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step")

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate, dict(beta_2_decay=beta_2_decay, epsilon_1=epsilon_1,
                                             epsilon_2=epsilon_2, clip_threshold=clip_threshold,
                                             relative_step=relative_step), **kwargs)

    def _rule_hyper(self):
        hyper = {n: getattr(self, n) for n in self.HYPER if n != "relative_step"}
        # as Keras: η is capped at 1/√t only for a constant learning rate
        return {**hyper, "relative": bool(self.relative_step) and not callable(self._lr)}


ALL = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
       "nadam": Nadam, "adamax": Adamax, "adadelta": Adadelta, "lion": Lion, "ftrl": Ftrl,
       "lamb": Lamb, "adafactor": Adafactor}


def get(identifier):
    """An optimizer from a Keras name (``"sgd"``, ``"adam"``, …, with Keras's
    defaults), a config dict, or an optimizer instance (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = ALL.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}; "
                             f"known optimizers: {', '.join(sorted(ALL))}")
        return cls()
    if isinstance(identifier, dict):
        cls = ALL.get(str(identifier.get("class_name", "")).lower())
        if cls is None:
            raise ValueError(f"unknown optimizer class {identifier.get('class_name')!r}; "
                             f"known: {', '.join(c.__name__ for c in ALL.values())}")
        return cls.from_config(identifier.get("config", {}))
    raise TypeError(f"Could not interpret optimizer identifier: {identifier!r} (expected a "
                    "name such as 'adam' or a keras.optimizers.Optimizer)")


def deserialize(config, custom_objects=None):
    """An optimizer from ``serialize``'s dict (or a name)."""
    if isinstance(config, dict) and custom_objects:
        cls = custom_objects.get(config.get("class_name"))
        if cls is not None:
            return cls.from_config(config.get("config", {}))
    return get(config)


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Nadam", "Adamax",
           "Adadelta", "Lion", "Ftrl", "Lamb", "Adafactor", "schedules", "get", "serialize",
           "deserialize"]

from ..missing import module_getattr as _module_getattr  # noqa: E402

# Keras 3 names retrograd lacks raise NotSupportedError naming them (keras/missing.py).
__getattr__ = _module_getattr(__name__)
