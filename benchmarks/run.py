"""Training throughput of retrograd vs PyTorch, real Keras 3 and NumPy by hand (issues 7, 20).

    python benchmarks/run.py [--workloads logreg,mlp,online,deep,keras-fit]
                             [--reps 5] [--quick] [--threads 1,2]
    python benchmarks/run.py --workloads mnist-net,lenet5,keras-convnet   # the CNNs

The convolutional networks (issue 16) are ``benchmarks/cnn.py``'s workloads: named
here, they are handed to it, once per thread count of ``--threads`` (its table: the
same initial weights and batches for retrograd and PyTorch, samples/s, peak memory,
loss curves, and the share of the step retrograd spends in its convolutions' GEMMs).

Every framework trains, in the same run, on the same MNIST data (in memory, fixed
order, pixels scaled to [0, 1]) from the same initial weights with the same recipe
(plain SGD on the softmax cross-entropy): retrograd (nn + optim; retrograd.keras's
``fit`` for keras-fit), PyTorch, real Keras 3's ``Sequential.fit`` on its PyTorch
backend (logreg and mlp, when ``keras`` is installed; keras-fit is compared with
the mlp's) and a hand-written NumPy loop (every workload).
Each (workload, framework) runs in a fresh child process, so that its peak memory
(the growth of the resident set while it trains) is measured alone. The table gives
samples/s (median of the repetitions), the ratios to PyTorch, NumPy and Keras, the
roofline (samples/s if every FLOP ran at the machine's float32 GEMM rate, measured
in the same run), peak memory and the test accuracy reached. Every framework runs
with each thread count of ``--threads`` (its BLAS threads for retrograd and NumPy,
``torch.set_num_threads`` for PyTorch and Keras) and keeps its fastest.

MNIST is read from ``--data DIR``, else ``$RETROGRAD_DATA/mnist``, else
``../shared/data/mnist`` beside the project. This environment may set OPENBLAS_CORETYPE, which makes
NumPy's OpenBLAS use an older kernel; the table header says which kernel runs.
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

HERE = os.path.dirname(os.path.abspath(__file__))

# name: layer sizes, activation, batch size, learning rate, samples per repetition,
# and which API trains it. The recipe is plain SGD on the softmax cross-entropy.
WORKLOADS = {
    "logreg": dict(sizes=(784, 10), act=None, batch=128, lr=0.1, samples=60000),
    "mlp": dict(sizes=(784, 512, 512, 10), act="relu", batch=128, lr=0.1, samples=60000),
    # The course's online SGD: one sample per step (a smaller step size, as usual).
    "online": dict(sizes=(784, 512, 512, 10), act="relu", batch=1, lr=0.01, samples=4000),
    # The course's initialisation slides: 10 layers of 500 tanh units.
    "deep": dict(sizes=(784,) + (500,) * 10 + (10,), act="tanh", batch=128, lr=0.05,
                 samples=30000),
    "keras-fit": dict(sizes=(784, 512, 512, 10), act="relu", batch=128, lr=0.1,
                      samples=60000, api="keras"),
}
CNN_WORKLOADS = ("mnist-net", "lenet5", "keras-convnet")     # benchmarks/cnn.py's
QUICK_SAMPLES = {"logreg": 4096, "mlp": 2048, "online": 200, "deep": 1024, "keras-fit": 2048}
# The workloads that real Keras 3 trains too (keras-fit is compared with the mlp's row).
KERAS_WORKLOADS = ("logreg", "mlp")


def flops_per_sample(sizes):
    """FLOPs of one training sample: forward 2·in·out per layer, backward twice
    that (∂W and ∂x), except the first layer's ∂x, which nobody needs."""
    layers = [i * o for i, o in zip(sizes[:-1], sizes[1:])]
    return 2 * sum(layers) + 2 * sum(layers) + 2 * sum(layers[1:])


# -- data -------------------------------------------------------------------------

def mnist_dir(arg=None):
    if arg:
        return arg
    root = os.environ.get("RETROGRAD_DATA") or os.path.join(HERE, "..", "..", "shared", "data")
    return os.path.normpath(os.path.join(root, "mnist"))


def load_mnist(directory):
    """(x_train, y_train, x_test, y_test): float32 (N, 784) in [0, 1], int64 labels."""
    from retrograd.datasets import mnist  # checks the files' SHA-256 too
    (xtr, ytr), (xte, yte) = mnist.load_data(path=directory, download=False)

    def prep(x):
        return (x.reshape(len(x), -1).astype(np.float32) / np.float32(255))

    return prep(xtr), ytr.astype(np.int64), prep(xte), yte.astype(np.int64)


def initial_weights(sizes, seed=0):
    """The course's "Glorot" initialisation W ~ N(0, 1)/√fan_in, zero biases; W of
    shape (out, in). The same arrays start every framework."""
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32),
             np.zeros(o, np.float32)) for i, o in zip(sizes[:-1], sizes[1:])]


def sgd_loop(step, batch):
    """One pass over (x, y) in consecutive mini-batches of ``batch`` samples."""
    def fit_pass(x, y):
        for i in range(0, len(x), batch):
            step(x[i:i + batch], y[i:i + batch])
    return fit_pass


# -- the frameworks ------------------------------------------------------------------

def retrograd_model(act, weights):
    """nn.Sequential of Linear layers starting from ``weights`` [(W (out, in), b)], with
    ``act`` ("relu", "tanh" or None) between them (gpu_bench.py's model too)."""
    from retrograd import nn
    layers = []
    for k, (W, b) in enumerate(weights):
        lin = nn.Linear(W.shape[1], W.shape[0])
        lin.weight.array[...] = W
        lin.bias.array[...] = b
        layers.append(lin)
        if act and k < len(weights) - 1:
            layers.append(nn.ReLU() if act == "relu" else nn.Tanh())
    return nn.Sequential(*layers)


def torch_model(act, weights):
    """The same model in PyTorch, from the same arrays."""
    import torch
    layers = []
    for k, (W, b) in enumerate(weights):
        lin = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if act and k < len(weights) - 1:
            layers.append(torch.nn.ReLU() if act == "relu" else torch.nn.Tanh())
    return torch.nn.Sequential(*layers)

# Each returns (fit_pass(x, y), predict(x) → logits as a NumPy array, description).

def retrograd_trainer(w):
    import retrograd as rg
    weights = initial_weights(w["sizes"])
    if w.get("api") == "keras":
        return keras_trainer(w, weights)
    from retrograd import optim
    from retrograd.nn import functional as F

    model = retrograd_model(w["act"], weights)
    opt = optim.SGD(model.parameters(), lr=w["lr"])

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(rg.from_numpy(x)), rg.from_numpy(y))
        loss.backward()
        opt.step()

    def predict(x):
        with rg.no_grad():
            return model(rg.from_numpy(x)).numpy()

    return sgd_loop(step, w["batch"]), predict, "nn.Sequential + optim.SGD"


def keras_fit(keras, w, weights):
    """``fit_pass`` and ``predict`` of a Keras ``Sequential`` of Dense layers (``w["act"]``
    but the last) from the shared initial weights, SGD, SparseCategoricalCrossentropy
    from logits, ``shuffle=False``: the same code for retrograd.keras and real Keras."""
    act = w["act"]
    layers = [keras.layers.Dense(W.shape[0], activation=act if k < len(weights) - 1 else None)
              for k, (W, _) in enumerate(weights)]
    model = keras.Sequential(layers)
    model.build((None, w["sizes"][0]))
    model.set_weights([a for W, b in weights for a in (W.T.copy(), b)])  # kernel (in, units)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=w["lr"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))

    def fit_pass(x, y):
        model.fit(x, y, batch_size=w["batch"], epochs=1, shuffle=False, verbose=0)

    def predict(x):
        return np.asarray(model.predict(x, batch_size=1000, verbose=0))

    return fit_pass, predict


def keras_trainer(w, weights):
    from retrograd import keras
    return (*keras_fit(keras, w, weights), "keras Sequential.fit")


def real_keras_trainer(w, threads):
    """Real Keras 3's ``Sequential.fit`` on its PyTorch backend (on the CPU), the model
    ``keras_trainer`` builds (``keras_fit``). The child's environment sets
    KERAS_BACKEND=torch before keras is imported (``child_env``)."""
    import torch
    import keras
    if keras.backend.backend() != "torch":
        raise RuntimeError(f"keras runs on its {keras.backend.backend()!r} backend, not "
                           "'torch': set KERAS_BACKEND=torch before importing it")
    torch.set_num_threads(threads)
    return (*keras_fit(keras, w, initial_weights(w["sizes"])),
            f"Keras {keras.__version__} Sequential.fit, torch backend, {threads} thr")


def torch_trainer(w, threads):
    import torch
    torch.set_num_threads(threads)
    model = torch_model(w["act"], initial_weights(w["sizes"]))
    opt = torch.optim.SGD(model.parameters(), lr=w["lr"])
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt.step()

    def predict(x):
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()

    return sgd_loop(step, w["batch"]), predict, f"nn.Sequential + optim.SGD, {threads} thr"


def numpy_trainer(w, checked=False):
    """A hand-written NumPy loop (written for these models only, updates through BLAS
    ger/gemm/axpy as retrograd's): what the machine allows without any framework.
    Forward s = h Wᵀ + b, then ReLU or tanh in place (none after the last layer);
    the softmax cross-entropy's gradient (ŷ − y*)/batch; backward through ReLU
    (g · [a > 0]) or tanh (g · (1 − a²), a = tanh's output); plain SGD.

    ``checked``: also what any framework must do per step that this loop skips —
    check that the labels lie in [0, C) (retrograd's error for bad labels) and
    compute the loss value, stably (mean of log Σ e^z − z_y, z = s − max s)."""
    from retrograd.backend import axpy, gemm_tn, ger
    params = [(W.copy(), b.copy()) for W, b in initial_weights(w["sizes"])]
    act, lr = w["act"], np.float32(w["lr"])
    if len(params) > 1 and act not in ("relu", "tanh"):
        raise ValueError(f"numpy_trainer: activation {act!r} is not written by hand")

    def forward(x, keep):
        h = x
        for k, (W, b) in enumerate(params):
            s = h @ W.T
            s += b
            if k < len(params) - 1:
                if act == "relu":
                    np.maximum(s, 0, out=s)
                else:
                    np.tanh(s, out=s)
            keep.append(s)
            h = s
        return h

    def step(x, y):
        hs = [x]
        if checked and (int(y.min()) < 0 or int(y.max()) >= w["sizes"][-1]):
            raise ValueError("labels out of range")
        s = forward(x, hs)
        s -= s.max(axis=1, keepdims=True)      # ŷ − y*, divided by the batch size
        rows = np.arange(len(y))
        if checked:
            z_y = s[rows, y]
        np.exp(s, out=s)
        total = s.sum(axis=1, keepdims=True)
        if checked:
            float((np.log(total[:, 0]) - z_y).mean())     # the loss value
        s /= total
        s[rows, y] -= 1
        s /= len(y)
        g = s
        for k in range(len(params) - 1, -1, -1):
            W, b = params[k]
            a = hs[k]
            gb = g.sum(axis=0)
            gnext = g @ W if k else None     # with W before its update
            if len(g) == 1:
                ger(-lr, g[0].copy(), a[0].copy(), W)   # W -= lr g aᵀ in one pass
            else:
                gemm_tn(-lr, g, a, W)                   # W -= lr gᵀ a in one pass
            axpy(-lr, gb, b)
            if k:
                g = gnext
                if act == "relu":
                    g *= a > 0
                else:
                    g *= 1 - a * a

    return sgd_loop(step, w["batch"]), lambda x: forward(x, []), "hand-written NumPy loop"


# -- one child process: one workload on one framework --------------------------------

def _proc_status(key):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_peak_memory():
    """Restart the kernel's resident-set high-water mark here (Linux ≥ 4.0), so that
    loading the data does not count. Returns the resident set size now (bytes)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return None
    return _proc_status("VmRSS")


def preload(framework):
    """Import the framework before the memory baseline: its import is not training."""
    names = {"pytorch": ["torch"], "numpy": [], "keras": ["torch", "keras"]}.get(
        framework, ["retrograd", "retrograd.nn", "retrograd.optim", "retrograd.keras"])
    for name in names:
        try:
            __import__(name)
        except ImportError:
            pass


def child(args):
    """Serve one (workload, framework, threads): build and warm up the model, then
    train one repetition per "rep" line read from stdin, printing its rate; at
    "done", print the peak memory and the test accuracy. Every reply is one JSON
    line. The parent alternates the repetitions of all the children of a workload,
    so that a change of load on the machine hits every framework alike."""
    w = dict(WORKLOADS[args.workload])
    if args.quick:
        w["samples"] = QUICK_SAMPLES[args.workload]
    if args.tune_malloc:
        # The setting docs/performance.md recommends to users, applied to every
        # framework alike: it is a property of the process, like the thread count.
        from retrograd.backend import tune_malloc
        tune_malloc()
    arrays = np.load(os.path.join(args.child_data, "mnist.npz"))
    x, y, xt, yt = (arrays[k] for k in ("x", "y", "xt", "yt"))
    if args.framework == "keras":
        os.environ.update(KERAS_ENV)      # before keras is imported (child_env sets it too)
    preload(args.framework)
    base = reset_peak_memory()
    try:
        if args.framework == "pytorch":
            fit_pass, predict, desc = torch_trainer(w, args.thr)
        elif args.framework == "keras":
            fit_pass, predict, desc = real_keras_trainer(w, args.thr)
        elif args.framework == "numpy":
            fit_pass, predict, desc = numpy_trainer(w)
        else:
            fit_pass, predict, desc = retrograd_trainer(w)
    except ImportError as e:  # the framework is not installed: its row says n/a
        return reply({"error": f"n/a ({type(e).__name__}: {e})"})
    if args.framework not in TORCH_THREADED:
        desc += f", BLAS {blas_threads()} thr"
    n, b = w["samples"], w["batch"]
    # Warm-up, untimed, for every framework alike: first allocations, and Keras's
    # first fit (building its train function; on the torch backend, jit_compile
    # "auto" means eager: nothing is traced or compiled later).
    fit_pass(x[:4 * b], y[:4 * b])
    reply({"ready": desc})
    r = 0
    for line in sys.stdin:
        if line.strip() != "rep":
            break
        start = (r * n) % len(x)
        if start + n > len(x):
            start = 0
        t0 = time.perf_counter()
        fit_pass(x[start:start + n], y[start:start + n])
        reply({"rate": n / (time.perf_counter() - t0)})
        r += 1
    peak = _proc_status("VmHWM")
    mem = None if base is None or peak is None else (peak - base) / 2**20
    correct = 0
    for i in range(0, len(xt), 1000):
        correct += int((predict(xt[i:i + 1000]).argmax(axis=1) == yt[i:i + 1000]).sum())
    reply({"mem_mb": mem, "acc": correct / len(xt), "desc": desc})


def reply(obj):
    print(json.dumps(obj), flush=True)


def blas_threads():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "?"
    return max((p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"),
               default="?")


def gemm_child(args):
    """float32 GEMM rate (GFLOP/s) of NumPy and PyTorch on a large square product."""
    n = 512 if args.quick else 1024
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)

    def rate(f):
        f()
        best = min(_timed(f) for _ in range(5 if args.quick else 20))
        return 2 * n ** 3 / best / 1e9

    out = {"n": n, "steps": {}}
    from threadpoolctl import threadpool_limits
    for t in args.thread_list:
        with threadpool_limits(t, user_api="blas"):
            out[f"numpy/{t}thr"] = rate(lambda: a @ b)
            for name in args.gemm_workloads:
                step = workload_gemms(WORKLOADS[name], rng)
                if step is not None:
                    step()
                    best = min(_timed(step) for _ in range(3 if args.quick else 10))
                    out["steps"][name] = max(out["steps"].get(name, 0),
                                             WORKLOADS[name]["batch"] / best)
    try:
        import torch
    except ImportError:
        pass
    else:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        for t in args.thread_list:
            torch.set_num_threads(t)
            out[f"torch/{t}thr"] = rate(lambda: ta @ tb)
    print(json.dumps(out))


def workload_gemms(w, rng):
    """The matrix products of one training step of ``w``, as retrograd and PyTorch
    compute them (weights W of shape (out, in)): forward x Wᵀ, backward g W (not
    for the first layer) and gᵀ x. None at batch size one, where there is no GEMM
    (matrix-vector products and a rank-one update, bound by memory traffic)."""
    b = w["batch"]
    if b == 1:
        return None
    sizes = w["sizes"]
    ws = [rng.random((o, i), dtype=np.float32) for i, o in zip(sizes[:-1], sizes[1:])]
    xs = [rng.random((b, i), dtype=np.float32) for i in sizes[:-1]]
    gs = [rng.random((b, o), dtype=np.float32) for o in sizes[1:]]

    def step():
        for k, (W, x, g) in enumerate(zip(ws, xs, gs)):
            x @ W.T
            if k:
                g @ W
            np.dot(g.T, x)
    return step


def _timed(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


# -- the parent: machine description, children, table --------------------------------

def machine():
    lines = []
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")),
                         "?")
    except OSError:
        model = "?"
    lines.append(f"CPU: {model}, {os.cpu_count()} logical cores; "
                 f"load average {os.getloadavg()[0]:.2f} at start")
    lines.append(f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
    try:
        from threadpoolctl import threadpool_info
        for p in threadpool_info():
            if p.get("user_api") == "blas":
                lines.append(f"NumPy BLAS: {p['internal_api']} {p.get('version')} kernel "
                             f"{p.get('architecture')}, {p['num_threads']} threads")
    except ImportError:
        lines.append("NumPy BLAS: (install threadpoolctl to report it)")
    core = os.environ.get("OPENBLAS_CORETYPE")
    if core:
        lines.append(f"note: OPENBLAS_CORETYPE={core} is set: OpenBLAS uses that kernel "
                     "(unset it, with OPENBLAS_L2_SIZE, to let it pick the CPU's own)")
    try:
        import torch
        blas = "MKL" if torch.backends.mkl.is_available() else "?"
        lines.append(f"PyTorch {torch.__version__} (BLAS: {blas}), "
                     f"{torch.get_num_threads()} threads by default")
    except ImportError:
        lines.append("PyTorch: not installed")
    return lines


def run_child(argv, threads=None, timeout=600):
    """Run this script on ``argv`` in a fresh process; its last output line is JSON.

    ``threads`` sets the BLAS thread count through the environment, so that it
    holds for every BLAS library the child loads, whenever it loads it."""
    cmd = [sys.executable, os.path.abspath(__file__)] + argv
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       env=child_env(threads))
    last = p.stdout.strip().splitlines()[-1:] if p.stdout.strip() else []
    if p.returncode != 0 or not last:
        err = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"failed: {err[:100]}"}
    return json.loads(last[0])


def child_env(threads, framework=None):
    env = dict(os.environ)
    if threads:
        env.update({k: str(threads) for k in BLAS_THREAD_VARS})
    if framework == "keras":
        env.update(KERAS_ENV)
    return env


# Real Keras 3 runs on PyTorch, on the CPU as every other row (Keras would take a GPU).
KERAS_ENV = {"KERAS_BACKEND": "torch", "KERAS_TORCH_DEVICE": "cpu"}
# The frameworks whose thread count is torch.set_num_threads, not the BLAS variables.
TORCH_THREADED = ("pytorch", "keras")


class Server:
    """A child process serving one (workload, framework, threads); see ``child``.
    It starts at once; ``wait_ready`` waits for its model to be built and warmed up
    (so the children of a group import and warm up side by side: nothing is timed
    before every one of them is ready)."""

    def __init__(self, argv, threads, framework=None):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__)] + argv,
            env=child_env(threads, framework),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.rates, self.result = [], {"error": "not ready"}

    def wait_ready(self):
        self.result = self.ask(None)

    def ask(self, command):
        try:
            if command is not None:
                self.proc.stdin.write(command + "\n")
                self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            err = (self.proc.stderr.read().strip().splitlines() or ["?"])[-1]
            self.proc.wait()
            return {"error": f"failed: {err[:100]}"}
        return json.loads(line)

    @property
    def alive(self):
        return "error" not in self.result

    def rep(self):
        r = self.ask("rep")
        if "rate" in r:
            self.rates.append(r["rate"])
        else:
            self.result = r

    def finish(self):
        if self.alive:
            self.result = self.ask("done")
            self.result["rates"] = self.rates
            self.proc.stdin.close()
            self.proc.wait()
        return self.result


BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def fastest(results):
    """The result with the highest median rate (or the first error)."""
    ok = [r for r in results if "rates" in r]
    return max(ok, key=lambda r: statistics.median(r["rates"])) if ok else results[0]


def torch_installed():
    import importlib.util
    return importlib.util.find_spec("torch") is not None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated, among " + ", ".join(WORKLOADS))
    ap.add_argument("--reps", type=int, default=None, help="repetitions (default 5; 1 with --quick)")
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    ap.add_argument("--threads", default="1,2",
                    help="thread counts to try, the fastest is kept (default 1,2)")
    ap.add_argument("--data", default=None, help="MNIST directory")
    ap.add_argument("--no-numpy-ref", action="store_true",
                    help="skip the hand-written NumPy reference rows")
    ap.add_argument("--no-keras", action="store_true",
                    help="skip real Keras 3's rows (logreg, mlp)")
    ap.add_argument("--no-tune-malloc", dest="tune_malloc", action="store_false",
                    help="keep glibc's default allocator thresholds in the children "
                         "(by default every child calls retrograd.backend.tune_malloc())")
    # internal: run one measurement in this (child) process
    ap.add_argument("--child", nargs=2, metavar=("WORKLOAD", "FRAMEWORK"), help=argparse.SUPPRESS)
    ap.add_argument("--child-data", help=argparse.SUPPRESS)
    ap.add_argument("--gemm", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--tune-malloc", dest="tune_malloc", action="store_true",
                    help=argparse.SUPPRESS)
    ap.add_argument("--thr", type=int, default=1, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.reps = args.reps or (1 if args.quick else 5)
    args.thread_list = [int(t) for t in args.threads.split(",")]
    args.gemm_workloads = [n.strip() for n in args.workloads.split(",")
                           if n.strip() in WORKLOADS]
    if args.gemm:
        return gemm_child(args)
    if args.child:
        args.workload, args.framework = args.child
        return child(args)

    names = [n.strip() for n in args.workloads.split(",") if n.strip()]
    cnns = [n for n in names if n in CNN_WORKLOADS]
    names = [n for n in names if n not in CNN_WORKLOADS]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; expected some of "
                 f"{list(WORKLOADS) + list(CNN_WORKLOADS)}")
    for t in args.thread_list if cnns else ():
        subprocess.run([sys.executable, os.path.join(HERE, "cnn.py"), "--workloads",
                        ",".join(cnns), "--threads", str(t)] +
                       (["--quick"] if args.quick else []) +
                       ([] if args.tune_malloc else ["--no-tune-malloc"]) +
                       (["--data", args.data] if args.data else []), check=True)
    if not names:
        return
    t_start = time.perf_counter()
    for line in machine():
        print(line, flush=True)
    print("allocator: " + ("retrograd.backend.tune_malloc() called in every child process, "
                           "PyTorch's included (the setting docs/performance.md recommends)"
                           if args.tune_malloc else "glibc's defaults (--no-tune-malloc)"))
    common = (["--quick"] if args.quick else []) + ["--reps", str(args.reps)] + \
        (["--tune-malloc"] if args.tune_malloc else [])
    gemm = [run_child(["--gemm", "--threads", args.threads, "--workloads", args.workloads]
                      + common)]
    print_gemm(gemm[0])

    data = load_mnist(mnist_dir(args.data))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(os.path.join(tmp, "mnist.npz"), x=data[0], y=data[1], xt=data[2], yt=data[3])
        del data
        base = ["--child-data", tmp] + common
        for group in groups(names, torch_installed(), not args.no_numpy_ref,
                            not args.no_keras):
            print("... " + ", ".join(f"{n} {fw}" for n, fw in group), file=sys.stderr, flush=True)
            servers = {(name, fw, t): Server(["--child", name, fw, "--thr", str(t)] + base,
                                             threads=None if fw in TORCH_THREADED else t,
                                             framework=fw)
                       for name, fw in group for t in args.thread_list}
            for server in servers.values():
                server.wait_ready()
            for _ in range(args.reps):
                for server in servers.values():
                    if server.alive:
                        time.sleep(0.2)  # let the last one's BLAS threads stop spinning
                        server.rep()
            done = {key: server.finish() for key, server in servers.items()}
            for name, fw in group:
                results[name, fw] = fastest([done[name, fw, t] for t in args.thread_list])
    # The load may change during the run: the GEMM rate is measured again at the
    # end, and the roofline takes the fastest measurement (the machine's limit).
    # A --quick run (a smoke test) measures it once.
    if not args.quick:
        gemm.append(run_child(["--gemm", "--threads", args.threads,
                               "--workloads", args.workloads] + common))
        print_gemm(gemm[1], "again at the end")
    rates = [v for g in gemm for k, v in g.items() if k.startswith(("numpy", "torch"))]
    bounds = {}
    for g in gemm:
        for name, v in g.get("steps", {}).items():
            bounds[name] = max(bounds.get(name, 0), v)
    print_table(names, results, max(rates) * 1e9 if rates else None, args, bounds)
    print(f"(whole run: {time.perf_counter() - t_start:.0f} s)")


def groups(names, have_torch, numpy_ref, keras=True):
    """The (workload, framework) pairs whose repetitions alternate. keras-fit runs
    in the mlp's group (the mlp's rows, run even when the mlp was not asked for,
    are its references: retrograd's plain loop, PyTorch, real Keras, NumPy).
    Real Keras's rows are asked for even when keras is not installed: its child
    then answers why, and the row says n/a with that reason."""
    out = []
    for name in names:
        if name == "keras-fit":
            if "mlp" in names:
                continue                               # in the mlp's group
            name = "mlp"
        group = [(name, "retrograd")]
        if have_torch:
            group.append((name, "pytorch"))
        if keras and name in KERAS_WORKLOADS:
            group.append((name, "keras"))
        if numpy_ref:
            group.append((name, "numpy"))
        if name == "mlp" and "keras-fit" in names:
            group.append(("keras-fit", "retrograd"))
        out.append(group)
    return out


def print_gemm(g, when=""):
    rates = {k: v for k, v in g.items() if k.startswith(("numpy", "torch"))}
    if not rates:
        print(f"float32 GEMM: {g.get('error', '?')}")
        return
    print(f"float32 GEMM {g['n']}³ in GFLOP/s{' ' + when if when else ''}: " + ", ".join(
        f"{k} {v:.0f}" for k, v in rates.items()), flush=True)


LABELS = {"numpy": "numpy-ref", "keras": "keras3"}
# retrograd's rows must reach this share of the hand-written NumPy loop (issue 20).
NUMPY_TARGET = 0.95
# Rows of one workload whose test accuracies differ by more than this are flagged:
# the same recipe from the same weights on the same data should not.
ACC_TOLERANCE = 0.01


def reference(name):
    """The workload whose other frameworks' rows ``name``'s rows are compared with."""
    return "mlp" if name == "keras-fit" else name


def print_table(names, results, peak_rate, args, bounds=None):
    hdr = (f"{'workload':10} {'framework':10} {'samples/s':>10} {'vs PyTorch':>10} "
           f"{'vs NumPy':>8} {'vs Keras':>8} {'roofline':>9} {'of roofl.':>9} "
           f"{'peak MB':>8} {'test acc':>8}  how")
    print()
    print(hdr)
    print("-" * len(hdr))

    def rate(name, fw):
        r = results.get((name, fw))
        return statistics.median(r["rates"]) if r and "rates" in r else None

    def ratio(med, fw, ref_fw, ref_name, width):
        ref = rate(ref_name, ref_fw)
        return f"{med / ref:.2f}x".rjust(width) if ref and fw != ref_fw else " " * width

    shown = list(dict.fromkeys(names + [n for n, _ in results]))
    for name in shown:
        w = WORKLOADS[name]
        ref = reference(name)
        roof = peak_rate / flops_per_sample(w["sizes"]) if peak_rate else None
        for fw in ("retrograd", "pytorch", "keras", "numpy"):
            r = results.get((name, fw))
            if r is None:
                continue
            label = LABELS.get(fw, fw)
            if "rates" not in r:
                print(f"{name:10} {label:10} {r['error']}")
                continue
            med = statistics.median(r["rates"])
            ratios = " ".join((ratio(med, fw, "pytorch", ref, 10), ratio(med, fw, "numpy", ref, 8),
                               ratio(med, fw, "keras", ref, 8)))
            roof_s = f"{roof:9.0f} {med / roof:9.0%}" if roof else f"{'n/a':>9} {'':>9}"
            mem = f"{r['mem_mb']:8.1f}" if r.get("mem_mb") is not None else f"{'n/a':>8}"
            print(f"{name:10} {label:10} {med:10.0f} {ratios} {roof_s} {mem} "
                  f"{r['acc']:8.2%}  {r['desc']}")
    print()
    print(f"samples/s: median of {args.reps} repetition(s), alternating between the rows of "
          "a workload (online: batch 1, so steps/s);")
    print("'vs X' = the row's samples/s ÷ framework X's on the same workload (keras-fit: ÷ the "
          "mlp's rows); every framework with its fastest thread count;")
    print("keras3 = real Keras 3's Sequential.fit on its PyTorch backend (CPU), the same layers, "
          "weights, data order and SGD recipe;")
    print("roofline = fastest GEMM rate ÷ FLOPs per sample (forward 2·in·out per layer, "
          "backward twice that, minus the first layer's input gradient);")
    print("peak MB = growth of the resident set (VmHWM) while building and training, "
          "each row in a fresh process")
    keras, plain = rate("keras-fit", "retrograd"), rate("mlp", "retrograd")
    if keras and plain:
        print(f"keras-fit ÷ retrograd's plain mlp loop: {keras / plain:.2f} (target ≥ 0.90)")
    quote = []
    for name in shown:
        rg, real = rate(name, "retrograd"), rate(reference(name), "keras")
        if rg and real:
            what = "retrograd.keras fit" if name == "keras-fit" else "plain loop"
            quote.append(f"{name} ({what}) {rg / real:.2f}")
    if quote:
        print("retrograd ÷ real Keras 3 fit: " + ", ".join(quote))
    quote = []
    for name in shown:
        rg, ref = rate(name, "retrograd"), rate(reference(name), "numpy")
        if rg and ref:
            quote.append(f"{name} {rg / ref:.2f}{'' if rg / ref >= NUMPY_TARGET else ' (BELOW)'}")
    if quote:
        print(f"retrograd ÷ hand-written NumPy loop (issue 20: every workload ≥ {NUMPY_TARGET}): "
              + ", ".join(quote))
    for name in shown:
        accs = {LABELS.get(fw, fw): r["acc"] for (n, fw), r in results.items()
                if n == name and "acc" in r}
        if len(accs) > 1 and max(accs.values()) - min(accs.values()) > ACC_TOLERANCE:
            print(f"note: {name}'s test accuracies differ by more than {ACC_TOLERANCE:.0%} ("
                  + ", ".join(f"{k} {v:.2%}" for k, v in accs.items())
                  + "): the recipes may differ")
    # What the roofline cannot show: a step's GEMMs have the shapes of its layers
    # (128 rows), which no BLAS runs at its 1024³ rate. Timing them alone, in NumPy,
    # gives the ceiling of any NumPy framework on this machine.
    if bounds and peak_rate:
        print("the step's GEMMs alone (x Wᵀ, g W, gᵀ x of every layer at the workload's "
              "shapes, NumPy, fastest thread count):")
        for name in names:
            if name in bounds:
                b = bounds[name]
                roof = peak_rate / flops_per_sample(WORKLOADS[name]["sizes"])
                rg = rate(name, "retrograd")
                got = f"; retrograd runs at {rg / b:.0%} of it" if rg else ""
                print(f"  {name:9} {b:10.0f} samples/s = {b / roof:.0%} of the roofline{got}")


if __name__ == "__main__":
    main()
