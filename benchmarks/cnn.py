"""Training throughput and peak memory of convolutional networks: retrograd vs PyTorch
(issue 16).

    python benchmarks/cnn.py [--workloads mnist-net,lenet5,keras-convnet] [--steps 40]
                             [--threads 2] [--random-data] [--quick] [--data DIR]
                             [--no-tune-malloc]
    python benchmarks/cnn.py --designs [--threads 2]
    python benchmarks/cnn.py --interleaved [--steps 40] [--threads 2] [--random-data]

Workloads, plain SGD (lr 0.01) on the negative log-likelihood of a log-softmax,
batch 64 but for keras-convnet (128, as its example):

* ``mnist-net``: pytorch/examples' MNIST net — conv 1→32 3×3, ReLU, conv 32→64 3×3,
  ReLU, max-pool 2, fc 9216→128, ReLU, fc 128→10, log-softmax. Its two dropout
  layers are left out, so that both frameworks compute the same function and the
  loss curves can be compared step by step.
* ``lenet5``: conv 1→6 5×5 (padding 2), tanh, avg-pool 2, conv 6→16 5×5, tanh,
  avg-pool 2, fc 400→120, tanh, fc 120→84, tanh, fc 84→10, log-softmax.
* ``keras-convnet``: Keras's "Simple MNIST convnet" in PyTorch's layout — conv 1→32
  3×3, ReLU, max-pool 2, conv 32→64 3×3, ReLU, max-pool 2, fc 1600→10, log-softmax
  (its dropout left out as above; the example itself trains with Adam:
  ``examples/keras_mnist_convnet.py``).

Both frameworks train, in the same run, from the same initial weights (PyTorch's,
copied into retrograd) on the same batches, both made once by the parent process: MNIST from ``--data``, else
``$RETROGRAD_DATA/mnist`` (pixels scaled to [0, 1]), or normal noise with
``--random-data``. Each (workload, framework) runs in a fresh child process with
the same number of threads (``--threads``: the BLAS variables for NumPy's OpenBLAS,
``torch.set_num_threads`` for PyTorch), so its peak memory — the peak of the
resident set during training (VmHWM, reset before the first step) minus the resident
set before it — is its own.
Every process first calls ``retrograd.backend.tune_malloc()`` (PyTorch's too, as
``run.py`` does; ``--no-tune-malloc`` keeps glibc's defaults): without it each step
maps its large arrays afresh and takes a page fault per 4 KB touched, ~8,000 per
MNIST-net step in either framework on this VM.
The table gives samples/s (from the median step time, after 2 warm-up steps), the
ratio to PyTorch, the peak memory growth, the first and last losses and the largest
loss difference over the steps, then the time retrograd's step spends in its convolutions' GEMMs (OpenBLAS) —
the part no rearrangement of the rest of the step can shorten — against PyTorch's
whole step. ``--quick`` runs 6 steps per workload (< 20 s).

``--interleaved`` runs both frameworks in one process, a step of each in turn, and
prints the median step times: on a loaded machine the ratio is steadier than that of
two processes run one after the other (no memory figures in this mode).

``--designs`` times the choices behind ``ops/conv.py`` on the MNIST net's second
convolution (64×32×26×26 input, 64×32×3×3 kernel), best of 7 runs each, in one
process: a stack of per-sample GEMMs (NumPy's batched matmul) against one GEMM over
the whole batch's columns, the columns built whole or in blocks of samples
(``BLOCK_BYTES``), and PyTorch's convolution on the same arrays.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (run.py's helpers: BLAS thread variables, peak memory)

LR = 0.01
BATCHES = {"mnist-net": 64, "lenet5": 64, "keras-convnet": 128}
WORKLOADS = tuple(BATCHES)
FRAMEWORKS = ("pytorch", "retrograd")


def build(nn, workload):
    """The network in ``nn`` (torch.nn or retrograd.nn: the same names)."""
    if workload == "mnist-net":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(),
                             nn.Linear(128, 10), nn.LogSoftmax(dim=1))
    if workload == "keras-convnet":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(1600, 10), nn.LogSoftmax(dim=1))
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
                         nn.Linear(84, 10), nn.LogSoftmax(dim=1))


def data(args, steps, batch):
    """(steps·batch, 1, 28, 28) float32 images and int64 labels."""
    n = steps * batch
    if args.random_data:
        rng = np.random.default_rng(0)
        return (rng.standard_normal((n, 1, 28, 28)).astype(np.float32),
                rng.integers(0, 10, n).astype(np.int64))
    from retrograd.datasets import mnist
    where = args.data or os.path.join(os.environ.get("RETROGRAD_DATA", os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "data")), "mnist")
    (x, y), _ = mnist.load_data(data_dir=where, download=False)
    reps = -(-n // len(x))
    x = np.tile(x, (reps, 1, 1))[:n]
    y = np.tile(y, reps)[:n]
    return (x[:, None] / np.float32(255)).astype(np.float32), y.astype(np.int64)


def initial_weights(workload):
    """PyTorch's initialisation (seed 0), as NumPy arrays by state_dict key."""
    import torch
    torch.manual_seed(0)
    return {k: v.numpy().copy() for k, v in build(torch.nn, workload).state_dict().items()}


def tune(args):
    if args.tune_malloc:
        from retrograd.backend import tune_malloc
        tune_malloc()


def child(args):
    """Train one (workload, framework) and print a JSON line."""
    tune(args)
    workload, framework = args.child
    batch = BATCHES[workload]
    with np.load(args.inputs) as f:      # made once by the parent: the same for both
        x, y = f["x"], f["y"]
        weights = {k[2:]: f[k] for k in f.files if k.startswith("w:")}
    if framework == "pytorch":
        import torch
        torch.set_num_threads(args.threads)
        model = build(torch.nn, workload)
        model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        nll, tensor = torch.nn.functional.nll_loss, torch.from_numpy
    else:
        import retrograd as rg
        model = build(rg.nn, workload)
        model.load_state_dict({k: rg.tensor(v) for k, v in weights.items()})
        opt = rg.optim.SGD(model.parameters(), lr=LR)
        nll, tensor = rg.nn.functional.nll_loss, rg.tensor
        from retrograd.ops import conv as C
        gemm = C._per_group

        def timed_gemm(a, b):                # the convolutions' GEMMs, timed apart
            t = time.perf_counter()
            out = gemm(a, b)
            gemm_seconds[0] += time.perf_counter() - t
            return out
        C._per_group = timed_gemm
    gemm_seconds = [0.0]

    def step(i):
        xb, yb = tensor(x[i * batch:(i + 1) * batch]), tensor(y[i * batch:(i + 1) * batch])
        opt.zero_grad()
        loss = nll(model(xb), yb)
        loss.backward()
        opt.step()
        return float(loss.item())

    # The peak (VmHWM) restarted here, not ru_maxrss: that keeps the parent's size
    # across fork and exec, so a child of a large process would count it as its own.
    base = run.reset_peak_memory()
    losses = [step(0), step(1)]                      # warm-up
    times, gemms = [], []
    for i in range(2, args.steps):
        gemm_seconds[0] = 0.0
        t0 = time.perf_counter()
        losses.append(step(i))
        times.append(time.perf_counter() - t0)
        gemms.append(gemm_seconds[0])
    peak = run._proc_status("VmHWM")
    # Medians: one step slowed by another process does not move them.
    print(json.dumps({"samples_per_s": batch / statistics.median(times),
                      "gemm_ms": statistics.median(gemms) * 1e3,
                      "peak_mb": (peak - base) / 2**20, "losses": losses}))


def interleaved(args):
    """Both frameworks in one process, one step of each in turn, so that a change of
    the machine's load hits both alike: the median step times and their ratio."""
    import torch

    import retrograd as rg
    tune(args)
    torch.set_num_threads(args.threads)
    for workload in args.workloads.split(","):
        batch = BATCHES[workload]
        x, y = data(args, args.steps, batch)
        weights = initial_weights(workload)
        steps = {}
        for name, lib, tensor in (("pytorch", torch, torch.from_numpy),
                                  ("retrograd", rg, rg.tensor)):
            model = build(lib.nn, workload)
            model.load_state_dict({k: tensor(v.copy()) for k, v in weights.items()})
            opt = lib.optim.SGD(model.parameters(), lr=LR)

            def step(i, model=model, opt=opt, lib=lib, tensor=tensor, x=x, y=y, b=batch):
                xb = tensor(x[i * b:(i + 1) * b])
                yb = tensor(y[i * b:(i + 1) * b])
                opt.zero_grad()
                lib.nn.functional.nll_loss(model(xb), yb).backward()
                opt.step()
            steps[name] = step
        times = {name: [] for name in steps}
        for i in range(args.steps):
            for name, step in steps.items():
                t0 = time.perf_counter()
                step(i)
                if i >= 2:                            # 2 warm-up steps
                    times[name].append(time.perf_counter() - t0)
        med = {name: statistics.median(t) for name, t in times.items()}
        print(f"{workload:<10} median step: PyTorch {med['pytorch'] * 1e3:7.1f} ms, "
              f"retrograd {med['retrograd'] * 1e3:7.1f} ms; retrograd/PyTorch throughput "
              f"{med['pytorch'] / med['retrograd']:.2f} ({args.threads} threads, "
              f"{args.steps - 2} steps each)")


def designs(args):
    """Time the alternatives of ops/conv.py (see the module docstring)."""
    import torch
    tune(args)

    from retrograd.ops import conv as C
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 32, 26, 26)).astype(np.float32)
    w = rng.standard_normal((64, 32, 3, 3)).astype(np.float32)
    gy = rng.standard_normal((64, 64, 24, 24)).astype(np.float32)
    geo = C.Geometry((3, 3), (1, 1), (1, 1), ((0, 0), (0, 0)), 1)

    def best(f, n=7):
        f()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            f()
            times.append(time.perf_counter() - t0)
        return min(times) * 1e3

    cols = geo.columns(x, 24, 24)
    wm = w.reshape(64, -1)
    per_sample = cols.reshape(288, 64, 576).transpose(1, 0, 2).copy()   # (N, K, P)
    print(f"columns of the whole batch: {cols.nbytes / 2**20:.0f} MB "
          f"(the input: {x.nbytes / 2**20:.1f} MB)")
    print(f"forward GEMM, stack of 64 per-sample GEMMs (matmul):  {best(lambda: wm @ per_sample):7.1f} ms")
    print(f"forward GEMM, one GEMM over the batch:                 {best(lambda: wm @ cols[0]):7.1f} ms")
    print(f"building the columns (9 strided copies):               {best(lambda: geo.columns(x, 24, 24)):7.1f} ms")
    default = C.BLOCK_BYTES
    for block in (2**20, 4 * 2**20, 16 * 2**20, 2**40):
        C.BLOCK_BYTES = block
        f = best(lambda: C.conv_forward(x, w, geo))
        b = best(lambda: C.conv_backward(x, gy, w, geo))
        name = "whole batch" if block == 2**40 else f"{block >> 20} MB blocks"
        print(f"retrograd conv, {name:<14} forward {f:6.1f}  backward (dW, dx) {b:6.1f}  "
              f"total {f + b:6.1f} ms")
    C.BLOCK_BYTES = default
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    gyt = torch.tensor(gy)
    f = best(lambda: torch.nn.functional.conv2d(xt, wt))
    fb = best(lambda: torch.nn.functional.conv2d(xt, wt).backward(gyt))
    print(f"PyTorch conv2d ({args.threads} threads)      forward {f:6.1f}  "
          f"forward + backward {fb:6.1f} ms")


def run_child(args, workload, framework, inputs):
    env = run.child_env(args.threads)
    cmd = [sys.executable, os.path.abspath(__file__), "--child", workload, framework,
           "--steps", str(args.steps), "--threads", str(args.threads), "--inputs", inputs] + \
        ([] if args.tune_malloc else ["--no-tune-malloc"])
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900,
                       check=False)
    if p.returncode:
        raise SystemExit(f"{workload}/{framework} failed:\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--random-data", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--data")
    ap.add_argument("--designs", action="store_true")
    ap.add_argument("--interleaved", action="store_true")
    ap.add_argument("--no-tune-malloc", dest="tune_malloc", action="store_false",
                    help="keep glibc's allocator defaults (see the docstring)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--inputs", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick:
        args.steps = 6
    if args.steps < 3:
        ap.error("--steps must be at least 3 (2 are warm-up)")
    if args.child:
        return child(args)
    unknown = [w for w in args.workloads.split(",") if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; choose from {WORKLOADS}")
    if args.designs or args.interleaved:
        if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
            # NumPy's BLAS reads its thread count when first loaded: run in a child.
            env = run.child_env(args.threads)
            return subprocess.run([sys.executable, os.path.abspath(__file__)] +
                                  (argv if argv is not None else sys.argv[1:]), env=env,
                                  check=False).returncode
        return designs(args) if args.designs else interleaved(args)
    src = "random data" if args.random_data else "MNIST"
    print(f"CNN training, batch {'/'.join(str(BATCHES[w]) for w in args.workloads.split(','))}, SGD lr {LR}, {args.steps} steps ({src}), "
          f"{args.threads} threads for both frameworks")
    print(f"{'workload':<10} {'framework':<10} {'samples/s':>10} {'ratio':>6} "
          f"{'peak MB':>8} {'loss 1st':>9} {'loss last':>9} {'max |Δloss|':>11}")
    for workload in args.workloads.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            inputs = os.path.join(tmp, "inputs.npz")
            x, y = data(args, args.steps, BATCHES[workload])
            np.savez(inputs, x=x, y=y, **{f"w:{k}": v for k, v in
                                          initial_weights(workload).items()})
            rows = {fw: run_child(args, workload, fw, inputs) for fw in FRAMEWORKS}
        ref = rows["pytorch"]
        for fw, r in rows.items():
            diff = max(abs(a - b) for a, b in zip(r["losses"], ref["losses"]))
            print(f"{workload:<10} {fw:<10} {r['samples_per_s']:>10.0f} "
                  f"{r['samples_per_s'] / ref['samples_per_s']:>6.2f} {r['peak_mb']:>8.1f} "
                  f"{r['losses'][0]:>9.4f} {r['losses'][-1]:>9.4f} {diff:>11.2e}")
        step_ms = BATCHES[workload] / ref["samples_per_s"] * 1e3
        gemm_ms = rows["retrograd"]["gemm_ms"]
        print(f"{'':<10} retrograd's convolution GEMMs alone: {gemm_ms:.1f} ms per step, "
              f"{gemm_ms / step_ms:.0%} of PyTorch's whole step ({step_ms:.1f} ms)")


if __name__ == "__main__":
    main()
