"""Data-parallel training under ``mpirun -n 2`` (tests/mpi_scripts/train_mlp.py).

Skipped with a reason where mpirun or mpi4py is missing (.ci/mpi_setup.sh installs
them). Every run is bounded by a subprocess timeout, so a hang fails the test
instead of blocking the suite.
"""
import json
import os
import time

import numpy as np
import pytest
from mpi_launch import ROOT, launch, needs_mpi

SCRIPT = ROOT / "tests" / "mpi_scripts" / "train_mlp.py"
LIMIT = 60  # seconds for one mpirun, far above the few seconds it needs


pytestmark = needs_mpi


def _run(args, n=None, **extra_env):
    start = time.monotonic()
    p = launch(SCRIPT, args, n, LIMIT, **extra_env)
    return p, time.monotonic() - start


def _load(path):
    with np.load(path) as f:
        return [f[k] for k in f.files]


def test_two_ranks_match_one_process(tmp_path):
    """2 ranks × their share of each global batch of 32 = 1 process × 32, after 6 SGD
    steps with momentum (including an uneven last batch, 13 + 12), through both
    DistributedDataParallel and DataParallelStrategy; buckets of 1000 bytes force
    several allreduce calls per step."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    p, _ = _run(["--out", str(one)])
    assert p.returncode == 0, p.stdout + p.stderr
    p, _ = _run(["--out", str(two), "--bucket-bytes", "1000"], n=2)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count("trained on 2 ranks") == 1  # print0: rank 0 only
    for api in ("ddp", "strategy"):
        ref = _load(one / f"{api}_rank0.npz")
        for rank in (0, 1):
            got = _load(two / f"{api}_rank{rank}.npz")
            assert len(got) == len(ref) == 6
            for a, b in zip(got, ref):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12,
                                           err_msg=f"{api}, rank {rank}")
    info = [json.loads((two / f"info_rank{r}.json").read_text()) for r in (0, 1)]
    ref_info = json.loads((one / "info_rank0.json").read_text())
    for i in info:
        assert i["size"] == 2
        # Mean losses over the ranks, weighted by samples = the one-process losses.
        np.testing.assert_allclose(i["losses"], ref_info["losses"], rtol=1e-12)
        # Each rank's BLAS limited to its share of the cores, and applied.
        assert i["blas_threads"] >= 1
        assert i["blas_threads"] * i["local_size"] <= max(os.cpu_count(), i["local_size"])
        assert set(i["blas_num_threads"]) == {i["blas_threads"]}


@pytest.mark.parametrize("mode", ["die", "hang"])
def test_lost_rank_makes_the_others_fail_with_a_clear_error(tmp_path, mode):
    """Rank 1 exits (os._exit) or hangs before its second allreduce: rank 0 must raise
    CollectiveTimeoutError after the 3 s timeout and abort the job, not wait forever.
    Open MPI would itself end the job when a rank exits with an error status; that
    is switched off so that the test exercises retrograd's own timeout, as on
    clusters where a node vanishes without its processes returning a status."""
    p, elapsed = _run(["--out", str(tmp_path), "--mode", mode, "--timeout", "3"], n=2,
                      OMPI_MCA_orte_abort_on_non_zero_status="0")
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert "training finished" not in out
    assert "CollectiveTimeoutError" in out, out
    assert "gradient allreduce" in out and "rank 0 of 2" in out, out
    assert "did not complete within the timeout of 3 s" in out, out
    assert elapsed < LIMIT
