"""Smoke tests of the benchmark scripts: they run and print their tables (the
speed itself is not asserted: timings on a shared CI machine mean nothing)."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"


def run(script, *args, bench=BENCH):
    p = subprocess.run([sys.executable, str(bench / script), *args], capture_output=True,
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
