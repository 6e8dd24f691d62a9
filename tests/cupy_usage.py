"""Which parts of CuPy's API retrograd uses: a recorder around the fake CuPy.

tests/fake_cupy.py imitates CuPy with NumPy, so it accepts whatever NumPy accepts: a
keyword CuPy lacks, ``ufunc.at`` of a ufunc CuPy has no ``at`` for, a function CuPy
does not have. This module wraps the fake from outside and records every use the code
under test makes of it, for tests/test_cupy_api.py to check against the real CuPy:

* ``("attr", "cupy.float32")``: a name read off ``cupy``, ``cupy.cuda``,
  ``cupy.random``, ``cupy.linalg``, ``cupyx``…;
* ``("call", "cupy.zeros", n, kws)``: a call with ``n`` positional arguments and the
  keyword names ``kws`` (methods of the fake's classes read ``cupy.cuda.Device.use``…);
* ``("ufunc", "cupy.add", "at", n, kws)``: a ufunc method (``__call__``, ``at``,
  ``reduce``, ``accumulate``, ``outer``);
* ``("method", "ndarray.sum", n, kws)``: an ndarray method or operator, and
  ``("attr", "ndarray.T")`` for its attributes.

Only the outermost use is recorded: what the fake does inside to imitate CuPy is not
retrograd's use. Each record keeps where it was first seen (file:line outside the fake)
and, for calls whose arguments are all plain constants, those values
(``cupy.ElementwiseKernel``'s C code, for instance).

Two ways to run code under it (PYTHONPATH holding src and tests):

    python -m pytest -p cupy_usage tests -k fake      (with CUPY_USAGE=out.json)
    python tests/cupy_usage.py out.json benchmarks/gpu_bench.py --device cuda --quick

The second puts the fake in place of ``cupy`` for a script and hides PyTorch (its
CUDA part cannot run without a GPU; the script is expected to say so, not crash).
"""
import functools
import inspect
import json
import os
import sys
import threading
import types

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

_state = threading.local()
_uses = {}          # record → {"where": "file:line", "values": [...] or absent}
_SKIP_FILES = (os.path.join(HERE, "fake_cupy.py"), os.path.abspath(__file__))


def _depth():
    return getattr(_state, "depth", 0)


def _in_numpy(frame):
    """The frame runs NumPy's code. Told by the module's name, not by a "/numpy/" in
    its path, which a checkout inside a folder named numpy would have everywhere."""
    module = frame.f_globals.get("__name__", "")
    return module == "numpy" or module.startswith("numpy.")


def _where():
    """file:line of the innermost frame outside the fake, this module and NumPy."""
    f = sys._getframe(3)
    while f is not None:
        name = os.path.abspath(f.f_code.co_filename)
        if name not in _SKIP_FILES and not _in_numpy(f):
            return os.path.relpath(name, ROOT).replace(os.sep, "/") + f":{f.f_lineno}"
        f = f.f_back
    return "?"


def _ours(where):
    """Whether a use comes from retrograd or its benchmarks (not from a test itself
    poking at the fake)."""
    return where.startswith(("src/", "benchmarks/"))


def _constant(v):
    return v is None or isinstance(v, (str, bool, int, float))


def _record(key, args=None, kwargs=None):
    """Note a use; it stays listed with its first place in retrograd's code (src/,
    benchmarks/) once it is seen there, else its first place at all."""
    if _depth():
        return
    info = _uses.get(key)
    if info is not None and info["ours"]:
        return
    where = _where()
    if info is None or _ours(where):
        info = _uses[key] = {"where": where, "ours": _ours(where)}
        if args and all(_constant(a) for a in args) and \
                all(_constant(v) for v in (kwargs or {}).values()):
            info["values"] = [list(args), dict(kwargs or {})]


def _kws(kwargs):
    return tuple(sorted(kwargs))


def _recording(f, make_key, skip_self=False):
    """``f`` wrapped: records ``make_key(args, kwargs)`` when called from outside the
    fake, and counts the depth so that the fake's own calls are not recorded."""
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        shown = args[1:] if skip_self else args
        _record(make_key(shown, kwargs), shown, kwargs)
        _state.depth = _depth() + 1
        try:
            return f(*args, **kwargs)
        finally:
            _state.depth -= 1
    wrapper._cupy_usage = True
    return wrapper


# -- namespaces: cupy, cupy.cuda, cupy.random, cupyx… ---------------------------------

class _RecordingModule(types.ModuleType):
    """A module whose public attribute reads are recorded (its ``__class__`` is swapped
    to this one, so ``sys.modules`` keeps the very same object)."""

    def __getattribute__(self, name):
        value = super().__getattribute__(name)
        if (not name.startswith("_") or name == "__version__") and not _depth():
            path = super().__getattribute__("_cupy_usage_path")
            _record(("attr", f"{path}.{name}"))
        return value


class _Namespace:
    """A stand-in for a namespace object of the fake (``cupy.cuda``, ``cupy.random``…)
    that records the names read off it and the calls of its functions."""

    def __init__(self, target, path):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if name.startswith("_"):
            return value
        path = f"{self._path}.{name}"
        _record(("attr", path))
        return _wrap_member(value, path)

    def __setattr__(self, name, value):
        setattr(self._target, name, value)

    def __repr__(self):
        return f"<recorded {self._path}>"


class _Fake:
    """The fake's own classes, read once: reading them off the module later would be
    recorded as a use."""
    ndarray = ufunc_ = None


def _is_namespace(value):
    return isinstance(value, (types.SimpleNamespace, types.ModuleType)) or (
        not callable(value) and type(value).__module__ in ("cupy", "fake_cupy")
        and not isinstance(value, _Fake.ndarray))


def _wrap_member(value, path):
    if isinstance(value, _Namespace) or getattr(value, "_cupy_usage", False):
        return value
    if _is_namespace(value):
        return _Namespace(value, path)
    if isinstance(value, type) and path.rsplit(".", 1)[-1][:1].isupper():
        _instrument_class(value, path)   # cupy.random.Generator: methods recorded
        return value
    if value in (_Fake.ndarray, _Fake.ufunc_):
        return value
    if callable(value) and not isinstance(value, (_Fake.ufunc_, type)) or \
            isinstance(value, type) and value.__module__ in ("cupy", "fake_cupy"):
        # a function, or a factory named as one (cupy.random.default_rng → Generator)
        return _recording(value, lambda a, k, p=path: ("call", p, len(a), _kws(k)))
    return value


def _walk(target, path):
    """Instrument, before any use, the classes found in a namespace of the fake under
    their CuPy name (a factory alias such as ``default_rng`` may come first)."""
    for name, value in list(vars(target).items()):
        if name.startswith("_"):
            continue
        if isinstance(value, type) and name[:1].isupper():
            _instrument_class(value, f"{path}.{name}")
        elif _is_namespace(value) and not isinstance(value, types.ModuleType):
            _walk(value, f"{path}.{name}")


_CLASSES = {}   # fake class → the public path it was first found under


def _instrument_class(cls, path):
    """Record the construction of a class of the fake and its public methods' calls,
    under the name CuPy gives the class (``cupy.random.Generator``)."""
    if cls in _CLASSES or cls.__module__ not in ("cupy", "fake_cupy") or \
            cls in (_Fake.ndarray, _Fake.ufunc_):
        return
    _CLASSES[cls] = path
    for name, member in list(vars(cls).items()):
        if name.startswith("_") and name not in ("__init__", "__call__", "__enter__",
                                                 "__exit__"):
            continue
        if isinstance(member, staticmethod):
            f = member.__func__
            setattr(cls, name, staticmethod(_recording(
                f, lambda a, k, p=f"{path}.{name}": ("call", p, len(a), _kws(k)))))
        elif inspect.isfunction(member):
            key = path if name == "__init__" else f"{path}.{name}"
            setattr(cls, name, _recording(
                member, lambda a, k, p=key: ("call", p, len(a), _kws(k)), skip_self=True))


# -- the fake itself -------------------------------------------------------------------

_UFUNC_METHODS = ("__call__", "at", "reduce", "accumulate", "outer", "reduceat")
_NDARRAY_SPECIAL = {  # dunders of ndarray worth checking on cupy.ndarray
    "__getitem__", "__setitem__", "__len__", "__iter__", "__bool__", "__float__",
    "__int__", "__complex__", "__neg__", "__pos__", "__abs__", "__invert__", "__copy__",
    "__deepcopy__", "__reduce__", "__format__", "__array__", "__eq__", "__ne__", "__lt__",
    "__le__", "__gt__", "__ge__"}


def instrument(fake):
    """Wrap the fake CuPy module ``fake`` (tests/fake_cupy.py) so that its uses are
    recorded. Idempotent."""
    if getattr(fake, "_cupy_usage_done", False):
        return fake
    fake._cupy_usage_done = True
    _Fake.ndarray, _Fake.ufunc_ = fake.ndarray, fake.ufunc_

    # ufunc methods, at class level: ``xp.add.at(...)`` and NumPy's dispatch alike.
    for method in _UFUNC_METHODS:
        f = getattr(fake.ufunc_, method, None)
        if f is not None:
            setattr(fake.ufunc_, method, _recording(
                f, lambda a, k, m=method: ("ufunc", f"{a[0].module}.{a[0].__name__}", m,
                                           len(a) - 1, _kws(k))))

    # ndarray: methods, operators, properties; the methods NumPy answers via _call.
    nd = fake.ndarray
    for name, member in list(vars(nd).items()):
        if name == "_call":
            setattr(nd, name, _recording(
                member, lambda a, k: ("method", f"ndarray.{a[1]}", len(a) - 2, _kws(k))))
        elif isinstance(member, property):
            getter = _recording(member.fget, lambda a, k, n=name: ("attr", f"ndarray.{n}"))
            setattr(nd, name, property(getter, member.fset))
        elif inspect.isfunction(member) and (not name.startswith("_") or
                                             name in _NDARRAY_SPECIAL or
                                             name.lstrip("_").rstrip("_") in
                                             _operator_names(fake)):
            setattr(nd, name, _recording(
                member, lambda a, k, n=name: ("method", f"ndarray.{n}", len(a) - 1,
                                              _kws(k))))

    # Module functions, classes and namespaces.
    for name, value in list(vars(fake).items()):
        if name.startswith("_") or name == "install" or \
                isinstance(value, (types.ModuleType, fake.ufunc_)):
            continue
        if isinstance(value, type) and name[:1].isupper():
            _instrument_class(value, f"cupy.{name}")
        elif _is_namespace(value):
            _walk(value, f"cupy.{name}")
    for name, value in list(vars(fake).items()):
        if name.startswith("_") or name == "install" or \
                isinstance(value, (types.ModuleType, fake.ufunc_)):
            continue
        if inspect.isfunction(value) or _is_namespace(value) or isinstance(value, type):
            wrapped = _wrap_member(value, f"cupy.{name}")
            if wrapped is not value:
                setattr(fake, name, wrapped)
    fake._cupy_usage_path = "cupy"
    fake.__class__ = _RecordingModule
    for mod in _cupyx_modules(fake):
        mod._cupy_usage_path = mod.__name__
        for name, value in list(vars(mod).items()):
            if not name.startswith("_") and inspect.isfunction(value):
                setattr(mod, name, _wrap_member(value, f"{mod.__name__}.{name}"))
        mod.__class__ = _RecordingModule
    return fake


def _operator_names(fake):
    names = set(getattr(fake, "_OPERATORS", {}))
    names |= {"r" + n for n in names} | {"i" + n for n in names}
    return names | {"eq", "ne", "lt", "le", "gt", "ge"}


def _cupyx_modules(fake):
    root = vars(fake).get("cupyx")
    stack, seen = [root] if isinstance(root, types.ModuleType) else [], []
    while stack:
        m = stack.pop()
        seen.append(m)
        stack += [v for v in vars(m).values() if isinstance(v, types.ModuleType)
                  and v.__name__.startswith("cupyx") and v not in seen]
    return seen


def uses():
    """The records so far: a list of {"use": [...], "where": "file:line", "ours": bool,
    ["values": [args, kwargs]]}; "ours" is False for a use only the tests made."""
    return [dict(use=list(k), **v) for k, v in sorted(_uses.items(), key=repr)]


def dump(path):
    with open(path, "w") as f:
        json.dump(uses(), f, indent=1, default=repr)


# -- as a pytest plugin (-p cupy_usage, CUPY_USAGE=out.json) ---------------------------

def pytest_configure(config):
    if os.environ.get("CUPY_USAGE"):
        import fake_cupy
        instrument(fake_cupy)


def pytest_unconfigure(config):
    if os.environ.get("CUPY_USAGE"):
        dump(os.environ["CUPY_USAGE"])


# -- as a launcher: python tests/cupy_usage.py OUT.json SCRIPT [ARGS...] --------------

def main(argv):
    if len(argv) < 2:
        sys.exit("usage: python tests/cupy_usage.py OUT.json SCRIPT [ARGS...]")
    out, script = argv[0], argv[1]
    sys.path[:0] = [HERE, os.path.join(ROOT, "src")]
    import fake_cupy
    import runpy
    instrument(fake_cupy)
    fake_cupy.install()   # for the rest of the process
    sys.modules["torch"] = None   # import torch → ImportError: no PyTorch CUDA here
    sys.argv = [script] + argv[2:]
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        dump(out)


if __name__ == "__main__":
    main(sys.argv[1:])
