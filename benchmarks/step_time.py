"""CPU time of one training step at one thread: retrograd vs PyTorch vs NumPy by hand.

    python benchmarks/step_time.py [--workloads mlp,deep,online,logreg] [--reps 5]
                                   [--quick] [--data DIR]

Wall-clock rates (``run.py``) move by ±30 % when other processes share the two
cores; the CPU time a process spends on a step (``time.process_time``) barely does,
as long as it runs one thread. So every framework here runs with one thread (BLAS
and PyTorch) in its own fresh process, with ``retrograd.backend.tune_malloc()``
called first (the setting docs/performance.md recommends, for every framework
alike). The models, data and recipes are ``run.py``'s. The one-thread roofline is
the CPU time of the step's FLOPs at the 1024³ GEMM rate of one thread (NumPy),
measured the same way in the same run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the workloads and the trainers)


def child(workload, framework, reps, data, quick):
    from retrograd.backend import tune_malloc
    tune_malloc()
    w = dict(run.WORKLOADS[workload])
    x, y, _, _ = run.load_mnist(run.mnist_dir(data))
    if framework == "pytorch":
        fit_pass, _, _ = run.torch_trainer(w, 1)
    elif framework == "numpy":
        fit_pass, _, _ = run.numpy_trainer(w)
    elif framework == "numpy-checked":
        fit_pass, _, _ = run.numpy_trainer(w, checked=True)
    else:
        fit_pass, _, _ = run.retrograd_trainer(w)
    b = w["batch"]
    steps = 1000 if b == 1 else max(20, 40_000 // (b * max(1, len(w["sizes"]) - 3)))
    if quick:
        steps = 5
    fit_pass(x[:4 * b], y[:4 * b])                       # warm-up
    times = []
    for r in range(reps):
        start = (r * steps * b) % (len(x) - steps * b)
        t0 = time.process_time()
        fit_pass(x[start:start + steps * b], y[start:start + steps * b])
        times.append((time.process_time() - t0) / steps)
    print(json.dumps({"us": statistics.median(times) * 1e6}))


def gemm_rate():
    """GFLOP/s of a 1024³ float32 product at one thread, in CPU time."""
    rng = np.random.default_rng(0)
    a, b = rng.random((1024, 1024), dtype=np.float32), rng.random((1024, 1024), dtype=np.float32)
    a @ b
    best = float("inf")
    for _ in range(10):
        t0 = time.process_time()
        a @ b
        best = min(best, time.process_time() - t0)
    return 2 * 1024 ** 3 / best / 1e9


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default="mlp,deep,online,logreg")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="5 steps, 1 repetition: a smoke test")
    ap.add_argument("--data", default=None, help="MNIST directory")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick:
        args.reps = 1
    if args.child:
        return child(*args.child, args.reps, args.data, args.quick)
    env = run.child_env(1)   # one BLAS/OpenMP/MKL thread, for every library a child loads
    rate = json.loads(subprocess.run([sys.executable, "-c", "import step_time, json; "
                                      "print(json.dumps(step_time.gemm_rate()))"],
                                     capture_output=True, text=True, env=env, check=True,
                                     cwd=os.path.dirname(os.path.abspath(__file__))).stdout)
    print(f"one thread, CPU time per step (median of {args.reps}); load average "
          f"{os.getloadavg()[0]:.2f} at start; 1024³ GEMM {rate:.0f} GFLOP/s")
    print(f"{'workload':9} {'retrograd':>10} {'PyTorch':>10} {'NumPy':>10} {'NumPy+chk':>10} "
          f"{'rg÷pt':>7} {'rg÷np':>7} {'rg÷np+chk':>9} {'roofline':>9}   (µs per step; "
          f"rg÷… = speed ratios, issue 20 asks rg÷np ≥ {run.NUMPY_TARGET}; NumPy+chk = the "
          "loop plus the label check and the loss value; roofline = rg's share)")
    for name in [n.strip() for n in args.workloads.split(",") if n.strip()]:
        us = {}
        for fw in ("retrograd", "pytorch", "numpy", "numpy-checked"):
            extra = (["--quick"] if args.quick else []) + \
                (["--data", args.data] if args.data else [])
            p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", name, fw,
                                "--reps", str(args.reps)] + extra, capture_output=True,
                               text=True, env=env)
            us[fw] = json.loads(p.stdout.splitlines()[-1])["us"] if p.returncode == 0 else None
        w = run.WORKLOADS[name]
        roof = w["batch"] * run.flops_per_sample(w["sizes"]) / (rate * 1e9) * 1e6
        rg, pt, nr, nc = us["retrograd"], us["pytorch"], us["numpy"], us["numpy-checked"]

        def cell(v):
            return f"{v:10.0f}" if v is not None else f"{'n/a':>10}"
        ratio = f"{pt / rg:6.2f}x" if rg and pt else f"{'n/a':>7}"
        vs_np = f"{nr / rg:6.2f}x" if rg and nr else f"{'n/a':>7}"
        vs_nc = f"{nc / rg:8.2f}x" if rg and nc else f"{'n/a':>9}"
        share = f"{roof / rg:9.0%}" if rg and w["batch"] > 1 else f"{'—':>9}"
        print(f"{name:9} {cell(rg)} {cell(pt)} {cell(nr)} {cell(nc)} {ratio} {vs_np} {vs_nc} "
              f"{share}")
    print(f"(load average {os.getloadavg()[0]:.2f} at the end)")


if __name__ == "__main__":
    main()
