#!/usr/bin/env bash
# The GPU check of issue 9, in one prepared run of under 5 minutes that installs nothing.
#
#     bash benchmarks/gpu_check.sh          (from anywhere; PYTHON=... to pick the interpreter,
#                                            GPU_CHECK_LOGS=DIR to keep the full logs there)
#
# It runs the checkout as it is (PYTHONPATH=src: retrograd need not be installed) with
# $PYTHON, else python3, else python. It expects CuPy with a working GPU, a CUDA build of
# PyTorch and pytest, and fails at once, saying which is missing, otherwise. Then:
#   1. the CUDA tests: the device-parametrised tests, CUDA variant (python -m pytest tests
#      -k "cuda and not fake": the fake-CuPy tests run on every machine, not here);
#   2. the mlp, deep and CNN (mnist-net, lenet5) benchmarks at batch 128 and 1024, retrograd
#      (CuPy) against PyTorch CUDA
#      in the same run (benchmarks/gpu_bench.py), printed as one table.
# Exit status: 0 when both stages pass, 1 when a stage fails, 2 when the GPU stack is missing.
# The screen shows the tail of each stage; the full logs (tracebacks) are kept in
# $GPU_CHECK_LOGS (default: a new temporary directory, named at the end).
# Record the output in docs/performance.md.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"  # the checkout, installed or not
export MPLBACKEND=Agg
if [ -n "${PYTHON:-}" ]; then
    PY="$PYTHON"
elif command -v python3 >/dev/null 2>&1; then
    PY=python3   # GPU images often have no `python`
else
    PY=python
fi
if ! command -v "$PY" >/dev/null 2>&1; then
    echo "gpu_check: cannot run, nothing was measured: no Python interpreter '$PY' (set PYTHON=...)" >&2
    exit 2
fi
start=$SECONDS

echo "== retrograd GPU check, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u +%FT%TZ)"
"$PY" - <<'EOF' || exit 2
import sys
problems = []
try:
    import cupy
    if cupy.cuda.runtime.getDeviceCount() == 0:
        problems.append("CuPy sees no GPU")
    else:
        assert int((cupy.arange(4) * 2).sum()) == 12  # a kernel really runs
except ImportError:
    problems.append("CuPy is not installed (pip install cupy-cuda13x, or cupy-cuda12x for "
                    "a CUDA 12 driver)")
except Exception as e:  # CUDARuntimeError, driver mismatch, no device
    problems.append(f"CuPy cannot use a GPU: {type(e).__name__}: {e}")
try:
    import torch
    if not torch.cuda.is_available():
        problems.append(f"PyTorch {torch.__version__} cannot use CUDA (a CPU build, or no "
                        "driver); a CUDA build is needed for the comparison")
except ImportError:
    problems.append("PyTorch is not installed (a CUDA build is needed)")
try:
    import pytest  # noqa: F401
except ImportError:
    problems.append("pytest is not installed")
try:
    import retrograd as rg
    if not problems and not rg.cuda_available():
        problems.append("retrograd.cuda_available() is False although CuPy works")
except Exception as e:
    problems.append(f"retrograd does not import: {type(e).__name__}: {e}")
if problems:
    print("gpu_check: cannot run, nothing was measured:\n  - " + "\n  - ".join(problems),
          file=sys.stderr)
    sys.exit(2)
print(f"{sys.executable}: Python {sys.version.split()[0]}, CuPy {cupy.__version__}, "
      f"PyTorch {torch.__version__}, pytest {pytest.__version__}")
EOF
LOGS="${GPU_CHECK_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/gpu_check.XXXXXX")}"
mkdir -p "$LOGS" || exit 2
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true

echo
echo "== 1/2 CUDA tests: python -m pytest tests -k 'cuda and not fake'"
# -v and unbuffered: a run cut short still says how far it got; -o timeout: where
# pytest-timeout is installed, one hung test fails alone (elsewhere a harmless warning).
# A fresh machine compiles every CuPy kernel once (NVRTC), hence the generous limit.
# -o addopts= : one process (the GPU is one device; pytest-xdist need not be installed).
PYTHONUNBUFFERED=1 timeout -k 5 170 "$PY" -m pytest tests -v -k "cuda and not fake" -rs \
    --tb=short --durations=5 -o timeout=60 -o addopts= -p no:cacheprovider > "$LOGS/cuda_tests.log" 2>&1
tests_rc=$?
tail -n 60 "$LOGS/cuda_tests.log"
case $tests_rc in
    0) tests_verdict="passed" ;;
    5) tests_verdict="FAILED: no test has a cuda variant (nothing selected by -k cuda)" ;;
    124|137) tests_verdict="FAILED: still running after 170 s (see the log for how far)" ;;
    *) tests_verdict="FAILED (pytest exit status $tests_rc)" ;;
esac

echo
echo "== 2/2 benchmarks: mlp and deep, batch 128 and 1024, retrograd vs PyTorch CUDA"
timeout -k 5 150 "$PY" -u benchmarks/gpu_bench.py --device cuda --workloads mlp,deep,mnist-net,lenet5 \
    --batches 128,1024 --reps 3 2>&1 | tee "$LOGS/gpu_bench.log"
bench_rc=${PIPESTATUS[0]}
case $bench_rc in
    0) bench_verdict="done" ;;
    124|137) bench_verdict="FAILED: still running after 150 s" ;;
    *) bench_verdict="FAILED (exit status $bench_rc)" ;;
esac

echo
echo "== summary: CUDA tests $tests_verdict; benchmarks $bench_verdict; $((SECONDS - start)) s in all"
echo "   full logs: $LOGS/cuda_tests.log, $LOGS/gpu_bench.log"
[ "$tests_rc" -eq 0 ] && [ "$bench_rc" -eq 0 ]
