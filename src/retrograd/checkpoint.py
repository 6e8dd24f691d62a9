"""Training checkpoints for plain (PyTorch-style) loops: everything a run needs to
continue bit for bit where it stopped.

A checkpoint holds the model's weights, the optimiser's slots and hyper-parameters,
the learning-rate schedule's position, the state of every random generator the
run draws from (the default one that ``manual_seed`` seeds, which the
``DataLoader`` shuffles and ``Dropout`` masks draw from, and any generator a
module owns) and the epoch. It is a ``retrograd.serialization`` file: numeric
arrays plus a JSON header, read with ``allow_pickle=False`` (loading runs no
code), written atomically (a crash leaves the previous checkpoint intact).

>>> save_checkpoint("run.ckpt", model, opt, sched, epoch=2)
>>> # ... in a new process, after building the same model, opt and sched:
>>> epoch = load_checkpoint("run.ckpt", model, opt, sched)["epoch"]
>>> for epoch in range(epoch, 4): train_one_epoch()     # same result as never stopping
"""
import copy
import json

import numpy as np

from . import random, serialization
from .backend import to_device
from .serialization import ModelFileError

KIND = "checkpoint"


def save_checkpoint(path, model, optimizer=None, scheduler=None, epoch=0, extra=None,
                    generators=None):
    """Write ``model``'s state (and the optimiser's, the scheduler's, the random
    generators', ``epoch`` and the JSON-serialisable ``extra``) to ``path``,
    atomically. ``generators`` names further ``numpy.random.Generator`` s to save,
    e.g. ``{"loader": loader.generator}`` for a DataLoader given its own."""
    if not isinstance(epoch, (int, np.integer)) or isinstance(epoch, bool) or epoch < 0:
        raise ValueError(f"save_checkpoint: epoch must be an integer >= 0, got epoch={epoch!r}")
    arrays = {f"model/{k}": _host(t.array) for k, t in model.state_dict().items()}
    header = {"kind": KIND, "epoch": int(epoch), "rng": rng_state(model, generators),
              "model": list(arrays)}
    if optimizer is not None:
        header["optimizer"], slots = optimizer_to_file(optimizer.state_dict())
        arrays.update(slots)
    if scheduler is not None:
        header["scheduler"] = scheduler.state_dict()
    if extra is not None:
        try:
            json.dumps(extra, allow_nan=True)
        except (TypeError, ValueError) as e:
            raise TypeError(f"save_checkpoint: extra must be JSON-serialisable (numbers, "
                            f"strings, lists, dicts), got {type(extra).__name__}: {e}") from None
        header["extra"] = extra
    serialization.save(path, header, arrays)


def load_checkpoint(path, model, optimizer=None, scheduler=None, generators=None,
                    restore_rng=True):
    """Restore what ``save_checkpoint`` wrote into ``model`` (and ``optimizer``,
    ``scheduler``, the random generators unless ``restore_rng=False``); returns
    ``{"epoch": …, "extra": …}``. Lazy layers not yet built are built from the
    file's shapes, as ``load_state_dict`` does.

    All or nothing: every part of the file is checked against what it is loaded
    into first (weights' names, shapes and dtypes; the optimiser's
    hyper-parameters and slots by its own rules; the scheduler's state; the
    generators' states), then everything is assigned. Any refusal is a
    ``ModelFileError`` and changes nothing."""
    header, arrays = serialization.load(path)
    try:
        commit = _checked(path, header, arrays, model, optimizer, scheduler, generators,
                          restore_rng)
    except ModelFileError:
        raise
    except Exception as e:      # any other failure while checking: the file does not fit
        raise ModelFileError(f"{path}: the checkpoint does not fit what it is loaded into "
                             f"({type(e).__name__}: {str(e)[:300]})") from None
    backup = _snapshot(model, optimizer, scheduler)
    try:
        commit()
    except BaseException as e:  # should not happen once checked; put everything back
        _restore(backup, model, optimizer, scheduler)
        if isinstance(e, Exception) and not isinstance(e, ModelFileError):
            raise ModelFileError(f"{path}: the checkpoint does not fit what it is loaded "
                                 f"into ({type(e).__name__}: {str(e)[:300]})") from None
        raise
    return {"epoch": header["epoch"], "extra": header.get("extra")}


def _checked(path, header, arrays, model, optimizer, scheduler, generators, restore_rng):
    """Check every part of the checkpoint; return the function that assigns them."""
    if header.get("kind") != KIND:
        raise ModelFileError(f"{path}: not a training checkpoint (kind "
                             f"{str(header.get('kind'))[:40]!r}); model files are read by "
                             "keras.models.load_model")
    epoch = header.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise ModelFileError(f"{path}: invalid epoch {str(epoch)[:40]} in the header")
    weights = {k[len("model/"):]: a for k, a in arrays.items() if k.startswith("model/")}
    _check_weights(path, _target_state(model, weights), weights, type(model).__name__)
    opt_state = sched_state = None
    if optimizer is not None:
        if "optimizer" not in header:
            raise ModelFileError(f"{path}: the checkpoint holds no optimizer state")
        try:
            opt_state = optimizer.checked_state(
                optimizer_from_file(path, header["optimizer"], arrays))
        except ModelFileError:
            raise
        except (ValueError, TypeError) as e:
            raise ModelFileError(f"{path}: optimizer state: {e}") from None
    if scheduler is not None:
        if "scheduler" not in header:
            raise ModelFileError(f"{path}: the checkpoint holds no scheduler state")
        sched_state = header["scheduler"]
        try:     # on a copy driving a copy of the optimizer's groups, as they will be
            _scheduler_probe(scheduler, optimizer, opt_state).load_state_dict(sched_state)
        except (ValueError, TypeError, KeyError) as e:
            raise ModelFileError(f"{path}: scheduler state: {e}") from None
    rng = check_rng_state(path, header.get("rng"), model, generators) if restore_rng else None

    def commit():
        _load_weights(model, weights)
        if optimizer is not None:
            optimizer.assign_state(opt_state)
        if scheduler is not None:
            scheduler.load_state_dict(sched_state)
        if rng is not None:
            _assign_rng(rng)
    return commit


def _lazy(model):
    return [(n, m) for n, m in model.named_modules()
            if getattr(m, "_materialize", None) is not None and not getattr(m, "built", True)]


def _target_state(model, weights):
    """The model's state_dict as it will be once its lazy layers are built from
    ``weights`` — found on a copy, so that a refused file leaves them unbuilt."""
    if not hasattr(model, "named_modules") or not _lazy(model):
        return model.state_dict()
    probe = copy.deepcopy(model)
    with _same_default_rng():   # building draws initial weights: no trace of it
        for prefix, m in _lazy(probe):
            m._materialize(weights, f"{prefix}." if prefix else "")
    return probe.state_dict()


def _load_weights(model, weights):
    with _same_default_rng():
        model.load_state_dict(weights)


class _same_default_rng:
    def __enter__(self):
        self.state = random.get_rng_state()

    def __exit__(self, *exc):
        random.default_generator().bit_generator.state = self.state


def _scheduler_probe(scheduler, optimizer, opt_state):
    """A copy of ``scheduler`` whose optimizer is a copy of ``optimizer`` with the
    groups it will have: loading a state into it changes nothing real."""
    real = scheduler.optimizer
    fake = copy.copy(real)
    groups = [dict(g) for g in real.param_groups]
    if optimizer is real and opt_state is not None:
        for g, new in zip(groups, opt_state[0]):
            g.update(new)
    fake.param_groups = groups
    return copy.deepcopy(scheduler, {id(real): fake})


def _snapshot(model, optimizer, scheduler):
    own = model.state_dict()
    return ({k: t.array.copy() for k, t in own.items()},
            None if optimizer is None else
            ([dict(g) for g in optimizer.param_groups],
             {p: {n: v.copy() if hasattr(v, "copy") else v for n, v in s.items()}
              for p, s in optimizer.state.items()}),
            None if scheduler is None else copy.deepcopy(
                scheduler.__dict__, {id(scheduler.optimizer): scheduler.optimizer}))


def _restore(backup, model, optimizer, scheduler):
    """Put back what ``_snapshot`` took, by plain assignment (nothing to check)."""
    arrays, opt, sched = backup
    own = model.state_dict()
    for k, a in arrays.items():
        own[k].array[...] = a
    if optimizer is not None:
        groups, state = opt
        for g, saved in zip(optimizer.param_groups, groups):
            g.clear()
            g.update(saved)
        optimizer.state = state
    if scheduler is not None:
        scheduler.__dict__.clear()
        scheduler.__dict__.update(sched)


def _check_weights(path, own, weights, model_name):
    missing = [k for k in own if k not in weights]
    extra = [k for k in weights if k not in own]
    if missing or extra:
        raise ModelFileError(f"{path}: the weights do not fit {model_name}: "
                             f"missing {missing[:10]}, unexpected {extra[:10]}")
    for k, t in own.items():
        a = weights[k]
        if a.shape != tuple(t.shape) or a.dtype.kind != t.dtype.kind:
            raise ModelFileError(f"{path}: weight {k!r} is {a.dtype}{list(a.shape)} in the "
                                 f"file, the model's is {t.dtype}{list(t.shape)}")


# -- optimiser state <-> (JSON, arrays) ------------------------------------------------
def optimizer_to_file(state_dict, prefix="optimizer"):
    """An optimiser ``state_dict`` as a JSON-serialisable dict and arrays named
    ``<prefix>/<index>/<slot>`` (numbers stay in the JSON)."""
    state, arrays = {}, {}
    for k, slots in state_dict["state"].items():
        entry = {}
        for slot, v in slots.items():
            if hasattr(v, "shape") and v.shape != ():
                key = f"{prefix}/{k}/{slot}"
                arrays[key] = _host(v)
                entry[slot] = {"array": key}
            else:
                entry[slot] = v.item() if hasattr(v, "item") else v
        state[str(k)] = entry
    groups = [{n: (list(v) if isinstance(v, tuple) else v) for n, v in g.items()}
              for g in state_dict["param_groups"]]
    return {"state": state, "param_groups": groups}, arrays


def optimizer_from_file(path, spec, arrays):
    """The ``state_dict`` that ``optimizer_to_file`` split, checked for shape."""
    if not isinstance(spec, dict) or not isinstance(spec.get("state"), dict) \
            or not isinstance(spec.get("param_groups"), list):
        raise ModelFileError(f"{path}: malformed optimizer state in the header")
    state = {}
    for k, slots in spec["state"].items():
        if not k.isdigit() or not isinstance(slots, dict):
            raise ModelFileError(f"{path}: malformed optimizer state for parameter {k!r}")
        entry = {}
        for slot, v in slots.items():
            if isinstance(v, dict):
                a = arrays.get(v.get("array"))
                if a is None:
                    raise ModelFileError(f"{path}: optimizer slot {v.get('array')!r} is "
                                         "missing from the file")
                if a.dtype.kind != "f":
                    raise ModelFileError(f"{path}: optimizer slot {v['array']} has dtype "
                                         f"{a.dtype}, expected floating point")
                entry[slot] = a
            elif isinstance(v, (int, float)) or v is None:
                entry[slot] = v
            else:
                raise ModelFileError(f"{path}: optimizer slot {slot!r} of parameter {k} "
                                     f"is {v!r}, expected a number or an array")
        state[int(k)] = entry
    groups = []
    for g in spec["param_groups"]:
        if not isinstance(g, dict) or not isinstance(g.get("params"), list):
            raise ModelFileError(f"{path}: malformed optimizer parameter group {g!r}")
        # JSON has no tuples: pairs such as Adam's betas come back as lists.
        groups.append({n: tuple(v) if isinstance(v, list) and n != "params" else v
                       for n, v in g.items()})
    return {"state": state, "param_groups": groups}


# -- random generators -----------------------------------------------------------------
def _module_generators(model):
    """{"<module name>": Generator} for every module that owns one (Dropout(generator=))."""
    found = {}
    named = model.named_modules() if hasattr(model, "named_modules") else ()
    for name, m in named:
        g = getattr(m, "generator", None)
        if isinstance(g, np.random.Generator):
            found[name or "."] = g
    return found


def rng_state(model=None, generators=None):
    """The states of the default generator, of ``model``'s modules' own generators
    and of the named ``generators``: a JSON-serialisable dict."""
    own = _module_generators(model) if model is not None else {}
    extra = dict(generators or {})
    for name, g in extra.items():
        if not isinstance(g, np.random.Generator):
            raise TypeError(f"save_checkpoint: generators[{name!r}] must be a "
                            f"numpy.random.Generator, got {type(g).__name__}")
    return {"default": random.get_rng_state(),
            "modules": {k: g.bit_generator.state for k, g in own.items()},
            "named": {k: g.bit_generator.state for k, g in extra.items()}}


def set_rng_state(path, state, model=None, generators=None):
    """Put back the generator states recorded by ``rng_state`` (all are checked
    before any is set)."""
    _assign_rng(check_rng_state(path, state, model, generators))


def check_rng_state(path, state, model=None, generators=None):
    """The ``(generator, state)`` pairs ``set_rng_state`` would assign, each state
    checked on a fresh bit generator of the same kind; nothing is changed."""
    if not isinstance(state, dict) or not isinstance(state.get("default"), dict):
        raise ModelFileError(f"{path}: no random-generator state in the file")
    targets = [(random.default_generator(), state["default"], "default")]
    own = _module_generators(model) if model is not None else {}
    for where, gens in (("modules", own), ("named", dict(generators or {}))):
        saved = state.get(where) or {}
        if not isinstance(saved, dict):
            raise ModelFileError(f"{path}: malformed random-generator states ({where})")
        for name, g in gens.items():
            if name not in saved:
                raise ModelFileError(f"{path}: no saved state for the generator "
                                     f"{where}[{name!r}]")
            targets.append((g, saved[name], f"{where}[{name!r}]"))
    for g, s, name in targets:
        _check_rng_state(path, g, s, name)
    return [(g, s) for g, s, _ in targets]


def _assign_rng(targets):
    for g, s in targets:
        g.bit_generator.state = s
    random.forget_device_generators()


def _check_rng_state(path, g, s, name):
    """Refuse a state of another kind of bit generator before touching any."""
    probe = type(g.bit_generator)()
    try:
        probe.state = s
    except Exception as e:      # TypeError, ValueError, KeyError, OverflowError…
        raise ModelFileError(f"{path}: invalid state for the {name} random generator "
                             f"({e})") from None


def _host(a):
    return np.asarray(to_device(a, "cpu"))


__all__ = ["save_checkpoint", "load_checkpoint", "rng_state", "set_rng_state",
           "check_rng_state", "optimizer_to_file", "optimizer_from_file"]
