"""retrograd's use of CuPy, checked against the real CuPy's API (no GPU needed).

The fake CuPy (tests/fake_cupy.py) runs retrograd's device code on any machine, but it
is NumPy underneath and accepts what NumPy accepts. Here the fake-cuda tests and
``benchmarks/gpu_bench.py --device cuda --quick`` run under a recorder
(tests/cupy_usage.py) that notes every name, call, keyword, ufunc method and ndarray
method they use; each use retrograd makes (from src/ or benchmarks/) is then checked
against the installed CuPy:

* the name exists (``cupy.X``, ``cupy.cuda.X``, ``cupy.random.X``, ``cupyx.X``…);
* a call binds to the real signature (``inspect.signature``, or for CuPy's Cython
  functions and methods the signature that opens their docstring), keywords included;
* a ufunc method exists in CuPy for that ufunc: ``at`` only where CuPy has a scatter
  operation for it (``ufunc._scatter_op``), ``reduce``/``accumulate`` only for ``add``
  and ``multiply``, ``reduceat`` only for ``add`` (cupy/_core/_kernel.pyx, class ufunc);
  a ufunc call takes only ``out``, ``dtype`` and ``casting``;
* ndarray methods, operators and attributes exist on ``cupy.ndarray``;
* ``cupy.ElementwiseKernel`` accepts retrograd's parameter lists and kernel names.

CuPy imports without a GPU (its kernels then fail, which this never runs), so the check
runs on any machine with CuPy installed (pip install cupy-cuda13x); without it the
tests skip with a reason.
"""
import importlib
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# A test file with fake-cuda cases: it names the fake, or a test takes conftest's
# device/gpu fixtures (parametrised with "fake-cuda").
USES_FAKE = re.compile(r"fake|def test_\w*\([^)]*\b(device|gpu)\b")


@pytest.fixture(scope="module")
def cupy():
    """The real CuPy (never the fake, which the fake-cuda tests put in sys.modules
    only for the duration of one test)."""
    saved = sys.modules.get("cupy")
    if saved is not None and getattr(saved, "ufunc_", None) is not None:
        pytest.fail("the fake CuPy is still installed as `cupy` outside a test")
    try:
        import cupy
        importlib.import_module("cupyx.scipy.special")
    except Exception as e:  # ImportError, or a CUDA library CuPy cannot load
        pytest.skip(f"the real CuPy does not import here ({type(e).__name__}: {e}); "
                    "pip install cupy-cuda13x to check retrograd against its API")
    assert getattr(cupy, "ufunc_", None) is None and \
        not cupy.__file__.endswith("fake_cupy.py"), cupy.__file__
    return cupy


def _env(**extra):
    env = dict(os.environ, MPLBACKEND="Agg", **extra)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(TESTS)] + [p for p in [env.get("PYTHONPATH")] if p])
    return env


@pytest.fixture(scope="module")
def recorded(cupy, tmp_path_factory):
    """The uses of the fake CuPy by the fake-cuda tests and by gpu_bench.py. (A test
    file that does not import here, for want of PyTorch say, is left out, not fatal.)"""
    out = tmp_path_factory.mktemp("cupy_usage")
    tests_json, bench_json = out / "tests.json", out / "bench.json"
    # Only the files that have fake-cuda tests: collecting the whole suite (Keras,
    # PyTorch, 8,000 cases) would cost more than running the tests themselves.
    files = [str(f) for f in sorted(TESTS.glob("test_*.py"))
             if f.name != "test_cupy_api.py" and USES_FAKE.search(f.read_text(encoding="utf-8"))]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "cupy_usage", "-p", "no:cacheprovider",
         "-o", "addopts=", "-q", "-k", "fake", "--continue-on-collection-errors", *files],
        cwd=ROOT, env=_env(CUPY_USAGE=str(tests_json)), capture_output=True, text=True,
        timeout=600)
    bench = subprocess.run(
        [sys.executable, str(TESTS / "cupy_usage.py"), str(bench_json),
         str(ROOT / "benchmarks" / "gpu_bench.py"), "--device", "cuda", "--quick",
         "--random-data", "--batches", "64", "--reps", "1"],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    assert bench.returncode == 0, \
        f"gpu_bench.py --device cuda on the fake CuPy failed:\n{bench.stdout}\n{bench.stderr}"
    assert tests_json.exists(), f"no record from the fake-cuda tests:\n{tests.stdout[-3000:]}"
    uses = {}
    for path in (tests_json, bench_json):
        for r in json.loads(path.read_text()):
            key = tuple(tuple(u) if isinstance(u, list) else u for u in r["use"])
            if key not in uses or r["ours"] and not uses[key]["ours"]:
                uses[key] = r
    ours = [r for r in uses.values() if r["ours"]]
    assert len(ours) > 50, f"only {len(ours)} uses recorded:\n{tests.stdout[-3000:]}"
    return ours


# -- the real API ------------------------------------------------------------------------

def _resolve(cupy, path):
    """The real object a dotted path names (``cupy.cuda.runtime.getDeviceCount``,
    ``ndarray.sum``, ``cupyx.scipy.special.erf``); LookupError when there is none."""
    head, *parts = path.split(".")
    obj = cupy.ndarray if head == "ndarray" else importlib.import_module(head)
    for part in parts:
        try:
            obj = getattr(obj, part)
        except AttributeError:
            try:   # a submodule not imported yet
                obj = importlib.import_module(f"{obj.__name__}.{part}")
            except Exception:
                raise LookupError(f"{path}: CuPy {cupy.__version__} has no {part!r} "
                                  f"in {head}{''.join('.' + p for p in parts)}") from None
    return obj


_DOC_SIGNATURE = re.compile(r"^(?:[\w.]+\.)?\w+\((.*)\)\s*(?:->.*)?$")
P = inspect.Parameter


def doc_signature(obj):
    """The signature that opens a Cython function's docstring
    (``_ndarray_base.sum(self, axis=None, dtype=None, out=None, keepdims=False)``,
    ``add(x1, x2, /, out=None, \\*, casting='same_kind', dtype=None)``), or None."""
    lines = (getattr(obj, "__doc__", None) or "").strip().splitlines()
    m = _DOC_SIGNATURE.match(lines[0].replace("\\*", "*").strip()) if lines else None
    if m is None or "[" in m.group(1):
        return None
    params, kind = [], P.POSITIONAL_OR_KEYWORD
    depth, item, items = 0, "", []
    for ch in m.group(1) + ",":   # split at the commas outside brackets and quotes
        if ch == "," and depth == 0:
            items.append(item.strip())
            item = ""
            continue
        depth += ch in "([{" and 1 or ch in ")]}" and -1 or 0
        item += ch
    for raw in filter(None, items):
        if raw == "/":
            params = [p.replace(kind=P.POSITIONAL_ONLY) for p in params]
        elif raw == "*":
            kind = P.KEYWORD_ONLY
        elif raw.startswith("**"):
            params.append(P(raw[2:].split()[-1], P.VAR_KEYWORD))
        elif raw.startswith("*"):
            params.append(P(raw[1:].split()[-1], P.VAR_POSITIONAL))
            kind = P.KEYWORD_ONLY
        else:
            lhs, eq, _ = raw.partition("=")
            name = lhs.split(":")[0].split()[-1]   # "_ndarray_base out" (Cython types)
            if not name.isidentifier():
                return None
            params.append(P(name, kind, default=None if eq else P.empty))
    try:
        return inspect.Signature(params)
    except ValueError:
        return None


def ufunc_signature(u):
    """What ``cupy.ufunc.__call__`` takes (cupy/_core/_kernel.pyx): ``nin`` inputs and up
    to ``nout`` outputs by position, and the keywords ``out``, ``dtype``, ``casting``
    (any other keyword raises TypeError("Wrong arguments"), ``where`` included)."""
    params = [P(f"x{i + 1}", P.POSITIONAL_ONLY) for i in range(u.nin)]
    params += [P(f"out{i + 1}", P.POSITIONAL_ONLY, default=None) for i in range(u.nout)]
    params += [P(k, P.KEYWORD_ONLY, default=None) for k in ("out", "dtype", "casting")]
    return inspect.Signature(params)


def signature(obj):
    if type(obj).__name__ == "ufunc" and type(obj).__module__.startswith("cupy"):
        return ufunc_signature(obj)
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return doc_signature(obj)


def _bind(sig, n, kws, method=False):
    """None if ``n`` positional arguments and keywords ``kws`` bind to ``sig``, else
    why not. ``method``: ``sig`` has ``self`` first, not counted in ``n``."""
    args = [object()] * (n + (1 if method and _has_self(sig) else 0))
    try:
        sig.bind(*args, **{k: None for k in kws})
    except TypeError as e:
        return f"{e} (signature {sig})"
    return None


def _has_self(sig):
    params = list(sig.parameters)
    return bool(params) and params[0] == "self"


# CuPy's ufunc implements these methods only for these ufuncs (cupy/_core/_kernel.pyx).
_UFUNC_ONLY = {"reduce": {"add", "multiply"}, "accumulate": {"add", "multiply"},
               "reduceat": {"add"}}


def problems_with(cupy, use, values=None):
    """What is wrong with one recorded use on the real CuPy: a list of strings, empty
    when the use is fine; ``["unchecked: ..."]`` when only existence could be checked."""
    kind, path = use[0], use[1]
    try:
        real = _resolve(cupy, path)
    except LookupError as e:
        return [str(e)]
    if kind == "attr":
        return []
    if kind == "ufunc":
        method, n, kws = use[2], use[3], use[4]
        if not isinstance(real, cupy.ufunc):
            if method == "__call__":
                return _check_call(cupy, real, path, n, kws, values)
            if not hasattr(real, method):
                return [f"{path}.{method}: {path} is a {type(real).__name__} in CuPy, not "
                        f"a cupy.ufunc, and has no {method!r}"]
            return _check_call(cupy, getattr(real, method), f"{path}.{method}", n, kws)
        short = path.rsplit(".", 1)[-1]
        if method == "at" and getattr(real, "_scatter_op", None) is None:
            return [f"{path}.at: CuPy implements ufunc.at only for the ufuncs with a "
                    f"scatter operation ({', '.join(_scatter_ufuncs(cupy))}); "
                    f"{short}.at raises NotImplementedError"]
        if method in _UFUNC_ONLY and real.name.replace("cupy_", "") not in _UFUNC_ONLY[method]:
            return [f"{path}.{method}: CuPy implements ufunc.{method} only for "
                    f"{sorted(_UFUNC_ONLY[method])}; {short}.{method} raises "
                    "NotImplementedError"]
        if method == "outer":
            return _check_call(cupy, real, path, 2, kws)
        target = real if method == "__call__" else getattr(real, method)
        return _check_call(cupy, target, path if method == "__call__" else
                           f"{path}.{method}", n, kws, method=method != "__call__")
    n, kws = use[2], use[3]
    if kind == "method":
        name = path.split(".", 1)[1]
        if name.startswith("__"):
            return []   # an operator or protocol method: existing is what matters
        return _check_call(cupy, real, path, n, kws, method=True)
    return _check_call(cupy, real, path, n, kws, values,
                       method=_is_method_path(cupy, path))


def _is_method_path(cupy, path):
    parent = path.rsplit(".", 1)[0]
    try:
        return isinstance(_resolve(cupy, parent), type)
    except LookupError:
        return False


def _scatter_ufuncs(cupy):
    return sorted(n for n in dir(cupy) if isinstance(getattr(cupy, n), cupy.ufunc)
                  and getattr(cupy, n)._scatter_op is not None)


def _check_call(cupy, real, path, n, kws, values=None, method=False):
    if path.endswith("ElementwiseKernel") and values is not None:
        args, kwargs = values
        try:
            real(*args, **kwargs)
        except Exception as e:
            return [f"{path}{tuple(args)}: the real CuPy refuses it: {type(e).__name__}: {e}"]
    if isinstance(real, type) and signature(real) is None:
        real = real.__init__ if "__init__" in vars(real) else real
    sig = signature(real)
    if sig is None:
        return [f"unchecked: {path} ({type(real).__name__}) has no signature to check "
                f"{n} positional argument(s) and keywords {list(kws)} against"]
    why = _bind(sig, n, kws, method=method)
    return [f"{path} called with {n} positional argument(s) and keywords {list(kws)}: "
            f"{why}"] if why else []


# -- the tests -------------------------------------------------------------------------

def test_the_checker_refuses_what_cupy_lacks(cupy):
    """The checks can fail: uses CuPy does not support are reported."""
    bad = [("attr", "cupy.no_such_function"),
           ("call", "cupy.zeros", 1, ("no_such_keyword",)),
           ("call", "cupy.concatenate", 4, ()),
           ("ufunc", "cupy.tanh", "at", 2, ()),
           ("ufunc", "cupy.maximum", "reduce", 1, ("axis",)),
           ("ufunc", "cupy.exp", "__call__", 1, ("where",)),
           ("method", "ndarray.sum", 0, ("initial",)),
           ("method", "ndarray.no_such_method", 0, ()),
           ("call", "cupy.random.Generator.random", 1, ("no_such_keyword",)),
           ("call", "cupy.ElementwiseKernel", 4, ())]
    values = {"cupy.ElementwiseKernel": [["T x, T", "T y", "y = x", "k"], {}]}
    for use in bad:
        found = problems_with(cupy, use, values.get(use[1]))
        assert found and not found[0].startswith("unchecked"), use
    good = [("attr", "cupy.cuda.runtime.getDeviceCount"),
            ("call", "cupy.zeros", 1, ("dtype",)),
            ("ufunc", "cupy.add", "at", 3, ()),
            ("ufunc", "cupy.multiply", "__call__", 2, ("out",)),
            ("method", "ndarray.sum", 0, ("axis", "dtype", "keepdims")),
            ("method", "ndarray.__iadd__", 1, ()),
            ("call", "cupy.random.Generator.random", 1, ("dtype",)),
            ("call", "cupy.cuda.Device.synchronize", 0, ())]
    for use in good:
        assert problems_with(cupy, use) == [], use


def test_retrograd_uses_only_what_cupy_has(cupy, recorded):
    problems, unchecked = [], []
    for r in recorded:
        for p in problems_with(cupy, r["use"], r.get("values")):
            (unchecked if p.startswith("unchecked") else problems).append(
                f"{r['where']}: {p}")
    if unchecked:
        print("existence only:\n  " + "\n  ".join(sorted(unchecked)))
    assert not problems, (f"{len(problems)} use(s) of CuPy {cupy.__version__}'s API that "
                          "it does not support:\n  " + "\n  ".join(sorted(problems)))
