#!/usr/bin/env bash
# Install what the MPI tests need (Debian's OpenMPI and mpi4py) on a fresh Debian machine,
# as root. Idempotent: when mpirun and mpi4py are already there it returns at once.
# Called by .ci/run before the tests; the MPI tests skip with a reason if this did not run.
set -euo pipefail
PYTHON="${PYTHON:-python}"

have_mpirun() { command -v mpirun >/dev/null 2>&1; }
have_py() { "$PYTHON" -c "import $1" >/dev/null 2>&1; }

if have_mpirun && have_py mpi4py && have_py threadpoolctl; then
    exit 0
fi

if ! have_mpirun || ! have_py mpi4py; then
    # mpi4py is built against the MPI headers and mpicc of libopenmpi-dev.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends openmpi-bin libopenmpi-dev >/dev/null
fi

missing=()
have_py mpi4py || missing+=(mpi4py)
have_py threadpoolctl || missing+=(threadpoolctl)
if [ ${#missing[@]} -gt 0 ]; then
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi

mpirun --version | head -n 1
"$PYTHON" -c "import mpi4py; print('mpi4py', mpi4py.__version__)"
