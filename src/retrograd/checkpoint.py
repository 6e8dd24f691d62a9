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
import json

import numpy as np

from . import random
from . import serialization
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
    ``{"epoch": …, "extra": …}``. Either everything is restored or, on any error
    (``ModelFileError`` for a file that is not a checkpoint or does not fit),
    nothing is changed."""
    header, arrays = serialization.load(path)
    if header.get("kind") != KIND:
        raise ModelFileError(f"{path}: not a training checkpoint (kind "
                             f"{header.get('kind')!r}); model files are read by "
                             "keras.models.load_model")
    epoch = header.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise ModelFileError(f"{path}: invalid epoch {epoch!r} in the header")
    weights = {k[len("model/"):]: a for k, a in arrays.items() if k.startswith("model/")}
    _check_weights(path, model, weights)
    if optimizer is not None and "optimizer" not in header:
        raise ModelFileError(f"{path}: the checkpoint holds no optimizer state")
    if scheduler is not None and "scheduler" not in header:
        raise ModelFileError(f"{path}: the checkpoint holds no scheduler state")
    backup = ({k: t.array.copy() for k, t in model.state_dict().items()},
              optimizer.state_dict() if optimizer is not None else None,
              scheduler.state_dict() if scheduler is not None else None)
    try:
        model.load_state_dict(weights)
        if optimizer is not None:
            optimizer.load_state_dict(optimizer_from_file(path, header["optimizer"], arrays))
        if scheduler is not None:
            scheduler.load_state_dict(header["scheduler"])
        if restore_rng:
            set_rng_state(path, header.get("rng"), model, generators)
    except (ValueError, TypeError, KeyError, AttributeError, RuntimeError) as e:
        model.load_state_dict(backup[0])
        if optimizer is not None:
            optimizer.load_state_dict(backup[1])
        if scheduler is not None:
            scheduler.load_state_dict(backup[2])
        if isinstance(e, ModelFileError):
            raise
        raise ModelFileError(f"{path}: the checkpoint does not fit what it is loaded into "
                             f"({type(e).__name__}: {e})") from None
    return {"epoch": epoch, "extra": header.get("extra")}


def _check_weights(path, model, weights):
    own = {k: t for k, t in model.state_dict().items()}
    missing = [k for k in own if k not in weights]
    extra = [k for k in weights if k not in own]
    if missing or extra:
        raise ModelFileError(f"{path}: the weights do not fit {type(model).__name__}: "
                             f"missing {missing}, unexpected {extra}")
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
    """Put back the generator states recorded by ``rng_state``."""
    if not isinstance(state, dict) or not isinstance(state.get("default"), dict):
        raise ModelFileError(f"{path}: no random-generator state in the file")
    targets = [(random.default_generator(), state["default"], "default")]
    own = _module_generators(model) if model is not None else {}
    for where, gens in (("modules", own), ("named", dict(generators or {}))):
        saved = state.get(where) or {}
        for name, g in gens.items():
            if name not in saved:
                raise ModelFileError(f"{path}: no saved state for the generator "
                                     f"{where}[{name!r}]")
            targets.append((g, saved[name], f"{where}[{name!r}]"))
    for g, s, name in targets:
        _check_rng_state(path, g, s, name)
    for g, s, _ in targets:
        g.bit_generator.state = s
    random.forget_device_generators()


def _check_rng_state(path, g, s, name):
    """Refuse a state of another kind of bit generator before touching any."""
    probe = type(g.bit_generator)()
    try:
        probe.state = s
    except (TypeError, ValueError, KeyError, OverflowError) as e:  # e.g. a negative word
        raise ModelFileError(f"{path}: invalid state for the {name} random generator "
                             f"({e})") from None


def _host(a):
    return np.asarray(to_device(a, "cpu"))


__all__ = ["save_checkpoint", "load_checkpoint", "rng_state", "set_rng_state",
           "optimizer_to_file", "optimizer_from_file"]
