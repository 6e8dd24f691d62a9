"""Launching test scripts under ``mpirun``: the skip reason and the environment.

Shared by the data-parallel tests. Every run is bounded by a subprocess timeout
by its caller, so a hang fails a test instead of blocking the suite."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def mpi_missing():
    """Why the MPI tests cannot run here, or None."""
    if shutil.which("mpirun") is None:
        return "mpirun not found (run .ci/mpi_setup.sh to install Open MPI)"
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py not installed (run .ci/mpi_setup.sh)"
    return None


_MISSING = mpi_missing()
needs_mpi = pytest.mark.skipif(_MISSING is not None, reason=str(_MISSING))


def mpi_env(**extra):
    """The environment for ``mpirun`` as root on one machine, without the
    variables of an enclosing MPI job, with ``src`` importable."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OMPI_COMM_WORLD", "PMI_", "PMIX_"))}
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", PYTHONUNBUFFERED="1", **extra)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def launch(script, args=(), n=None, limit=60, **extra_env):
    """Run ``python script *args`` (under ``mpirun -n n`` when ``n`` is given) from
    the project root; a run still going after ``limit`` seconds fails the test as a
    hang, with its output. Returns the CompletedProcess (its code is not checked)."""
    cmd = [sys.executable, str(script), *map(str, args)]
    if n is not None:
        cmd = ["mpirun", "-n", str(n), "--oversubscribe", *cmd]
    try:
        return subprocess.run(cmd, cwd=ROOT, env=mpi_env(**extra_env), capture_output=True,
                              text=True, timeout=limit)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{' '.join(cmd)} still running after {limit} s (a hang); output:\n"
                    f"{e.stdout}\n{e.stderr}")
