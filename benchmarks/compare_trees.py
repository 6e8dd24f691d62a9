"""Time per training step of two versions of retrograd, side by side (issue 20's
"≥ 0.95× its speed before the change").

    git worktree add /tmp/before 754a60f          # the version to compare with
    python benchmarks/compare_trees.py /tmp/before . [--workloads mlp,deep] [--threads 2]

Each (tree, workload) runs in a fresh process with that tree's ``src`` first on the
path and ``run.py``'s trainer (the same model, data and recipe as the benchmark
table); the trees alternate, ``--rounds`` times, and each process keeps its best of
five timed passes. Best-of wall-clock times are what a busy two-core VM lets through
(medians move by ±10–15 %); the ratio is before ÷ after, so > 1 is faster now.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = {"logreg": 60000, "mlp": 10240, "online": 3000, "deep": 5120}


def child(tree, workload, samples, data):
    sys.path.insert(0, os.path.join(tree, "benchmarks"))
    import time
    import run
    from retrograd.backend import tune_malloc
    tune_malloc()
    w = dict(run.WORKLOADS[workload])
    x, y, _, _ = run.load_mnist(run.mnist_dir(data))
    fit_pass, _, _ = run.retrograd_trainer(w)
    fit_pass(x[:samples // 4], y[:samples // 4])           # warm-up
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        fit_pass(x[:samples], y[:samples])
        best = min(best, (time.perf_counter() - t) / (samples // w["batch"]))
    print(best * 1e6)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--workloads", default="logreg,mlp,online,deep")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--data", default=None, help="MNIST directory")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        tree, workload, samples = args.child
        return child(tree, workload, int(samples), args.data)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads),
               OPENBLAS_NUM_THREADS=str(args.threads))
    print(f"best time per step (µs), {args.threads} BLAS thread(s); before = {args.before}, "
          f"after = {args.after}")
    print(f"{'workload':9s} {'before':>10s} {'after':>10s} {'speed after/before':>20s}")
    for workload in args.workloads.split(","):
        times = {args.before: [], args.after: []}
        for _ in range(args.rounds):
            for tree in (args.before, args.after):
                tree_env = dict(env, PYTHONPATH=os.path.join(os.path.abspath(tree), "src"))
                cmd = [sys.executable, os.path.abspath(__file__), args.before, args.after,
                       "--child", os.path.abspath(tree), workload, str(SAMPLES[workload])]
                if args.data:
                    cmd += ["--data", args.data]
                out = subprocess.run(cmd, env=tree_env, capture_output=True, text=True,
                                     check=True)
                times[tree].append(float(out.stdout.split()[-1]))
        b, a = min(times[args.before]), min(times[args.after])
        print(f"{workload:9s} {b:10.1f} {a:10.1f} {b / a:19.2f}x")


if __name__ == "__main__":
    main()
