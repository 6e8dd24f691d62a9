"""``retrograd train --distributed`` with every file write recorded, run by
tests/test_keras_distributed.py:

    mpirun -n 2 python tests/mpi_scripts/keras_cli.py RECORD_DIR -- train --distributed ...

Each rank wraps ``open`` (in write modes), ``os.makedirs`` and the atomic writer of
model files, runs ``retrograd.cli.main`` with the arguments after ``--``, then saves
the paths it wrote to RECORD_DIR/writes_rank{r}.json: the test checks that only rank 0
wrote anything.
"""
import builtins
import json
import os
import sys

from retrograd import cli, serialization

WRITES = []
_open, _makedirs, _atomic_write = builtins.open, os.makedirs, serialization.atomic_write


def recording_open(file, mode="r", *args, **kwargs):
    if any(c in mode for c in "wax+"):
        WRITES.append(os.fspath(file) if not isinstance(file, int) else f"fd {file}")
    return _open(file, mode, *args, **kwargs)


def recording_makedirs(name, *args, **kwargs):
    WRITES.append(os.fspath(name))
    return _makedirs(name, *args, **kwargs)


def recording_atomic_write(path, write):
    WRITES.append(os.fspath(path))
    return _atomic_write(path, write)


def main():
    record_dir, argv = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    builtins.open, os.makedirs = recording_open, recording_makedirs
    serialization.atomic_write = recording_atomic_write
    try:
        code = cli.main(argv)
    finally:
        builtins.open, os.makedirs = _open, _makedirs
        serialization.atomic_write = _atomic_write
    from retrograd.distributed import get_world
    rank = get_world().rank
    with open(os.path.join(record_dir, f"writes_rank{rank}.json"), "w") as f:
        json.dump(WRITES, f)
    return code


if __name__ == "__main__":
    sys.exit(main())
