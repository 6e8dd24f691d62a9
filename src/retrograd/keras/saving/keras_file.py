"""Keras 3's ``.keras`` file: a zip of ``metadata.json``, ``config.json`` (the model's
configuration, ``config.py``) and ``model.weights.h5`` (``h5_weights.py``).

``model.save("m.keras")`` writes it (atomically) and real Keras 3 opens it;
``keras.models.load_model`` opens the files Keras 3 writes. The zip is read with
bounds (entries known by name, no two overlapping, sizes within the file), its
HDF5 part as datasets only, and the weights a configuration needs are counted
against the file's size before any layer is built.
"""
import datetime
import json
import os
import warnings
import zipfile

import numpy as np

from ...missing import NotSupportedError
from ...safe_zip import SafeZip, ZipError
from ...serialization import ModelFileError, atomic_write
from .. import compile_utils
from .. import optimizers as optimizers_module
from . import h5_weights
from .config import model_from_config, model_to_config

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
KERAS_VERSION = "3.0.0"         # the format version written (Keras 3's saving format)
MAX_ENTRIES = 64


# -- the zip ---------------------------------------------------------------------------
def is_keras_zip(path):
    """Whether ``path`` is a zip holding a ``config.json`` (Keras 3's layout) — the
    test ``load_model`` uses to tell it from retrograd's own format."""
    try:
        with zipfile.ZipFile(path) as z:
            return any(i.filename == CONFIG for i in z.infolist()[:MAX_ENTRIES])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError):
        return False


def read_zip(path):
    """{entry name: bytes} of the entries of a ``.keras`` file that are read, through
    ``retrograd.safe_zip`` (overlapping, out-of-bounds or duplicated entries refused;
    the declared sizes at most 4× the file's in all, and never exceeded)."""
    where = os.fspath(path)
    try:
        size = os.path.getsize(path)
        with SafeZip(path, max_total=4 * size) as z:
            if len(z.names) > MAX_ENTRIES:
                raise ModelFileError(f"{where}: {len(z.names)} zip entries (at most "
                                     f"{MAX_ENTRIES} in a .keras file)")
            return {name: bytes(z.read(name)) for name in (CONFIG, METADATA, WEIGHTS)
                    if name in z.entries}
    except ZipError as e:
        raise ModelFileError(str(e)) from None
    except OSError as e:
        raise ModelFileError(f"{where}: not a readable .keras file ({type(e).__name__}: "
                             f"{str(e)[:200]})") from None


def _json(data, name, where):
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise ModelFileError(f"{where}: {name} is not valid JSON ({type(e).__name__})") \
            from None
    if not isinstance(value, dict):
        raise ModelFileError(f"{where}: {name} holds a {type(value).__name__}, expected an "
                             "object")
    return value


# -- writing ---------------------------------------------------------------------------
def _host(p):
    from ..model import _host
    return _host(p)


def save_model(model, filepath, include_optimizer=True):
    """Write ``model`` as Keras 3's ``.keras`` zip, atomically."""
    spec = model_to_config(model)
    compile_config = _compile_config(model)
    if compile_config is not None:
        spec["compile_config"] = compile_config
    groups = [(path, [_host(p) for p in params], name)
              for path, params, name in h5_weights.model_groups(model)]
    opt = _optimizer_vars(model) if include_optimizer else None
    weights = h5_weights.write(groups, opt, model.optimizer.name if opt else None)
    metadata = {"keras_version": KERAS_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}

    def write(f):
        with zipfile.ZipFile(f, "w") as z:
            z.writestr(METADATA, json.dumps(metadata))
            z.writestr(CONFIG, json.dumps(spec))
            z.writestr(WEIGHTS, weights)
    atomic_write(filepath, write)


def _compile_config(model):
    """Keras 3's ``compile_config`` (the optimizer's config, losses and metrics by
    Keras name), or None when the model is not compiled."""
    if not model.compiled:
        return None
    opt = model.optimizer
    settings = compile_utils.serialize(model.heads)
    config = {"optimizer": {"module": "keras.optimizers", "class_name": type(opt).__name__,
                            "config": opt.get_config(), "registered_name": None},
              "loss": _names(settings.get("loss")),
              "loss_weights": settings.get("loss_weights"),
              "metrics": _names(settings.get("metrics")),
              "weighted_metrics": _names(settings.get("weighted_metrics")) or None,
              "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}
    return config


def _names(value):
    """Losses and metrics as Keras names where retrograd's description has one."""
    if isinstance(value, list):
        return [_names(v) for v in value]
    if isinstance(value, dict) and "class_name" in value:
        config = value.get("config") or {}
        name = config.get("name") if isinstance(config, dict) else None
        return name if isinstance(name, str) else value["class_name"]
    return value


# The optimizer slots that mean the same in Keras 3 and in retrograd.optim, per
# variable in Keras's order; None: no clean mapping (the state is not written).
def _slots(opt):
    name = type(opt).__name__
    if name in ("Adam", "AdamW"):
        return None if opt.amsgrad else ["exp_avg", "exp_avg_sq"]
    if name == "Adagrad":
        return ["sum"]
    if name == "RMSprop":
        return ["square_avg"] if not opt.momentum and not opt.centered else None
    if name == "SGD":
        return [] if not opt.momentum else None
    return None


def _optimizer_vars(model):
    """Keras 3's optimizer variables (iterations, learning rate, the slots), or None
    when the optimizer is not built or its state does not map."""
    if not model.compiled or not model.optimizer.built:
        return None
    opt = model.optimizer
    slots = _slots(opt)
    if slots is None:
        warnings.warn(f"save: the state of {type(opt).__name__} with these settings has "
                      "no exact Keras 3 equivalent; the file holds the optimizer's "
                      "configuration only", stacklevel=3)
        return None
    out = [np.array(opt.iterations, dtype=np.int64),
           np.array(opt.learning_rate, dtype=np.float32)]
    state = opt.inner.state
    for p in model.trainable_weights:
        s = state.get(p)
        for slot in slots:
            out.append(_host(s[slot]) if s is not None and slot in s else
                       np.full(p.shape, _initial(opt, slot), dtype=np.float32))
    return out


def _initial(opt, slot):
    return getattr(opt, "initial_accumulator_value", 0.0) if slot == "sum" else 0.0


# -- reading ----------------------------------------------------------------------------
def load_model(filepath, custom_objects=None, compile=True):
    """A model from a ``.keras`` file written by Keras 3 (or by ``save``)."""
    where = os.fspath(filepath)
    entries = read_zip(filepath)
    for name in (CONFIG, WEIGHTS):
        if entries.get(name) is None:
            raise ModelFileError(f"{where}: no {name} in the .keras file")
    spec = _json(entries[CONFIG], CONFIG, where)
    if entries.get(METADATA) is not None:
        _json(entries[METADATA], METADATA, where)
    try:
        model = _model(spec, custom_objects)
        _check_size(model, len(entries[WEIGHTS]), where)
        # The entry's bytes are dropped once read: at most the arrays and the model's
        # weights (each about the file's size) are held together.
        arrays = h5_weights.read(entries.pop(WEIGHTS), f"{where}: {WEIGHTS}")
        model._build_layers()
        h5_weights.assign(model, arrays, where)
    except (ModelFileError, NotSupportedError):
        raise
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError,
            RecursionError) as e:
        raise ModelFileError(f"{where}: invalid model description "
                             f"({type(e).__name__}: {str(e)[:300]})") from None
    compile_config = spec.get("compile_config")
    if compile and isinstance(compile_config, dict) and compile_config:
        _compile(model, compile_config, arrays, where)
    return model


def _model(spec, custom_objects):
    from ..functional import Functional
    from ..models import Sequential
    name = spec.get("class_name")
    classes = {"Sequential": Sequential, "Functional": Functional}
    cls = classes.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ModelFileError(f"unknown model class {str(name)[:40]!r} (module "
                             f"{str(spec.get('module'))[:40]!r}); a .keras file read by "
                             "retrograd holds a Sequential or a Functional model")
    config = spec.get("config")
    model = model_from_config(config, custom_objects, cls, build=False)
    if isinstance(model, Sequential) and model.input_shape_known is None:
        build = spec.get("build_config")
        shape = build.get("input_shape") if isinstance(build, dict) else None
        if isinstance(shape, list) and len(shape) >= 2 and all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape[1:]):
            model.input_shape_known = tuple(shape[1:])
        else:
            raise ValueError("the Sequential model has no input shape (no InputLayer, no "
                             "build_config)")
    return model


def _check_size(model, size, where):
    """Refuse a configuration whose weights need more bytes than the weights entry
    holds, before any is allocated (a small file cannot make a huge model)."""
    total = 0
    for name, shape in model.expected_weight_shapes().items():
        n = 4
        for d in shape:
            if not isinstance(d, (int, np.integer)) or d < 0:
                raise ModelFileError(f"{where}: weight {name} has no definite shape "
                                     f"({shape})")
            n *= int(d)
        total += n
        if total > size:
            raise ModelFileError(f"{where}: the configuration needs more than {size} bytes "
                                 f"of weights, more than {WEIGHTS} holds")


def _compile(model, config, arrays, where):
    """compile() from Keras 3's ``compile_config``; the optimizer's variables when
    they map, else a warning."""
    opt_spec = config.get("optimizer")
    try:
        if isinstance(opt_spec, dict):
            opt_spec = {"class_name": opt_spec.get("class_name"),
                        "config": _optimizer_config(opt_spec.get("config"))}
        optimizer = optimizers_module.get(opt_spec if opt_spec is not None else "rmsprop")
        model.compile(optimizer=optimizer, loss=_loss(config.get("loss")),
                      loss_weights=config.get("loss_weights"),
                      metrics=config.get("metrics"),
                      weighted_metrics=config.get("weighted_metrics"))
    except (TypeError, ValueError, KeyError) as e:
        warnings.warn(f"load_model: {where}: the model could not be compiled from the "
                      f"file's settings ({type(e).__name__}: {str(e)[:200]}); it is "
                      "returned uncompiled", stacklevel=3)
        return
    _restore_optimizer(model, arrays, where)


def _loss(loss):
    if isinstance(loss, dict):
        return loss.get("class_name") if "module" in loss else loss
    return loss


# Keras 3 optimizer arguments retrograd's optimizers do not take, with the values
# that mean "off" (any other value is refused by the optimizer, naming it). The EMA
# arguments (use_ema, ema_momentum, ema_overwrite_frequency) are taken as they are.
_OFF = {"loss_scale_factor": None, "gradient_accumulation_steps": None}


def _optimizer_config(config):
    if not isinstance(config, dict):
        raise ValueError("the optimizer's config must be a dict")
    out = {}
    for k, v in config.items():
        if k in _OFF and (v == _OFF[k] or v is None):
            continue
        if k == "learning_rate" and isinstance(v, float):
            v = float(np.float32(v))
        out[k] = v
    return out


def _restore_optimizer(model, arrays, where):
    opt = model.optimizer
    stored = {k: v for k, v in arrays.items() if k.startswith("optimizer/vars/")}
    if not stored or not model.trainable_weights:
        return
    slots = _slots(opt)
    params = model.trainable_weights
    n = 2 + len(params) * len(slots or ())
    if slots is None or len(stored) != n or any(f"optimizer/vars/{i}" not in stored
                                                for i in range(n)):
        warnings.warn(f"load_model: {where}: the optimizer's saved state ({len(stored)} "
                      f"variables) does not map onto retrograd's {type(opt).__name__}; "
                      "the optimizer starts afresh", stacklevel=3)
        return
    values = [stored[f"optimizer/vars/{i}"] for i in range(n)]
    it = values[0]
    if it.shape != () or it.dtype.kind not in "iu" or int(it) < 0 or int(it) > 2 ** 53:
        raise ModelFileError(f"{where}: invalid optimizer iterations {it!r}")
    k = 2
    states = []
    for p in params:
        s = {}
        for slot in slots:
            a = values[k]
            k += 1
            if a.shape != tuple(p.shape) or a.dtype.kind != "f" or \
                    not np.all(np.isfinite(a)):
                raise ModelFileError(f"{where}: optimizer variable {k - 1} ({slot} of a "
                                     f"weight of shape {tuple(p.shape)}) has shape "
                                     f"{a.shape}, dtype {a.dtype} or non-finite values")
            # Second moments and accumulated squares are ≥ 0 (Adam's √v̂, Adagrad's √G):
            # the rules retrograd.optim's load_state_dict applies (issue 17).
            if slot in ("exp_avg_sq", "sum", "square_avg") and np.any(a < 0):
                raise ModelFileError(f"{where}: optimizer variable {k - 1} ({slot}) holds "
                                     f"{float(a.min())}; its values must be >= 0")
            s[slot] = a
        states.append(s)
    if not opt.built:
        opt.build(params)
    for p, s in zip(params, states):
        state = opt.inner._init_state(p.array, opt.inner.param_groups[0])
        state["step"] = int(it)
        for slot, a in s.items():
            state[slot][...] = a
        opt.inner.state[p] = state
    opt.iterations = int(it)

