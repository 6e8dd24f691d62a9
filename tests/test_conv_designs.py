"""benchmarks/conv_designs.py: its alternative convolutions compute retrograd's
conv_forward / conv_backward (so its table compares correct methods), and its --quick
run prints the table (the speed itself is not asserted)."""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrograd.ops.conv import Geometry, conv_backward, conv_forward

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "conv_designs.py"


def load():
    spec = importlib.util.spec_from_file_location("conv_designs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


D = load()
CASES = [((2, 3, 8, 8), (4, 3, 3, 3)),      # even output: whole 2×2 tiles
         ((3, 2, 7, 6), (5, 2, 3, 3)),      # odd output rows: the last tiles cut
         ((2, 2, 9, 9), (3, 2, 5, 5))]      # 5×5: no Winograd


def close(got, want):
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())


@pytest.mark.parametrize("x_shape,w_shape", CASES)
def test_each_method_equals_conv_forward_and_backward_float64(x_shape, w_shape):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    geo = Geometry(w_shape[2:], (1, 1), (1, 1), ((0, 0), (0, 0)), 1)
    y = conv_forward(x, w, geo)
    gy = rng.standard_normal(y.shape)
    gx, gw = conv_backward(x, gy, w, geo)
    for fwd in (D.tensordot_forward, D.einsum_forward, D.nhwc_conv_forward):
        close(fwd(x, w), y)
    for back in (D.tensordot_backward, D.einsum_backward, D.nhwc_conv_backward):
        got_x, got_w = back(x, gy, w)
        close(got_x, gx)
        close(got_w, gw)
    if w_shape[2:] == (3, 3):
        # whole batch, then one sample per block (the blocks' seams)
        for block in (None, 1):
            clock = {}
            close(D.winograd(x, w, clock=clock, block_bytes=block), y)
            assert set(clock) == {"input", "kernel", "gemm", "output"}
            close(D.winograd_grad_input(gy, w, block_bytes=block), gx)
    else:
        with pytest.raises(ValueError, match=r"winograd.*3x3.*\[3, 2, 5, 5\]"):
            D.winograd(x, w)


def test_winograd_additions_are_lavin_and_grays_matrices():
    """The hand-written additions of the input transform are Bᵀ, and the kernel
    transform is G g Gᵀ (checked on the basis vectors / one tap)."""
    out = np.empty((4, 4))
    D._bt_combine(list(np.eye(4)), out)
    np.testing.assert_array_equal(out, D.BT)
    w = np.zeros((1, 1, 3, 3))
    w[0, 0, 1, 2] = 1.0
    u = D.winograd_kernel(w).reshape(4, 4)
    np.testing.assert_allclose(u, D.G @ w[0, 0] @ D.G.T)


def test_winograd_with_padding_and_float32():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 5, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    geo = Geometry((3, 3), (1, 1), (1, 1), ((1, 1), (1, 1)), 1)
    close(D.winograd(x, w, pad=1), conv_forward(x, w, geo))
    y32 = D.winograd(x.astype(np.float32), w.astype(np.float32), pad=1)
    assert y32.dtype == np.float32
    assert D.rel_err(y32, conv_forward(x, w, geo)) < 1e-5


def test_quick_run_prints_the_table():
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--threads", "1"],
                       capture_output=True, text=True, timeout=120, env=env, check=False)
    assert p.returncode == 0, p.stderr[-2000:]
    out = p.stdout
    assert re.search(r"load average at start \(1, 5, 15 min\): [\d.]+ [\d.]+ [\d.]+", out)
    assert "load average at end" in out
    for layer in ("mnist", "keras", "lenet5"):
        methods = [ln for ln in out.splitlines() if ln.startswith(f"{layer:<7}   1 ")]
        labels = ["im2col (retrograd)", "as_strided+tensordot", "as_strided+einsum(opt)",
                  "nhwc (no conversion)", "nhwc + NCHW<->NHWC"]
        if layer != "lenet5":
            labels.append("winograd F(2x2,3x3)")
        for label in labels:
            row = next((ln for ln in methods if label in ln), None)
            assert row is not None, (layer, label, out)
            err = float(row.split()[-1])
            assert err < 1e-5, row                      # float32 against conv_forward
    assert "No Winograd row for lenet5" in out
    assert re.search(r"mnist +1 thr fwd: input +[\d.]+ +kernel", out)


def test_bad_arguments_are_refused():
    p = subprocess.run([sys.executable, str(SCRIPT), "--reps", "3"], capture_output=True,
                       text=True, timeout=60, check=False)
    assert p.returncode == 2 and "--reps must be at least 7" in p.stderr
