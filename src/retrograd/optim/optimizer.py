"""The optimiser base: parameter groups, slots, ``step``, ``zero_grad``, checkpoints.

An optimiser moves each parameter θ against its gradient g = ∂ℓ/∂θ. Subclasses
say how in two methods, as Keras splits ``build`` from ``update_step``:

* ``_init_state(p, group)``  creates the parameter's slots (momentum buffers,
  moment estimates) once, at its first step;
* ``_update(p, g, state, group)``  updates the array ``p`` in place from the
  gradient array ``g``.

Both work on the raw arrays (``tensor.array``), so the same body runs on NumPy
and CuPy, and a float32 parameter stays float32: scalars are cast to the
parameter's dtype before they touch it.
"""
import inspect
import math
import warnings

import numpy as np

from ..backend import array_module
from ..function import enable_grad, mark_modified, now
from ..tensor import Tensor


class Optimizer:
    """Base class: ``params`` is an iterable of tensors, or of dicts
    ``{"params": [...], "lr": ..., ...}`` (parameter groups, each with its own
    hyper-parameters; missing ones come from the optimiser's arguments).

    ``param_groups[i]["lr"]`` may be read and written between steps (the
    learning-rate schedules do). With ``skip_nonfinite=True``, a step whose
    gradients hold a NaN or ±inf leaves every parameter unchanged, warns, sets
    ``last_step_skipped`` and counts it in ``skipped_steps``.
    """

    def __init__(self, params, defaults, skip_nonfinite=False):
        self.defaults = dict(defaults)
        self.skip_nonfinite = bool(skip_nonfinite)
        self.skipped_steps = 0
        self.last_step_skipped = False
        self.param_groups = []
        # Keyed by the tensor itself: Tensor hashes by identity, so two
        # parameters never collide even though == compares elementwise.
        self.state = {}
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of tensors or of dicts "
                            "(e.g. model.parameters() or [w, b]), got a single Tensor")
        if isinstance(params, dict):
            params = [params]
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(f"{name}: params must be an iterable of tensors or of dicts, "
                            f"got {type(params).__name__}") from None
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list (params=[]); "
                             "expected at least one tensor with requires_grad=True")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- parameter groups --------------------------------------------------
    def add_param_group(self, group):
        """Add a group ``{"params": [...], **hyper-parameters}`` (e.g. to train
        a newly unfrozen layer with its own learning rate)."""
        name = type(self).__name__
        if not isinstance(group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict with a 'params' "
                            f"key, got {type(group).__name__}")
        if "params" not in group:
            raise ValueError(f"{name}: parameter group {len(self.param_groups)} has no "
                             "'params' key")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{name}: parameter group {len(self.param_groups)} has an "
                             "empty parameter list")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            where = f"{name}: parameter {i} of group {len(self.param_groups)}"
            if not isinstance(p, Tensor):
                raise TypeError(f"{where} is a {type(p).__name__}, expected a Tensor")
            if not p.requires_grad:
                raise ValueError(f"{where} (shape {p.shape}, dtype {p.dtype}) does not "
                                 "require grad; create it with requires_grad=True or "
                                 "leave it out")
            if not p.is_leaf:
                raise ValueError(f"{where} (shape {p.shape}) is not a leaf: it was "
                                 "computed by an op; optimise the tensor it came from")
            if id(p) in seen:
                raise ValueError(f"{where} (shape {p.shape}) appears twice among the "
                                 "parameters; each tensor may be optimised only once")
            seen.add(id(p))
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(f"{name}: unknown hyper-parameter(s) {sorted(unknown)} in "
                             f"parameter group {len(self.param_groups)}; expected some "
                             f"of {sorted(self.defaults)}")
        full = {**self.defaults, **group, "params": params}
        self._check(full)
        self.param_groups.append(full)

    @classmethod
    def check_hyperparameters(cls, **values):
        """Check hyper-parameters by the constructor's rules, without parameters
        (the Keras optimizers check theirs with it); unnamed ones take the defaults."""
        signature = inspect.signature(cls.__init__).parameters
        group = {n: p.default for n, p in signature.items()
                 if p.default is not inspect.Parameter.empty and n != "skip_nonfinite"}
        group.update(values)
        if "betas" in group and hasattr(group["betas"], "__len__"):
            group["betas"] = tuple(group["betas"])
        cls._check(object.__new__(cls), group)

    def _check(self, group):
        """Validate one group's hyper-parameters (subclasses extend)."""
        check_lr(group["lr"], type(self).__name__)

    # -- the update --------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget the gradients before the next backward: ``.grad = None``
        (the default, free), or fill the existing arrays with 0 in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.array[...] = 0

    def step(self, closure=None):
        """Update every parameter that has a gradient, in place.

        ``closure`` (optional) re-evaluates the loss with gradients and returns
        it; the loss is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self.last_step_skipped = False
        if self.skip_nonfinite:
            bad = self._first_nonfinite()
            if bad is not None:
                self.skipped_steps += 1
                self.last_step_skipped = True
                gi, pi, p = bad
                warnings.warn(
                    f"{type(self).__name__}.step skipped (skip_nonfinite=True): the "
                    f"gradient of parameter {pi} of group {gi} (shape {p.shape}) holds "
                    f"NaN or inf; parameters left unchanged ({self.skipped_steps} "
                    "step(s) skipped so far)", RuntimeWarning, stacklevel=2)
                return loss
        state, when = self.state, now()
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                s = state.get(p)
                if s is None:
                    s = state[p] = self._init_state(p.array, group)
                self._update(p.array, g.array, s, group)
                mark_modified(p, when)   # a graph that saved p refuses to backpropagate now
        return loss

    def _first_nonfinite(self):
        # One reduction, no allocation: a sum of finite values is finite unless
        # it overflows, which the exact check then rules out (errstate silences
        # NumPy's overflow warning; CuPy does not warn).
        with np.errstate(over="ignore", invalid="ignore"):
            for gi, group in enumerate(self.param_groups):
                for pi, p in enumerate(group["params"]):
                    if p.grad is None:
                        continue
                    g = p.grad.array
                    if not math.isfinite(float(g.sum())) and \
                            not bool(array_module(g).isfinite(g).all()):
                        return gi, pi, p
        return None

    def _init_state(self, p, group):
        return {}

    def _update(self, p, g, state, group):
        raise NotImplementedError(f"{type(self).__name__} does not define _update")

    # -- checkpoints -------------------------------------------------------
    def state_dict(self):
        """A snapshot ``{"state": {index: {slot: array or number}},
        "param_groups": [{hyper-parameters, "params": [indices]}]}`` with the
        parameters numbered in group order, as PyTorch does. Arrays are copies."""
        index, groups, k = {}, [], 0
        for group in self.param_groups:
            ids = []
            for p in group["params"]:
                index[id(p)] = k
                ids.append(k)
                k += 1
            groups.append({**{n: v for n, v in group.items() if n != "params"},
                           "params": ids})
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                s = self.state.get(p)
                if s is not None:
                    state[index[id(p)]] = {n: v.copy() if hasattr(v, "shape") else v
                                           for n, v in s.items()}
        return {"state": state, "param_groups": groups}

    # Each slot a saved state may hold, and how it is checked before it is used (those
    # that _init_state makes must all be there): "count" an integer >= 0, "finite" an
    # array of the parameter's shape and finite values, "nonneg" one of finite values
    # >= 0, "unit" a number in (0, 1].
    slot_rules = {}

    def load_state_dict(self, state_dict):
        """Restore slots and hyper-parameters saved by ``state_dict`` into this
        optimiser, whose groups must hold parameters of the same shapes. Every value
        is checked first — the hyper-parameters by the constructor's rules, the slots
        by ``slot_rules`` — and nothing changes unless all pass (ValueError naming
        the field, the value and the allowed range)."""
        self.assign_state(self.checked_state(state_dict))

    def checked_state(self, state_dict):
        """``state_dict`` checked as ``load_state_dict`` does, without changing
        anything: returns what ``assign_state`` takes (a checkpoint checks every
        part of a file before it assigns any)."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not isinstance(
                state_dict.get("param_groups"), (list, tuple)) or not isinstance(
                state_dict.get("state"), dict):
            raise ValueError(f"{name}.load_state_dict: expected a dict with 'state' and "
                             f"'param_groups', got {type(state_dict).__name__}")
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: the state dict has {len(saved)} "
                             f"parameter group(s), this optimiser {len(self.param_groups)}")
        params, new_groups = [], []
        for i, (sg, g) in enumerate(zip(saved, self.param_groups)):
            if not isinstance(sg, dict) or not isinstance(sg.get("params"), (list, tuple)):
                raise ValueError(f"{name}.load_state_dict: param_groups[{i}] is not a dict "
                                 "with a 'params' list")
            if len(sg["params"]) != len(g["params"]):
                raise ValueError(f"{name}.load_state_dict: group {i} has "
                                 f"{len(sg['params'])} parameter(s) in the state dict, "
                                 f"{len(g['params'])} here")
            params.extend(zip(sg["params"], g["params"]))
            new_groups.append(self._checked_group(i, g, sg))
        by_index = {}
        for k, p in params:
            if not _is_index(k) or k in by_index:
                raise ValueError(f"{name}.load_state_dict: invalid or repeated parameter "
                                 f"index {str(k)[:40]!r} in param_groups")
            by_index[k] = p
        new_state = {}
        for k, s in state_dict["state"].items():
            k = int(k) if isinstance(k, str) and k.isdigit() else k
            if not _is_index(k) or k not in by_index:
                raise ValueError(f"{name}.load_state_dict: state for parameter "
                                 f"{str(k)[:40]}, but only {len(by_index)} parameters are "
                                 "known")
            p = by_index[k]
            group = next(new for new, g in zip(new_groups, self.param_groups)
                         if any(q is p for q in g["params"]))
            new_state[p] = self._checked_slots(k, p, s, group)
        return new_groups, new_state

    def assign_state(self, checked):
        """Take what ``checked_state`` returned (cannot fail)."""
        new_groups, new_state = checked
        for g, new in zip(self.param_groups, new_groups):
            g.update(new)
        self.state = new_state

    def _checked_group(self, i, group, saved):
        """The hyper-parameters of ``saved`` checked by the constructor's rules
        (``_check``) merged over ``group``; JSON lists become tuples (betas)."""
        name = type(self).__name__
        new = {n: tuple(v) if isinstance(v, list) else v
               for n, v in saved.items() if n != "params"}
        for n, v in new.items():
            if n not in self.defaults:           # a scheduler's entry: initial_lr, max_lr…
                if not isinstance(n, str) or not _finite_numbers(v):
                    raise ValueError(f"{name}.load_state_dict: param_groups[{i}]["
                                     f"{str(n)[:40]!r}] must be a finite number, got "
                                     f"{str(v)[:40]}")
            elif isinstance(self.defaults[n], bool) and not isinstance(v, (bool, np.bool_)):
                raise ValueError(f"{name}.load_state_dict: param_groups[{i}]: {n} must be "
                                 f"True or False, got {n}={str(v)[:40]}")
        try:
            self._check({**group, **new})
        except (ValueError, TypeError) as e:
            raise ValueError(f"{name}.load_state_dict: param_groups[{i}]: {e}") from None
        return new

    def _checked_slots(self, k, p, saved, group):
        """One parameter's slots, checked against those ``_init_state`` makes and
        against ``slot_rules``, as new arrays on the parameter's device."""
        name = type(self).__name__
        where = f"{name}.load_state_dict: slot {{!r}} of parameter {k}"
        required = set(self._init_state(p.array, group))   # some come at the 1st step
        if not isinstance(saved, dict) or not required <= set(saved) <= \
                required | set(self.slot_rules):
            got = sorted(map(str, saved)) if isinstance(saved, dict) else type(saved).__name__
            raise ValueError(f"{name}.load_state_dict: parameter {k} has the slots {got}, "
                             f"expected {sorted(required)} and some of "
                             f"{sorted(self.slot_rules)}")
        xp, slots = array_module(p.array), {}
        for n, v in saved.items():
            rule = self.slot_rules.get(n, "finite")
            if rule in ("finite", "nonneg"):
                if not hasattr(v, "shape") or tuple(v.shape) != p.shape or \
                        getattr(v.dtype, "kind", "") != "f":
                    raise ValueError(f"{where.format(n)} is {_describe(v)}, expected a "
                                     f"floating-point array of the parameter's shape {p.shape}")
                v = xp.array(_host(v, xp), dtype=p.dtype, copy=True)
                bad = ~xp.isfinite(v) if rule == "finite" else ~(v >= 0) | ~xp.isfinite(v)
                if bool(bad.any()):
                    first = v.reshape(-1)[int(bad.reshape(-1).argmax())]
                    allowed = "finite" if rule == "finite" else "finite and >= 0"
                    raise ValueError(f"{where.format(n)} holds {float(first)}; its values "
                                     f"must be {allowed}")
            else:
                v = v.item() if hasattr(v, "shape") and v.shape == () else v
                if rule == "count":
                    ok = _is_number(v) and math.isfinite(v) and v >= 0 and v == int(v)
                    allowed, v = "an integer >= 0", int(v) if ok else v
                else:
                    ok = _is_number(v) and 0 < v <= 1
                    allowed = "a number in (0, 1]"
                if not ok:
                    raise ValueError(f"{where.format(n)} is {str(v)[:40]}, expected "
                                     f"{allowed}")
            slots[n] = v
        return slots

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"  group {i}: {len(g['params'])} params, " + ", ".join(
                f"{n}={v}" for n, v in g.items() if n != "params"))
        return "\n".join(lines) + "\n)"


def _host(v, xp):
    """An array on the device of ``xp`` (state dicts may be saved on another)."""
    from ..backend import to_device
    return to_device(v, "cpu" if xp.__name__ == "numpy" else "cuda")


LR_MAX = float(np.finfo(np.float32).max)   # the rate is cast to the parameters' dtype


def check_lr(lr, where, name="lr"):
    """0 ≤ lr ≤ 3.4·10³⁸: beyond, the rate is inf once cast to float32 (0 is allowed,
    as PyTorch and Keras allow it: a warm-up schedule starts there)."""
    if not _is_number(lr) or not 0 <= lr <= LR_MAX:
        raise ValueError(f"{where}: {name} must be a finite number in [0, {LR_MAX:.4g}] "
                         f"(float32's largest), got {name}={lr!r}")


def check_range(value, name, where, low, high, high_open=False):
    """low ≤ value ≤ high (or < high when ``high_open``), naming the argument."""
    ok = _is_number(value) and low <= value and (value < high if high_open else value <= high)
    if not ok:
        bracket = ")" if high_open else "]"
        raise ValueError(f"{where}: {name} must be in [{low}, {high}{bracket}, "
                         f"got {name}={value!r}")


def check_nonneg(value, name, where):
    if not _is_number(value) or not value >= 0 or not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {name}={value!r}")


def _is_index(k):
    return isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 0


def _finite_numbers(v):
    """A finite number, or a tuple of them (a scheduler's per-group entries)."""
    items = v if isinstance(v, tuple) else (v,)
    return all(_is_number(x) and math.isfinite(x) for x in items)


def _describe(v):
    if hasattr(v, "shape") and hasattr(v, "dtype"):
        return f"{v.dtype} of shape {tuple(v.shape)}"
    return f"{type(v).__name__} {str(v)[:40]}"


def _is_number(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) or \
        hasattr(x, "dtype") and getattr(x, "shape", None) == () and x.dtype.kind in "iuf"


def with_decay(g, p, wd):
    """g + λθ (L2 weight decay) in a new array: the ``.grad`` is never modified."""
    d = p * p.dtype.type(wd)
    d += g
    return d
