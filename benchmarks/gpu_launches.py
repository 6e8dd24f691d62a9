"""What one training step asks of a GPU, counted on any machine: kernel launches,
host → device transfers and device → host reads.

    python benchmarks/gpu_launches.py [--workloads mlp,deep] [--batches 128,1024] [--where]

On a GPU a small model's step is bound by its launches (a few µs of Python and
driver time each), not by its arithmetic, and each read of device data by the host
waits for the GPU to drain its queue. Both can be counted without a GPU: the step
of benchmarks/gpu_bench.py runs on device "cuda" under the fake CuPy of
tests/fake_cupy.py (NumPy underneath), and every CuPy call is classified:

* a launch: a ufunc, an operator, a reduction, a product, a copy, a fill, a
  gather or scatter (advanced indexing), an ElementwiseKernel, a random draw;
  anything whose result is a view of its input (a slice, a reshape, a transpose)
  or is left uninitialised (``empty``) is not one;
* a transfer: host data given to ``cupy.asarray``/``cupy.array``;
* a read: ``.get()``, ``.item()``, ``.tolist()``, ``float()``/``int()``/``bool()``.

The counts are exact for what retrograd asks of CuPy; how many kernels CuPy itself
runs per call (cuBLAS may use two for one product) and how long each takes only
the GPU run tells (``bash benchmarks/gpu_check.sh``). ``--where`` lists the
launches by the line of retrograd that asks for them.
"""
import argparse
import collections
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))   # fake_cupy.py lives with the tests
sys.path.insert(0, HERE)

import fake_cupy as fc  # noqa: E402
import retrograd  # noqa: E402  (the checkout's, from ../src)

COUNTS = collections.Counter()
WHERE = collections.Counter()
ACTIVE = [False]
DEPTH = [0]   # calls of the fake in progress: the fake's own calls are not retrograd's
NOT_KERNELS = {"empty", "empty_like", "shape", "ndim", "size"}


# Where retrograd's files are shown from: "retrograd/backend.py".
PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(retrograd.__file__)))


def _is_retrograd(frame):
    """The frame runs code of the retrograd package. Told by the module's name, not by
    its path: a checkout is often a folder named retrograd, whose benchmarks/ and
    tests/ would then pass for the package too."""
    name = frame.f_globals.get("__name__", "")
    return name == "retrograd" or name.startswith("retrograd.")


def _site():
    frame = sys._getframe(1)
    while frame is not None:   # from the innermost frame out: the line of retrograd nearest the launch
        if _is_retrograd(frame):
            path = os.path.relpath(os.path.abspath(frame.f_code.co_filename), PACKAGE_PARENT)
            return f"{path.replace(os.sep, '/')}:{frame.f_lineno} ({frame.f_code.co_name})"
        frame = frame.f_back
    return "(the benchmark's step)"


def _is_view(result, args):
    if result.__class__ is not fc.ndarray:
        return True   # a Python value or a tuple of views: nothing written on the device
    inputs = [a._a for a in fc._fakes(args)]
    return any(np.may_share_memory(result._a, a) for a in inputs)


def _counted(f, kind_of):
    """``f`` wrapped: while counting, a call from outside the fake (not one the fake
    makes to imitate CuPy) adds ``kind_of(result, args, kwargs)`` ("launch",
    "transfer" or None) to the counts."""
    def counted(*args, **kwargs):
        outermost = not DEPTH[0]
        DEPTH[0] += 1
        try:
            result = f(*args, **kwargs)
        finally:
            DEPTH[0] -= 1
        kind = kind_of(result, args, kwargs) if outermost and ACTIVE[0] else None
        if kind:
            COUNTS[kind] += 1
            if kind == "launch":
                WHERE[_site()] += 1
        return result
    return counted


TRANSFERS = {"asarray", "array", "ascontiguousarray", "asanyarray"}


def _function_kind(name):
    def kind_of(result, args, kwargs):
        if name in TRANSFERS and args and args[0].__class__ is not fc.ndarray:
            return "transfer"
        if name not in NOT_KERNELS and ("out" in kwargs or not _is_view(result, args)):
            return "launch"
        return None
    return kind_of


def _always(result, args, kwargs):
    return "launch"


def _unless_view(result, args, kwargs):
    self = args[0]
    return None if result is self or _is_view(result, args) else "launch"


def instrument():
    """Wrap the fake CuPy's entry points with the counter, and put it in place of
    CuPy for this process (once)."""
    for name in fc._ROUTINES + fc._CREATION + sorted(TRANSFERS):
        setattr(fc, name, _counted(getattr(fc, name), _function_kind(name)))
    for method in ("__call__", "at", "reduce", "outer", "accumulate"):
        setattr(fc.ufunc_, method, _counted(getattr(fc.ufunc_, method), _always))
    fc.ElementwiseKernel.__call__ = _counted(fc.ElementwiseKernel.__call__, _always)
    for method in ("random", "uniform", "standard_normal"):
        setattr(fc._Generator, method, _counted(getattr(fc._Generator, method), _always))
    nd = fc.ndarray
    for name in list(fc._OPERATORS) + ["eq", "ne", "lt", "le", "gt", "ge"]:
        for prefix in ("", "r", "i"):
            attr = f"__{prefix}{name}__"
            if attr in nd.__dict__:
                setattr(nd, attr, _counted(nd.__dict__[attr], _always))
    for attr in ("__neg__", "__pos__", "__abs__", "__invert__", "__setitem__", "fill",
                 "copy"):
        setattr(nd, attr, _counted(nd.__dict__[attr], _always))
    for attr in ("__getitem__", "astype", "reshape", "view", "_call"):
        setattr(nd, attr, _counted(nd.__dict__[attr], _unless_view))
    fc.install()


def count_step(workload, batch, steps=3):
    """(launches, transfers, reads) of one step of gpu_bench's retrograd trainer,
    after ``steps`` warm-up steps (kernel compilation and caches are once per run)."""
    import gpu_bench
    import run
    w = gpu_bench.WORKLOADS[workload]
    rng = np.random.default_rng(0)
    n = batch * (steps + 1)
    x, y = rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    step, _, _ = gpu_bench.retrograd_trainer(w, run.initial_weights(w["sizes"]), x, y, "cuda")
    for i in range(steps):
        step(i * batch, batch)
    COUNTS.clear()
    WHERE.clear()
    reads = fc.reads
    ACTIVE[0] = True
    try:
        step(steps * batch, batch)
    finally:
        ACTIVE[0] = False
    return COUNTS["launch"], COUNTS["transfer"], fc.reads - reads


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default="mlp,deep")
    ap.add_argument("--batches", default="128,1024")
    ap.add_argument("--where", action="store_true", help="launches by line of retrograd")
    args = ap.parse_args(argv)
    instrument()
    print(f"{'workload':9} {'batch':>5} {'launches':>9} {'transfers':>9} {'reads':>6}")
    rows = []
    for name in args.workloads.split(","):
        for batch in (int(b) for b in args.batches.split(",")):
            launches, transfers, reads = count_step(name, batch)
            rows.append((name, batch, launches, transfers, reads))
            print(f"{name:9} {batch:5d} {launches:9d} {transfers:9d} {reads:6d}")
            if args.where:
                for site, k in WHERE.most_common():
                    print(f"    {k:4d}  {site}")
    return rows


if __name__ == "__main__":
    main()
