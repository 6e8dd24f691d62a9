"""Collective operations with a deadline: allreduce, broadcast, barrier.

A blocking ``MPI_Allreduce`` waits forever when another rank has died or hangs (a
crashed node, a deadlock, a rank stuck writing a file). So every collective here is
started non-blocking (``Iallreduce``, ``Ibcast``, ``Ibarrier``) and completed by polling
``Test`` until ``world.timeout`` seconds have passed; then it raises
``CollectiveTimeoutError``, which (uncaught) aborts the whole job through the hook that
``init()`` installs. With ``timeout=None`` the blocking calls are used instead: no
deadline, but Open MPI's blocking allreduce is up to twice as fast as its non-blocking
one on small messages. In a one-process world each collective returns at once.
"""
import time

import numpy as np

from .world import get_world


class CollectiveTimeoutError(RuntimeError):
    """A collective did not complete in time: another rank died, hangs or lags."""


def wait(requests, what, world=None):
    """Complete mpi4py ``requests``, polling until ``world.timeout`` seconds pass.

    Polling yields the CPU between tests (a rank that waits for slower ranks must not
    steal their core); ``what`` names the operation in the error message. With
    ``world.timeout`` None, waits without a deadline."""
    world = world or get_world()
    from mpi4py import MPI
    if world.timeout is None:
        MPI.Request.Waitall(requests)
        return
    start = time.monotonic()
    deadline = start + world.timeout
    pause = 0.0
    while not MPI.Request.Testall(requests):
        now = time.monotonic()
        if now > deadline:
            raise CollectiveTimeoutError(
                f"distributed: {what} on rank {world.rank} of {world.size} did not complete "
                f"within the timeout of {world.timeout:g} s: another rank has died, hangs or "
                "is far behind (look at the other ranks' output; raise the timeout with "
                "distributed.init(timeout=...) if a rank legitimately works that long alone)")
        time.sleep(pause)
        # Each Test also advances the collective (Open MPI progresses non-blocking
        # collectives only inside MPI calls), so poll fast: yield only (sleep 0) for the
        # first 50 ms, which covers a step's allreduce, then back off to 1 ms sleeps.
        pause = 0.0 if now - start < 0.05 else min(1e-3, max(2 * pause, 1e-5))


def allreduce_(buffer, op="sum", what="allreduce", world=None):
    """In place: ``buffer`` ← Σ_ranks ``buffer`` (op="sum"), or max/min. One call.

    ``buffer`` is a contiguous NumPy array (every rank the same shape and dtype)."""
    world = world or get_world()
    if not world.is_distributed:
        return buffer
    from mpi4py import MPI
    ops = {"sum": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN}
    if op not in ops:
        raise ValueError(f"allreduce: op must be one of {sorted(ops)}, got {op!r}")
    _check_buffer(buffer, "allreduce")
    if world.timeout is None:
        world.comm.Allreduce(MPI.IN_PLACE, buffer, op=ops[op])
    else:
        wait([world.comm.Iallreduce(MPI.IN_PLACE, buffer, op=ops[op])], what, world)
    return buffer


def broadcast_(buffer, root=0, what="broadcast", world=None):
    """In place: every rank's ``buffer`` ← rank ``root``'s ``buffer``."""
    world = world or get_world()
    if not world.is_distributed:
        return buffer
    _check_root(root, world)
    _check_buffer(buffer, "broadcast")
    if world.timeout is None:
        world.comm.Bcast(buffer, root=root)
    else:
        wait([world.comm.Ibcast(buffer, root=root)], what, world)
    return buffer


def barrier(what="barrier", world=None):
    """Wait until every rank reaches this point (or the timeout passes)."""
    world = world or get_world()
    if world.is_distributed and world.timeout is None:
        world.comm.Barrier()
    elif world.is_distributed:
        wait([world.comm.Ibarrier()], what, world)


def allreduce_mean(values, weight=None, world=None):
    """The mean of ``values`` (a number or an array of numbers) over the ranks.

    With ``weight`` (e.g. this rank's number of samples), the weighted mean
    Σ_r w_r v_r / Σ_r w_r: the right average of per-rank mean losses or accuracies
    when the ranks saw different numbers of samples. Returns a float for a number,
    a float64 array otherwise."""
    world = world or get_world()
    scalar = np.ndim(values) == 0
    v = np.asarray(values, dtype=np.float64).ravel()
    w = 1.0 if weight is None else float(weight)
    buf = np.concatenate([v * w, [w]])  # one call carries the values and the weights
    allreduce_(buf, what="allreduce_mean", world=world)
    out = buf[:-1] / buf[-1] if buf[-1] != 0 else np.full(v.shape, np.nan)
    return float(out[0]) if scalar else out.reshape(np.shape(values))


def broadcast_object(obj, root=0, world=None):
    """Rank ``root``'s Python object (pickled), on every rank: seeds, configurations."""
    world = world or get_world()
    if not world.is_distributed:
        return obj
    _check_root(root, world)
    payload = np.frombuffer(_pickle(obj), dtype=np.uint8) if world.rank == root else None
    size = np.array([0 if payload is None else payload.size], dtype=np.int64)
    broadcast_(size, root, "broadcast_object (size)", world)
    buf = payload.copy() if payload is not None else np.empty(int(size[0]), dtype=np.uint8)
    broadcast_(buf, root, "broadcast_object", world)
    return obj if world.rank == root else _unpickle(buf.tobytes())


def _pickle(obj):
    import pickle
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


def _unpickle(data):
    import pickle
    return pickle.loads(data)


def _check_buffer(buffer, what):
    if not isinstance(buffer, np.ndarray) or not buffer.flags.c_contiguous:
        raise TypeError(f"{what}: the buffer must be a C-contiguous NumPy array, got "
                        f"{type(buffer).__name__}"
                        + ("" if not isinstance(buffer, np.ndarray) else " (not contiguous)"))


def _check_root(root, world):
    if not isinstance(root, (int, np.integer)) or not 0 <= root < world.size:
        raise ValueError(f"distributed: root must be a rank in 0..{world.size - 1}, "
                         f"got {root!r}")
