"""Training throughput on a GPU: retrograd (CuPy) vs PyTorch CUDA, in the same run.

    python benchmarks/gpu_bench.py [--device cuda] [--workloads mlp,deep]
                                   [--batches 128,1024] [--reps 3] [--quick]

The course's MLP (784-512-512-10, ReLU) and deep net (784, 10 × 500 tanh, 10), trained
by plain SGD on the softmax cross-entropy from the same initial weights, float32 (no
TF32: CuPy and PyTorch both default to full float32 matrix products). The training set
lives on the device for both frameworks and batches are slices of it, so the table
compares the frameworks, not the PCIe link. Each figure is the median over ``--reps``
passes of ``samples`` samples, timed between two device synchronisations, after a
warm-up that compiles CuPy's kernels. ``--device cpu`` runs the same script on the CPU
(NumPy, and PyTorch on the CPU), to check it anywhere.

MNIST is read from ``--data``, ``$RETROGRAD_DATA/mnist`` or ``../shared/data/mnist`` beside the checkout;
without it the script uses random data of MNIST's shape (the speed does not depend on
the values; the accuracy column then says so).
"""
import argparse
import os
import statistics
import sys
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))  # the checkout, installed or not
sys.path.insert(0, HERE)
import cnn  # noqa: E402  (the CNN benchmark: its networks and initial weights)
import run  # noqa: E402  (the CPU benchmark: its data loading, initial weights, models)

WORKLOADS = {
    "mlp": dict(sizes=(784, 512, 512, 10), act="relu", lr=0.1, samples=60000),
    "deep": dict(sizes=(784,) + (500,) * 10 + (10,), act="tanh", lr=0.05, samples=30000),
    # The convolutional networks of benchmarks/cnn.py (issue 16): images (N, 1, 28, 28).
    "mnist-net": dict(cnn="mnist-net", lr=0.01, samples=12800),
    "lenet5": dict(cnn="lenet5", lr=0.01, samples=30000),
}
TARGET = ("mlp", 1024, 0.8)  # issue 9: ≥ 0.8× PyTorch CUDA on the MLP at batch 1024


def load_data(directory, random_data=False, n=60000):
    """(x, y, x_test, y_test, source): float32 (N, 784) in [0, 1] and int64 labels;
    random data of MNIST's shape when asked for or when MNIST is not found."""
    d = run.mnist_dir(directory)
    if not random_data and os.path.isdir(d):
        return (*run.load_mnist(d), f"MNIST ({d})")
    rng = np.random.default_rng(0)
    x = rng.random((n, 784), dtype=np.float32)
    xt = rng.random((n // 6, 784), dtype=np.float32)
    why = "asked for" if random_data else "MNIST not found"
    return (x, rng.integers(0, 10, n), xt, rng.integers(0, 10, n // 6),
            f"random data of MNIST's shape ({why})")


# -- the two frameworks: each returns (step(i, batch), predict(x_test) → labels, sync) ----

def _images(x, w):
    """The CNNs take (N, 1, 28, 28) images, the MLPs (N, 784) vectors."""
    return x.reshape(len(x), 1, 28, 28) if w.get("cnn") else x


def retrograd_trainer(w, weights, x, y, device):
    import retrograd as rg
    from retrograd import backend, optim
    from retrograd.nn import functional as F
    if w.get("cnn"):     # ends in log-softmax: the loss is nll
        model = cnn.build(rg.nn, w["cnn"])
        model.load_state_dict({k: rg.tensor(v) for k, v in weights.items()})
        model, loss_fn = model.to(device), F.nll_loss
    else:
        model, loss_fn = run.retrograd_model(w["act"], weights).to(device), F.cross_entropy
    opt = optim.SGD(model.parameters(), lr=w["lr"])
    xp = backend.module_for(device)
    xd, yd = xp.asarray(_images(x, w)), xp.asarray(y)

    def step(i, batch):
        opt.zero_grad()
        loss = loss_fn(model(rg.Tensor._wrap(xd[i:i + batch])),
                       rg.Tensor._wrap(yd[i:i + batch]))
        loss.backward()
        opt.step()

    def predict(xt):
        with rg.no_grad():
            return model(rg.Tensor._wrap(xp.asarray(_images(xt, w)))).numpy().argmax(axis=1)

    def sync():
        if xp is not np:
            xp.cuda.Device().synchronize()

    return step, predict, sync


def torch_trainer(w, weights, x, y, device):
    import torch
    dev = torch.device(device)
    if w.get("cnn"):
        model = cnn.build(torch.nn, w["cnn"])
        model.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
        model, loss_fn = model.to(dev), torch.nn.NLLLoss()
    else:
        model, loss_fn = run.torch_model(w["act"], weights).to(dev), torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=w["lr"])
    xd, yd = torch.from_numpy(_images(x, w)).to(dev), torch.from_numpy(y).to(dev)

    def step(i, batch):
        opt.zero_grad()
        loss_fn(model(xd[i:i + batch]), yd[i:i + batch]).backward()
        opt.step()

    def predict(xt):
        with torch.no_grad():
            return model(torch.from_numpy(_images(xt, w)).to(dev)).argmax(dim=1).cpu().numpy()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    return step, predict, sync


def measure(trainer, w, batch, data, device, reps):
    x, y, xt, yt = data
    weights = cnn.initial_weights(w["cnn"]) if w.get("cnn") else run.initial_weights(w["sizes"])
    step, predict, sync = trainer(w, weights, x, y, device)
    n = min(w["samples"], len(x)) // batch * batch
    for i in range(0, 8 * batch, batch):  # warm-up: kernel compilation, allocator pools
        step(i % (len(x) - batch), batch)
    sync()
    rates = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            step(i, batch)
        sync()
        rates.append(n / (time.perf_counter() - t0))
    acc = float((predict(xt) == yt).mean())
    return statistics.median(rates), acc


def describe(device):
    lines = [f"Python {sys.version.split()[0]}, NumPy {np.__version__}"]
    if device == "cuda":
        import cupy
        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        lines.append(f"GPU: {name}, {props['totalGlobalMem'] / 2**30:.0f} GiB; CuPy "
                     f"{cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}")
    try:
        import torch
        lines.append(f"PyTorch {torch.__version__}, CUDA {torch.version.cuda}, "
                     f"GPU usable: {torch.cuda.is_available()}")
    except ImportError:
        lines.append("PyTorch: not installed")
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--workloads", default="mlp,deep")
    ap.add_argument("--batches", default="128,1024")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="a few steps only: a smoke test")
    ap.add_argument("--data", default=None, help="MNIST directory")
    ap.add_argument("--random-data", action="store_true",
                    help="random inputs and labels of MNIST's shape instead of MNIST")
    args = ap.parse_args(argv)
    names = [s for s in args.workloads.split(",") if s]
    unknown = [s for s in names if s not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; expected some of {list(WORKLOADS)}")
    batches = [int(b) for b in args.batches.split(",")]
    if args.device == "cuda":
        import retrograd as rg
        if not rg.cuda_available():
            from retrograd import backend
            try:
                backend._cupy()
            except RuntimeError as e:
                sys.exit(f"gpu_bench: {e}")
    start = time.perf_counter()
    for line in describe(args.device):
        print(line)
    x, y, xt, yt, source = load_data(args.data, args.random_data,
                                     n=8 * max(batches) if args.quick else 60000)
    print(f"data: {source}")
    data = (x, y, xt, yt)
    rows = []
    for name in names:
        w = dict(WORKLOADS[name])
        if args.quick:
            w["samples"] = 4 * max(batches)
        for batch in batches:
            row = {"workload": name, "batch": batch}
            for fw, trainer in (("retrograd", retrograd_trainer), ("pytorch", torch_trainer)):
                print(f"... {name} batch {batch} {fw}", file=sys.stderr, flush=True)
                try:
                    row[fw] = measure(trainer, w, batch, data, args.device, args.reps)
                except Exception as e:  # noqa: BLE001  (one failure must not hide the rest)
                    if fw == "retrograd" and not isinstance(e, ImportError):
                        traceback.print_exc()
                        row[fw] = f"FAILED ({type(e).__name__}: {e})"
                    else:   # no PyTorch, or one without CUDA: retrograd's rows still count
                        row[fw] = f"n/a ({type(e).__name__}: {e})"
            rows.append(row)
    print_table(rows, args, source)
    print(f"(whole benchmark: {time.perf_counter() - start:.0f} s)")
    if any(str(r["retrograd"]).startswith("FAILED") for r in rows):
        sys.exit(1)
    return rows


def print_table(rows, args, source):
    synthetic = source.startswith("random")
    hdr = (f"{'workload':9} {'batch':>5} {'retrograd/s':>12} {'pytorch/s':>12} {'ratio':>6} "
           f"{'acc rg':>7} {'acc pt':>7}")
    print()
    print(f"device: {args.device}; samples/s, median of {args.reps}; ratio = retrograd ÷ "
          "PyTorch")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        rg_, pt = r["retrograd"], r["pytorch"]
        cells = []
        for v in (rg_, pt):
            cells.append(f"{v[0]:12.0f}" if isinstance(v, tuple) else f"{'n/a':>12}")
        ratio = (f"{rg_[0] / pt[0]:6.2f}" if isinstance(rg_, tuple) and isinstance(pt, tuple)
                 else f"{'':>6}")
        accs = [f"{v[1]:7.2%}" if isinstance(v, tuple) and not synthetic else f"{'-':>7}"
                for v in (rg_, pt)]
        print(f"{r['workload']:9} {r['batch']:5d} {cells[0]} {cells[1]} {ratio} "
              f"{accs[0]} {accs[1]}")
        for fw in ("retrograd", "pytorch"):
            if isinstance(r[fw], str):
                print(f"    {fw}: {r[fw]}")
    for r in rows:
        if (r["workload"], r["batch"]) == TARGET[:2] and all(
                isinstance(r[f], tuple) for f in ("retrograd", "pytorch")):
            ratio = r["retrograd"][0] / r["pytorch"][0]
            verdict = "met" if ratio >= TARGET[2] else "NOT met"
            print(f"target: mlp batch 1024 ≥ {TARGET[2]}× PyTorch on {args.device}: "
                  f"{ratio:.2f}× ({verdict})")
    if synthetic:
        print("accuracy not shown: random data")


if __name__ == "__main__":
    main()
