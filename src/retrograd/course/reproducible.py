"""Why ``retrograd course`` prints the same numbers at every run on a machine,
and what may still change from one machine to another.

* **Every random draw is seeded**: the experiments' generators are
  ``numpy.random.default_rng(seed)`` or retrograd's default generator seeded with
  ``seed`` before use, and ``course.run`` reseeds the latter before each
  experiment, so that none can depend on what ran before it (none does today:
  each gives the same numbers after ``manual_seed(1)`` and ``manual_seed(2)``).
* **The BLAS runs on one thread.** OpenBLAS's multi-threaded SGEMM sums in
  another order than its one-thread SGEMM: for the first layer of the MNIST MLPs,
  (100 × 784)·(784 × 256) in float32, one and two threads give products that
  differ by up to 4e-5 (OpenBLAS 0.3.31). SGD amplifies such differences over
  thousands of steps: the over-fitting experiment's dropout accuracy gap was
  5.0% with one thread and 5.5% with two (the gallery committed before said
  5.2%: what OPENBLAS_CORETYPE=Haswell with two threads gives); at quick sizes,
  the numbers of init, dropout, mnist-logreg and overfitting changed with the
  thread count.
  One thread also costs little: these matrices are too small for threads to pay
  on two cores (on a 2-core machine shared with other jobs the quick
  relu-vs-tanh took 6 s with one thread, 23 s with two; the full over-fitting
  run 40 s and 53 s).
* **What remains machine-dependent** is the OpenBLAS kernel chosen for the CPU
  (``OPENBLAS_CORETYPE``: e.g. SkylakeX's AVX-512 or Haswell's AVX2 SGEMM, which
  round differently): the trained experiments' numbers then differ, by the
  amounts ``KERNEL_VARIATION`` gives; the report's header names the BLAS that
  produced it and quotes ``KERNEL_VARIATION``.

Limiting the threads needs ``threadpoolctl``; without it the BLAS keeps its
default thread count and ``statement()`` says so in the report.
"""
from contextlib import contextmanager

BLAS_THREADS = 1


def _threadpool_limits():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits


@contextmanager
def one_blas_thread():
    """Run the block with the BLAS limited to ``BLAS_THREADS`` (nothing changes
    without threadpoolctl)."""
    limits = _threadpool_limits()
    if limits is None:
        yield
        return
    import numpy  # noqa: F401  (loads the BLAS, so that threadpoolctl finds it)
    with limits(limits=BLAS_THREADS, user_api="blas"):
        yield


def blas():
    """The BLAS the experiments run on, in words: library, version, CPU kernel
    and threads, e.g. "OpenBLAS 0.3.31 (kernel SkylakeX), 1 thread"."""
    if _threadpool_limits() is None:
        return "NumPy's BLAS at its default thread count"
    import numpy  # noqa: F401
    from threadpoolctl import threadpool_info
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    # NumPy's, which retrograd calls (SciPy, loaded by scikit-learn, brings its own).
    pools.sort(key=lambda p: "numpy" not in p.get("filepath", ""))
    if not pools:
        return "NumPy's BLAS (not identified by threadpoolctl), 1 thread"
    p = pools[0]
    name = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS"}.get(
        p.get("internal_api"), p.get("internal_api", "BLAS"))
    kernel = f" (kernel {p['architecture']})" if p.get("architecture") else ""
    return f"{name} {p.get('version', '')}{kernel}, {BLAS_THREADS} thread".replace("  ", " ")


def statement():
    """The report's paragraph: what computed the numbers, and when the same
    command gives the same numbers."""
    if _threadpool_limits() is None:
        how = ("The trained experiments' numbers may differ on a machine with another "
               "number of cores (see below): threadpoolctl, which would run the BLAS on one "
               "thread, is not installed (pip install threadpoolctl).")
    else:
        how = ("The same command gives these numbers exactly on a machine with this BLAS "
               "kernel, whatever its number of cores: every generator is seeded and the "
               "BLAS runs on one thread (`retrograd/course/reproducible.py` says why).")
    return f"Computed with {blas()}. {how} {KERNEL_VARIATION}"


# What the report says of the kernel's effect: measured once, at full sizes, by running
# `retrograd course all` with OpenBLAS 0.3.31's SkylakeX kernel (the committed gallery)
# and with OPENBLAS_CORETYPE=Haswell, both on one thread, and comparing results.json.
KERNEL_VARIATION = (
    "How much the numbers move with the CPU's BLAS kernel, measured at full sizes by "
    "running the same command with `OPENBLAS_CORETYPE=Haswell` (AVX2) against OpenBLAS's "
    "SkylakeX kernel (AVX-512), both on one thread: the eleven experiments from neuron to "
    "finite-differences give identical numbers; init's activation stds differ by 2e-6 at most "
    "and mnist-logreg's test loss by 4e-9 (the printed values do not change); relu-vs-tanh, "
    "then an MLP, reached every target at the same iteration (its CNN and lenet5, added "
    "since, were not measured with the other kernel). The MLPs trained with dropout move "
    "most: "
    "overfitting's validation accuracies by up to 0.2 point and its dropout loss gap from "
    "0.186 to 0.197 (accuracy gap 5.0% and 5.1%); dropout's test accuracies by up to 0.2 "
    "point (4 of the 2,000 test images) and its losses by up to 0.01. No verdict changes. "
    "With the BLAS's own thread count instead of one (without threadpoolctl), overfitting's "
    "dropout accuracy gap was 5.5% with two threads, 5.0% with one.")
