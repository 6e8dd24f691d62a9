"""The scale issue's scripts, checked on the CPU: the GPU benchmark runs (on the CPU
device, so that an API change breaks here and not first on a GPU machine), the GPU
check refuses clearly without a GPU, and the scaling model computes the ring formula."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import retrograd as rg

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gpu_bench_runs_both_frameworks_on_the_cpu(capsys):
    pytest.importorskip("torch")
    bench = _load("gpu_bench")
    rows = bench.main(["--device", "cpu", "--quick", "--reps", "1", "--batches", "16",
                       "--random-data"])
    assert [(r["workload"], r["batch"]) for r in rows] == [("mlp", 16), ("deep", 16)]
    for r in rows:
        for fw in ("retrograd", "pytorch"):
            rate, acc = r[fw]
            assert rate > 0 and 0 <= acc <= 1
        # Same initial weights, same batches, same SGD: the same predictions.
        assert r["retrograd"][1] == pytest.approx(r["pytorch"][1], abs=0.02)
    out = capsys.readouterr().out
    assert "ratio = retrograd ÷ PyTorch" in out and "mlp          16" in out


@pytest.mark.skipif(rg.cuda_available(), reason="a GPU is present: the check would run")
def test_gpu_check_refuses_clearly_without_a_gpu():
    p = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu_check.sh")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "cannot run, nothing was measured" in p.stderr
    assert "CuPy" in p.stderr


@pytest.mark.skipif(rg.cuda_available(), reason="a GPU is present: the check would run")
def test_gpu_check_needs_no_python_command_and_names_a_missing_interpreter(tmp_path):
    """GPU images have ``python3`` and often no ``python``: the check falls back to it,
    and an interpreter that does not exist is named, not a 'command not found'."""
    (tmp_path / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (tmp_path / "python3").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    env["PATH"] = f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin"
    script = str(ROOT / "benchmarks" / "gpu_check.sh")
    p = subprocess.run(["bash", script], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "cannot run, nothing was measured" in p.stderr, p.stderr
    assert "CuPy" in p.stderr and "not found" not in p.stderr
    env["PYTHON"] = str(tmp_path / "no-such-python")
    p = subprocess.run(["bash", script], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stdout + p.stderr
    assert f"no Python interpreter '{env['PYTHON']}'" in p.stderr


def test_ring_allreduce_model():
    model = _load("scaling_model")
    assert model.gradient_bytes() == 4 * (784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10)
    assert model.ring_allreduce(1, 1e6, 1e9, 1e-6) == 0
    # 2(p−1)/p · S/β + 2(p−1)·α with p = 4, S = 1 MB, β = 1 GB/s, α = 10 µs
    assert model.ring_allreduce(4, 1e6, 1e9, 1e-5) == pytest.approx(1.5e-3 + 6e-5)


def test_scaling_table_from_a_given_step_time(capsys):
    model = _load("scaling_model")
    model.main(["--no-mpi", "--compute-ms", "4", "--ranks", "1,2"])
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.strip().startswith(("1 |", "2 |"))]
    assert len(lines) == 2 and "100%" in lines[0] and "1.0x" in lines[0]
    # p = 2 on IB: 2.68 MB / 25 GB/s + 2·1.5 µs ≈ 0.11 ms → efficiency ≈ 97 %
    assert lines[1].rstrip().endswith(("1.9x", "2.0x"))
