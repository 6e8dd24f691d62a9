"""Smoke tests of the benchmark scripts: they run and print their tables (the
speed itself is not asserted: timings on a shared CI machine mean nothing)."""
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def run(script, *args, bench=BENCH):
    p = subprocess.run([sys.executable, str(bench / script), *args], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


def load_run():
    """benchmarks/run.py as a module (its trainers and data loading)."""
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_overhead_prints_both_cases():
    out = run("overhead.py", "--quick")
    assert "retrograd µs" in out
    for case in ("(x*y).sum()", "(A@B).sum()"):
        line = next(ln for ln in out.splitlines() if ln.startswith(case))
        assert re.search(r"\d+\.\d", line), line          # a number of µs, or more


def quick_logreg_table(mnist_dir):
    """`run.py --quick` on logreg at one thread."""
    return run("run.py", "--quick", "--workloads", "logreg", "--threads", "1",
               "--data", str(mnist_dir))


def table_row(out, workload, label):
    return next(ln for ln in out.splitlines() if ln.startswith(f"{workload:10} {label:10} "))


def accuracy(row):
    acc = re.search(r"(\d+\.\d+)%", row)
    assert acc, row
    return float(acc.group(1))


def test_run_quick_prints_the_table(mnist_dir):
    """`run.py --quick` on logreg (one run: under pytest-xdist two tests reading it
    would run it twice, ~20 s each): retrograd's row and the hand-written NumPy loop's
    with the ratio; and real Keras 3's fit (PyTorch backend) trained with the others'
    recipe from the others' weights — its test accuracy is retrograd's (a wrong recipe
    would show)."""
    out = quick_logreg_table(mnist_dir)
    assert "float32 GEMM" in out and "NumPy BLAS" in out
    row = table_row(out, "logreg", "retrograd")
    assert float(row.split()[2]) > 0
    assert accuracy(row) > 50                   # 4096 samples of SGD already learn
    # the hand-written NumPy loop runs on every workload, and the ratio is quoted
    ref = table_row(out, "logreg", "numpy-ref")
    assert abs(accuracy(ref) - accuracy(row)) <= 1, (row, ref)
    assert re.search(r"retrograd ÷ hand-written NumPy loop .*: logreg \d+\.\d\d", out), out
    if importlib.util.find_spec("keras") is None:
        pytest.skip("real Keras 3 (the keras package) is not installed: its row is not "
                    "checked")
    keras_row = table_row(out, "logreg", "keras3")
    if " n/a (" in keras_row:                   # installed, but no PyTorch backend
        pytest.skip(f"run.py skipped real Keras: {keras_row.split(None, 2)[2]}")
    assert "torch backend" in keras_row, keras_row
    assert float(keras_row.split()[2]) > 0, keras_row
    assert accuracy(keras_row) > 50 and abs(accuracy(keras_row) - accuracy(row)) <= 1, \
        (keras_row, row)
    assert re.search(r"retrograd ÷ real Keras 3 fit: logreg \(plain loop\) \d+\.\d\d",
                     out), out


def test_numpy_deep_reference_matches_retrograd(mnist_dir):
    """The hand-written NumPy loop of the deep workload (10 tanh layers of 500, backward
    by hand) is correct: from the same initial weights its loss is retrograd's before
    and after one SGD step (forward, then gradient and update), and it trains."""
    bench = load_run()
    x, y, xt, yt = bench.load_mnist(str(mnist_dir))
    w = bench.WORKLOADS["deep"]
    assert w["act"] == "tanh" and w["sizes"][1:-1] == (500,) * 10

    def loss(logits, labels):
        z = logits - logits.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(labels)), labels]))

    b = w["batch"]
    xb, yb = x[:b], y[:b]
    losses = {}
    for name, (fit_pass, predict, _) in (("numpy", bench.numpy_trainer(w)),
                                         ("retrograd", bench.retrograd_trainer(w))):
        before = loss(predict(xb), yb)
        fit_pass(xb, yb)
        losses[name] = (before, loss(predict(xb), yb))
        if name == "numpy":
            fit_pass(x[b:8 * b], y[b:8 * b])                # 7 more steps
            acc = float((predict(xt[:1000]).argmax(axis=1) == yt[:1000]).mean())
    (np0, np1), (rg0, rg1) = losses["numpy"], losses["retrograd"]
    assert np0 == pytest.approx(rg0, rel=1e-5) and np1 == pytest.approx(rg1, rel=1e-4), losses
    assert np1 < np0 - 0.05, losses                      # one step already lowers the loss
    assert acc > 0.3, acc                                # chance is 0.1


def test_checked_numpy_reference_trains_the_same_and_refuses_bad_labels(mnist_dir):
    """The NumPy loop "with checks" (the label check and the loss value every framework
    computes) takes the same steps as the bare loop, and refuses out-of-range labels."""
    bench = load_run()
    x, y, _, _ = bench.load_mnist(str(mnist_dir))
    w = dict(bench.WORKLOADS["logreg"], batch=32)
    (bare, predict_bare, _), (checked, predict_checked, _) = (
        bench.numpy_trainer(w), bench.numpy_trainer(w, checked=True))
    bare(x[:128], y[:128])
    checked(x[:128], y[:128])
    np.testing.assert_array_equal(predict_bare(x[:64]), predict_checked(x[:64]))
    bad = y[:32].copy()
    bad[3] = 10
    with pytest.raises(ValueError, match="labels"):
        checked(x[:32], bad)


def test_cnn_trains_both_frameworks_alike_and_refuses_unknown_workloads():
    """benchmarks/cnn.py (issue 16) on LeNet-5, 3 steps of random data: retrograd's and
    PyTorch's rows, from the same weights on the same batches, give the same losses; an
    unknown workload is refused before anything runs."""
    out = run("cnn.py", "--workloads", "lenet5", "--steps", "3", "--random-data",
              "--threads", "1")
    rows = {fw: table_row(out, "lenet5", fw).split() for fw in ("pytorch", "retrograd")}
    for fw, row in rows.items():
        assert float(row[2]) > 0 and float(row[4]) > 0, row    # samples/s, peak MB
    assert rows["pytorch"][5:7] == rows["retrograd"][5:7], rows  # first and last loss
    assert float(rows["retrograd"][7]) < 1e-5, rows
    assert re.search(r"convolution GEMMs alone: [\d.]+ ms per step", out), out
    p = subprocess.run([sys.executable, str(BENCH / "cnn.py"), "--workloads", "lenet5,foo"],
                       capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 2 and "unknown workload(s) ['foo']" in p.stderr, p.stderr


def test_step_time_quick_prints_the_row(mnist_dir):
    out = run("step_time.py", "--quick", "--workloads", "logreg", "--data", str(mnist_dir))
    row = next(ln for ln in out.splitlines() if ln.startswith("logreg"))
    cells = row.split()
    assert float(cells[1]) > 0 and float(cells[3]) > 0, row   # retrograd's and NumPy's µs
    # the NumPy loop with the checks, and retrograd's speed ratio to it (µs rounded)
    rg, checked = float(cells[1]), float(cells[4])
    assert checked > 0 and re.fullmatch(r"\d+\.\d\dx", cells[7]), row
    assert abs(float(cells[7][:-1]) - checked / rg) < 0.02, row


def test_profile_step_times_every_trainer():
    # The two frameworks checked (PyTorch's import alone costs seconds).
    out = run("profile_step.py", "online", "--sizes", "6,5,3", "--seconds", "0.2",
              "--threads", "1", "--frameworks", "retrograd,numpy")
    for fw in ("retrograd", "numpy"):
        line = next(ln for ln in out.splitlines() if ln.startswith(f"online {fw}:"))
        assert float(re.search(r"([\d,]+) µs", line).group(1).replace(",", "")) > 0, line


def test_gpu_launches_counts_a_step_under_the_fake_cupy():
    """The launch counter classifies: a step moves no host data to the device, reads
    the device once (the label check), and needs fewer launches than the 55 it needed
    before they were cut (docs/performance.md)."""
    out = run("gpu_launches.py", "--workloads", "mlp", "--batches", "16", "--where")
    row = next(ln for ln in out.splitlines() if ln.startswith("mlp"))
    _, batch, launches, transfers, reads = row.split()
    assert (batch, transfers, reads) == ("16", "0", "1")
    assert 20 < int(launches) < 55
    # launches by the line of retrograd that asks for them: SGD's six, in backend.axpy
    assert re.search(r"^ +6  retrograd/backend\.py:\d+ \(axpy\)$", out, re.M), out


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A copy of this checkout in a folder named retrograd (as `git clone` makes it),
    itself inside a folder named numpy: paths alone then no longer tell the package,
    the benchmarks and NumPy apart."""
    root = tmp_path_factory.mktemp("clone") / "numpy" / "retrograd"
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in ("src", "benchmarks"):
        shutil.copytree(ROOT / part, root / part, ignore=skip)
    (root / "tests").mkdir()
    for helper in ("fake_cupy.py", "cupy_usage.py"):
        shutil.copy(ROOT / "tests" / helper, root / "tests")
    return root


def test_gpu_launches_in_a_checkout_named_retrograd(clone):
    """`git clone … && cd retrograd`: the checkout's benchmarks/ are under a
    ".../retrograd/" path too. The launches are still credited to the package's
    lines, none to the benchmark scripts."""
    out = run("gpu_launches.py", "--workloads", "mlp", "--batches", "16", "--where",
              bench=clone / "benchmarks")
    sites = re.findall(r"^ +\d+  (\S+):\d+ ", out, re.M)
    assert sites and all(s.startswith("retrograd/") for s in sites), out
    assert re.search(r"^ +6  retrograd/backend\.py:\d+ \(axpy\)$", out, re.M), out


def test_cupy_usage_in_a_checkout_inside_a_folder_named_numpy(clone, tmp_path):
    """tests/cupy_usage.py skips NumPy's frames to find who called CuPy; in a checkout
    under a folder named numpy every frame has "/numpy/" in its path, and no use was
    credited to retrograd (all "?"). gpu_bench's uses come from src/ and benchmarks/."""
    import json
    out = tmp_path / "uses.json"
    p = subprocess.run(
        [sys.executable, str(clone / "tests" / "cupy_usage.py"), str(out),
         str(clone / "benchmarks" / "gpu_bench.py"), "--device", "cuda", "--quick",
         "--random-data", "--batches", "16", "--reps", "1", "--workloads", "mlp"],
        capture_output=True, text=True, timeout=120, cwd=clone,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert p.returncode == 0, p.stderr[-2000:]
    wheres = [u["where"] for u in json.loads(out.read_text())]
    assert sum(w.startswith("src/retrograd/") for w in wheres) > len(wheres) // 2, wheres
