"""Per-op overhead: µs for one forward + backward of a tiny op, retrograd vs PyTorch.

The arrays are so small (4 elements, a 4×4 matrix) that the arithmetic costs
nothing: what is measured is the framework's own work per op — building the
graph node, the topological sort, the gradient bookkeeping.

    python benchmarks/overhead.py [--repeats 7] [--number 2000]

Each figure is the median over ``--repeats`` timings of ``--number`` steps, after a
warm-up. PyTorch (when installed) runs in the same process with 1 and 2 threads;
the faster setting is reported.
"""
import argparse
import statistics
import time

import numpy as np

import retrograd as rg


def timeit(step, number, repeats):
    """Median µs per call of ``step`` over ``repeats`` batches of ``number`` calls."""
    for _ in range(max(number // 10, 10)):  # warm-up: caches, lazy imports
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            step()
        times.append((time.perf_counter() - t0) / number * 1e6)
    return statistics.median(times)


def cases(make):
    """The timed steps, written once for both frameworks: ``make(shape)`` returns a
    float32 leaf of that shape requiring grad (same N(0, 1) data for both)."""
    x, y, a, b = make((4,)), make((4,)), make((4, 4)), make((4, 4))

    def elementwise():
        x.grad = y.grad = None
        (x * y).sum().backward()

    def matmul():
        a.grad = b.grad = None
        (a @ b).sum().backward()

    return {"(x*y).sum() fwd+bwd, 4 elements": elementwise,
            "(A@B).sum() fwd+bwd, 4x4": matmul}


def _leaves(tensor_of):
    rng = np.random.default_rng(0)
    return lambda shape: tensor_of(rng.standard_normal(shape, dtype=np.float32))


def measure(number=2000, repeats=7):
    """Rows (case, retrograd µs, PyTorch µs or None, PyTorch threads or None)."""
    ours = cases(_leaves(lambda a: rg.tensor(a, requires_grad=True)))
    rows = [[name, timeit(fn, number, repeats), None, None] for name, fn in ours.items()]
    try:
        import torch
    except ImportError:
        return rows
    saved = torch.get_num_threads()
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            theirs = cases(_leaves(lambda a: torch.tensor(a, requires_grad=True)))
            for row, fn in zip(rows, theirs.values()):
                t = timeit(fn, number, repeats)
                if row[2] is None or t < row[2]:
                    row[2], row[3] = t, threads
    finally:
        torch.set_num_threads(saved)
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, default=2000, help="steps per timing")
    ap.add_argument("--repeats", type=int, default=7, help="timings (median is kept)")
    ap.add_argument("--quick", action="store_true", help="few steps: a smoke test")
    args = ap.parse_args(argv)
    if args.quick:
        args.number, args.repeats = 100, 3
    rows = measure(args.number, args.repeats)
    print(f"{'case':36} {'retrograd µs':>13} {'PyTorch µs':>11} {'ratio rg/pt':>12}")
    for name, rg_us, pt_us, threads in rows:
        if pt_us is None:
            print(f"{name:36} {rg_us:13.1f} {'n/a':>11} {'n/a':>12}")
        else:
            print(f"{name:36} {rg_us:13.1f} {pt_us:11.1f} {rg_us / pt_us:12.2f}"
                  f"   (PyTorch best with {threads} thread{'s' if threads > 1 else ''})")
    print("ratio < 1: retrograd's per-op overhead is lower than PyTorch's")


if __name__ == "__main__":
    main()
