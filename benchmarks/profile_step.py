"""Time (and let a profiler watch) one workload's training step, frameworks side by side.

    python benchmarks/profile_step.py mlp                      # µs per step, every trainer
    python benchmarks/profile_step.py online --frameworks retrograd,numpy --threads 1
    python benchmarks/profile_step.py online --sizes 4,4,4,4  # the per-step overhead alone
    py-spy record -r 1000 -o mlp.svg -- python benchmarks/profile_step.py mlp \\
        --frameworks retrograd --seconds 20

The trainers and workloads are `run.py`'s; the data are random (MNIST's shapes), so
no dataset is needed. Each framework trains for ``--seconds`` after one warm-up pass;
the best of the passes is printed (wall clock, BLAS threads as given by --threads).
"""
import argparse
import os
import sys
import time


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workload", help="logreg, mlp, online, deep or keras-fit")
    ap.add_argument("--frameworks", default="retrograd,numpy,pytorch")
    ap.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")
    ap.add_argument("--seconds", type=float, default=5.0, help="time per framework")
    ap.add_argument("--no-tune-malloc", dest="tune_malloc", action="store_false",
                    help="keep glibc's allocator thresholds (see docs/performance.md)")
    ap.add_argument("--sizes", help="layer sizes instead of the workload's, e.g. 4,4,4,4 "
                                    "(where the arithmetic is free: the overhead alone)")
    args = ap.parse_args(argv)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)  # before NumPy loads BLAS
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import resource

    import numpy as np
    import run
    import retrograd.backend

    if args.workload not in run.WORKLOADS:
        ap.error(f"unknown workload {args.workload!r}; expected one of {list(run.WORKLOADS)}")
    if args.tune_malloc:
        retrograd.backend.tune_malloc()
    w = dict(run.WORKLOADS[args.workload])
    if args.sizes:
        w["sizes"] = tuple(int(k) for k in args.sizes.split(","))
    rng = np.random.default_rng(0)
    n = 64 * w["batch"] if w["batch"] > 1 else 2000
    x = rng.random((n, w["sizes"][0]), dtype=np.float32)
    y = rng.integers(0, w["sizes"][-1], n).astype(np.int64)
    trainers = {"retrograd": lambda: run.retrograd_trainer(w),
                "numpy": lambda: run.numpy_trainer(w),
                "pytorch": lambda: run.torch_trainer(w, args.threads)}
    for name in args.frameworks.split(","):
        if name == "pytorch" and not run.torch_installed():
            print("pytorch: not installed")
            continue
        fit_pass = trainers[name]()[0]
        fit_pass(x, y)                                   # warm-up
        best, end = float("inf"), time.perf_counter() + args.seconds
        faults, steps = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, 0
        while time.perf_counter() < end:
            t = time.perf_counter()
            fit_pass(x, y)
            best = min(best, (time.perf_counter() - t) / (n / w["batch"]))
            steps += n // w["batch"]
        faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / max(steps, 1)
        print(f"{args.workload} {name}: {best * 1e6:,.0f} µs per step "
              f"(batch {w['batch']}, {args.threads} BLAS thread(s)), "
              f"{faults:,.0f} page faults per step", flush=True)


if __name__ == "__main__":
    main()
