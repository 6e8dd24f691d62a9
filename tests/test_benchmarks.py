"""Smoke tests of the benchmark scripts: they run and print their tables (the
speed itself is not asserted: timings on a shared CI machine mean nothing)."""
import os
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script, *args):
    p = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


def test_overhead_prints_both_cases():
    out = run("overhead.py", "--quick")
    assert "retrograd µs" in out
    for case in ("(x*y).sum()", "(A@B).sum()"):
        line = next(ln for ln in out.splitlines() if ln.startswith(case))
        assert re.search(r"\d+\.\d", line), line          # a number of µs, or more


def test_run_quick_prints_the_table(mnist_dir):
    out = run("run.py", "--quick", "--workloads", "logreg", "--threads", "1",
              "--data", str(mnist_dir))
    assert "float32 GEMM" in out and "NumPy BLAS" in out
    row = next(ln for ln in out.splitlines() if ln.startswith("logreg     retrograd"))
    rate, acc = row.split()[2], re.search(r"(\d+\.\d+)%", row)
    assert float(rate) > 0
    assert acc and float(acc.group(1)) > 50     # 4096 samples of SGD already learn


def test_step_time_quick_prints_the_row(mnist_dir):
    out = run("step_time.py", "--quick", "--workloads", "logreg", "--data", str(mnist_dir))
    row = next(ln for ln in out.splitlines() if ln.startswith("logreg"))
    cells = row.split()
    assert float(cells[1]) > 0 and float(cells[3]) > 0, row   # retrograd's and NumPy's µs


def test_profile_step_times_every_trainer():
    out = run("profile_step.py", "online", "--sizes", "6,5,3", "--seconds", "0.2",
              "--threads", "1")
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
