"""Data-parallel scaling of the course's MLP: measured compute vs modelled allreduce.

    python benchmarks/scaling_model.py [--batch 128] [--threads 1] [--ranks 1,2,4,...]

Measured here: the time of one training step of the 784-512-512-10 ReLU MLP (forward,
backward, SGD update) at the per-rank batch, with ``--threads`` BLAS threads (a rank's
share of a node's cores), and, when mpirun and mpi4py are present, the time of
``GradientReducer.reduce()`` on 2 ranks of this machine (packing, Iallreduce through
shared memory, unpacking). Modelled: the gradient allreduce on a network, for the ring
algorithm,

    T(p) = 2 (p − 1)/p · S / β + 2 (p − 1) · α   (+ the packing, measured)

with S the gradient bytes, β the per-link bandwidth, α the per-message latency. With
one rank per node, each rank keeping its batch (weak scaling, global batch p·B) and no
overlap of communication with the backward pass (retrograd averages after backward):

    efficiency = t_compute / (t_compute + T(p)),   speedup = p · efficiency.

Times are the best of ``--reps`` (the least disturbed by other processes); the figures
of a loaded shared machine are indicative only.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

SIZES = (784, 512, 512, 10)
# name, bandwidth β (bytes/s), latency α (s): typical figures, not measured here.
NETWORKS = (
    ("1 GbE TCP", 125e6, 50e-6),
    ("10 GbE TCP", 1.25e9, 20e-6),
    ("25 GbE RoCE", 3.1e9, 5e-6),
    ("IB HDR 200 Gb/s", 25e9, 1.5e-6),
)


def mlp(seed=0):
    import retrograd as rg
    rng = np.random.default_rng(seed)
    return [(rg.tensor(rng.standard_normal((o, i)) / np.sqrt(i), dtype="float32",
                       requires_grad=True),
             rg.zeros(o, requires_grad=True)) for i, o in zip(SIZES[:-1], SIZES[1:])]


def gradient_bytes():
    return sum(4 * (i * o + o) for i, o in zip(SIZES[:-1], SIZES[1:]))


def compute_time(batch, reps, threads):
    """Best (least loaded) seconds, over ``reps``, of one SGD step of the MLP on a batch of ``batch`` samples."""
    import retrograd as rg
    from retrograd import optim
    from retrograd.ops.losses import SoftmaxCrossEntropy
    from retrograd.ops.matmul import linear
    from threadpoolctl import threadpool_limits
    params = mlp()
    flat = [t for pair in params for t in pair]
    opt = optim.SGD(flat, lr=0.01)
    rng = np.random.default_rng(1)
    x = rg.tensor(rng.random((batch, SIZES[0]), dtype=np.float32))
    y = rg.tensor(rng.integers(0, SIZES[-1], batch))

    def step():
        h = x
        for k, (w, b) in enumerate(params):
            h = linear(h, w, b)
            if k < len(params) - 1:
                h = h.relu()
        opt.zero_grad()
        SoftmaxCrossEntropy().apply(h, y).backward()
        opt.step()

    with threadpool_limits(threads, user_api="blas"):
        for _ in range(3):
            step()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
    return min(times)


def reducer_child(reps):
    """Under mpirun: time GradientReducer.reduce() on the MLP's gradients (rank 0 prints)."""
    from retrograd import distributed as dist
    from retrograd.tensor import Tensor
    world = dist.init(timeout=60)
    params = [t for pair in mlp() for t in pair]
    for p in params:
        p.grad = Tensor._wrap(p.array.copy())
    timed = {}
    # With a timeout (Iallreduce polled against a deadline), and without (blocking).
    for key, w in (("reduce", world), ("reduce_blocking", dist.World(world.comm, None))):
        reducer = dist.GradientReducer(params, world=w)
        for _ in range(3):
            reducer.reduce()
        times = []
        for _ in range(reps):
            dist.barrier()
            t0 = time.perf_counter()
            reducer.reduce()
            times.append(time.perf_counter() - t0)
        timed[key] = min(times)
    # Packing alone: the copies in and out of the bucket, without communication.
    pack = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for (_, members, _), b in zip(reducer.buckets.groups, reducer.buckets.buffers):
            for p, off, size in members:
                np.multiply(p.grad.array.reshape(-1), 1.0, out=b[off:off + size])
            for p, off, size in members:
                p.grad.array[...] = b[off:off + size].reshape(p.shape)
        pack.append(time.perf_counter() - t0)
    if world.is_chief:
        print(json.dumps({"ranks": world.size, **timed,
                          "pack": min(pack), "bytes": reducer.buckets.nbytes(),
                          "buckets": len(reducer.buckets)}))


def measure_reducer(reps):
    if shutil.which("mpirun") is None:
        return None, "mpirun not found"
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return None, "mpi4py not installed"
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    cmd = ["mpirun", "-n", "2", "--oversubscribe", sys.executable, os.path.abspath(__file__),
           "--reducer-child", "--reps", str(reps)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    except subprocess.TimeoutExpired:
        return None, "mpirun -n 2 timed out"
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        return None, f"mpirun -n 2 failed: {(p.stderr.strip().splitlines() or ['?'])[-1]}"
    return json.loads(lines[-1]), None


def ring_allreduce(p, nbytes, bandwidth, latency):
    """2(p−1)/p · S/β + 2(p−1)·α seconds (0 for one rank)."""
    if p == 1:
        return 0.0
    return 2 * (p - 1) / p * nbytes / bandwidth + 2 * (p - 1) * latency


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=128, help="samples per rank and step")
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads of one rank")
    ap.add_argument("--ranks", default="1,2,4,8,16,32,64")
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--no-mpi", action="store_true", help="do not measure with mpirun -n 2")
    ap.add_argument("--compute-ms", type=float, default=None,
                    help="use this step time (ms) in the model instead of measuring it "
                         "(e.g. a figure from a quieter run or another machine)")
    ap.add_argument("--reducer-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.reducer_child:
        return reducer_child(args.reps)

    ranks = [int(r) for r in args.ranks.split(",")]
    nbytes = gradient_bytes()
    print(f"MLP {'-'.join(map(str, SIZES))}: {nbytes / 4:,.0f} parameters, gradient "
          f"S = {nbytes / 1e6:.2f} MB (float32)")
    if args.compute_ms is None:
        t_step = compute_time(args.batch, args.reps, args.threads)
        print(f"measured compute, one step at batch {args.batch}, {args.threads} BLAS "
              f"thread(s): {t_step * 1e3:.2f} ms, best of {args.reps} "
              f"({args.batch / t_step:,.0f} samples/s per rank; load average "
              f"{os.getloadavg()[0]:.1f}, indicative)")
    else:
        t_step = args.compute_ms / 1e3
        print(f"compute, one step at batch {args.batch}: {args.compute_ms:.2f} ms (given)")
    pack = 0.0
    if not args.no_mpi:
        r, why = measure_reducer(args.reps)
        if r is None:
            print(f"measured allreduce: skipped ({why})")
        else:
            pack = r["pack"]
            print(f"measured GradientReducer.reduce() on 2 ranks of this machine (shared "
                  f"memory), {r['bytes'] / 1e6:.2f} MB in {r['buckets']} bucket(s): "
                  f"{r['reduce'] * 1e3:.2f} ms with a timeout (Iallreduce polled), "
                  f"{r['reduce_blocking'] * 1e3:.2f} ms with timeout=None (Allreduce); "
                  f"packing in/out {pack * 1e3:.2f} ms of it")
    print()
    print("modelled, one rank per node, batch per rank fixed (global batch = p × "
          f"{args.batch}); ring allreduce + measured packing; no overlap")
    head = f"{'ranks p':>7}"
    for name, _, _ in NETWORKS:
        head += f" | {name:^24}"
    print(head)
    sub = f"{'':>7}" + " | {:>8} {:>6} {:>8}".format("allred.", "eff.", "speedup") * len(NETWORKS)
    print(sub)
    print("-" * len(sub))
    for p in ranks:
        line = f"{p:7d}"
        for _, bw, lat in NETWORKS:
            t_ar = ring_allreduce(p, nbytes, bw, lat) + (pack if p > 1 else 0.0)
            eff = t_step / (t_step + t_ar)
            line += f" | {t_ar * 1e3:6.2f}ms {eff:6.0%} {p * eff:7.1f}x"
        print(line)
    print()
    print("allred. = 2(p−1)/p·S/β + 2(p−1)·α + packing; eff. = compute/(compute + allred.); "
          "speedup = p·eff. vs one rank")
    print("β, α per network: " + "; ".join(f"{n}: {bw / 1e9:g} GB/s, {lat * 1e6:g} µs"
                                           for n, bw, lat in NETWORKS))


if __name__ == "__main__":
    main()
