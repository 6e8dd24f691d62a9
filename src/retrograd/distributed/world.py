"""The world of processes: who am I (rank), how many are we (world size).

``init()`` reads them from the MPI environment that ``mpirun``/``srun`` set up. Run
without a launcher, it returns a one-process world whose collectives are no-ops, so
the same script trains on a laptop and on a cluster. mpi4py is imported only when
a launcher started the process, so it is needed only for multi-process runs.
"""
import os
import sys
import traceback

# What each MPI launcher puts in the environment of the processes it starts:
# Open MPI, MPICH/Intel MPI (Hydra, PMI), MVAPICH; PMIx (srun --mpi=pmix, Open MPI 5)
# sets only PMIX_RANK, and Slurm the step's task count.
_SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE")
_RANK_VARIABLES = ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "MV2_COMM_WORLD_RANK")
_SLURM_TASKS = ("SLURM_STEP_NUM_TASKS", "SLURM_NTASKS")

DEFAULT_TIMEOUT = 300.0

_world = None


class World:
    """The processes taking part in one data-parallel training run.

    Attributes: ``rank`` (0 … size − 1), ``size``, ``local_rank``/``local_size`` (the
    processes on this machine), ``is_chief`` (rank 0: prints, writes checkpoints),
    ``comm`` (the mpi4py communicator, ``None`` in a one-process world), ``timeout``
    (seconds a collective may wait for the other ranks before failing), ``blas_threads``
    (the BLAS thread limit set for this rank, ``None`` when left alone).
    """

    def __init__(self, comm=None, timeout=DEFAULT_TIMEOUT):
        self.comm = comm
        self.timeout = _check_timeout(timeout)
        self.blas_threads = None
        self._limiter = None
        if comm is None:
            self.rank, self.size, self.local_rank, self.local_size = 0, 1, 0, 1
        else:
            self.rank, self.size = comm.Get_rank(), comm.Get_size()
            from mpi4py import MPI
            # The ranks sharing this machine's memory, to split its cores between them.
            local = comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank)
            self.local_rank, self.local_size = local.Get_rank(), local.Get_size()
            local.Free()

    @property
    def is_chief(self):
        return self.rank == 0

    @property
    def is_distributed(self):
        return self.size > 1

    def __repr__(self):
        return (f"World(rank={self.rank}, size={self.size}, local_rank={self.local_rank}, "
                f"local_size={self.local_size}, timeout={self.timeout})")

    def limit_blas_threads(self, threads=None):
        """Limit this rank's BLAS threads (OpenBLAS, MKL) with threadpoolctl.

        By default each rank gets its share of the cores it may run on:
        ``max(1, cores // local_size)``, where ``cores`` is the CPU affinity set (a rank
        that the launcher bound to its own cores keeps exactly those). Without the limit
        every rank starts one BLAS thread per core, and k ranks × n threads on n cores
        can make a matrix product an order of magnitude slower. Returns the limit."""
        try:
            from threadpoolctl import threadpool_limits
        except ImportError as e:
            raise RuntimeError("distributed: limiting BLAS threads needs threadpoolctl, "
                               "which is not installed: pip install threadpoolctl") from e
        if threads is None:
            threads = default_blas_threads(self.local_size)
        threads = int(threads)
        if threads < 1:
            raise ValueError(f"limit_blas_threads: threads must be >= 1, got {threads}")
        import numpy  # noqa: F401  (loads the BLAS library so that threadpoolctl sees it)
        # Kept, not used as a context manager: the limit lasts as long as the world.
        self._limiter = threadpool_limits(limits=threads, user_api="blas")
        self.blas_threads = threads
        return threads


def default_blas_threads(local_size):
    """max(1, usable cores // processes on this machine); a process bound by the
    launcher to fewer cores than the machine has keeps all of its own cores."""
    machine = os.cpu_count() or 1
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        usable = machine
    if usable < machine:  # bound by the launcher (mpirun --bind-to, srun --cpu-bind)
        return max(1, usable)
    return max(1, usable // max(1, local_size))


def launcher_world_size(environ=None):
    """The world size an MPI launcher announced in the environment: ``None`` when no
    launcher started this process, 0 when one did without saying how many."""
    environ = os.environ if environ is None else environ
    for name in _SIZE_VARIABLES:
        if environ.get(name, "").isdigit():
            return int(environ[name])
    if any(name in environ for name in _RANK_VARIABLES):
        for name in _SLURM_TASKS:
            if environ.get(name, "").isdigit():
                return int(environ[name])
        return 0
    return None


def init(timeout=DEFAULT_TIMEOUT, limit_threads=True, comm=None):
    """Initialise data-parallel training from the MPI environment; returns the ``World``.

    Under ``mpirun -n N`` / ``srun`` (MPI), each of the N processes gets its rank; run
    as a plain ``python script.py`` it is a one-process world in which every collective
    is a no-op, and mpi4py is not needed. ``timeout``: seconds any collective may wait
    for the others before raising ``CollectiveTimeoutError`` (a rank died or hangs).
    ``limit_threads``: limit BLAS threads to this rank's share of the cores.
    ``comm``: an mpi4py communicator to use instead of ``COMM_WORLD``.

    In a multi-process world an uncaught exception on any rank calls ``MPI_Abort``,
    which ends every rank: otherwise the others would wait forever for it.
    Calling ``init()`` again returns the same world.

    >>> world = distributed.init()
    >>> world.rank, world.size
    (0, 1)
    """
    global _world
    if _world is not None:
        return _world
    announced = launcher_world_size()
    if comm is None and announced not in (None, 1):  # one process needs no MPI
        MPI = _import_mpi("this process was started by an MPI launcher for "
                          + (f"{announced} processes" if announced else "several processes"))
        comm = MPI.COMM_WORLD
    world = World(comm, timeout)
    if world.is_distributed:
        _abort_on_uncaught_exception(world)
        if limit_threads:
            world.limit_blas_threads()
    _world = world
    return world


def get_world():
    """The world made by ``init()``; a one-process world if ``init`` was not called
    in a process that no MPI launcher started."""
    if _world is not None:
        return _world
    announced = launcher_world_size()
    if announced not in (None, 1):
        # Going on as a one-process world would train N unsynchronised copies.
        raise RuntimeError(f"distributed: this process is one of "
                           f"{announced or 'several'} started by an MPI launcher, but "
                           "retrograd.distributed.init() was not called; call it before "
                           "any other distributed function")
    return World()


def is_initialized():
    return _world is not None


def print0(*args, **kwargs):
    """``print`` on the chief (rank 0) only, so N ranks do not print N progress bars."""
    if get_world().is_chief:
        kwargs.setdefault("flush", True)
        print(*args, **kwargs)


def _import_mpi(why):
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(
            f"distributed: {why}, which needs mpi4py, and mpi4py is not installed. "
            "Install an MPI library and mpi4py (pip install 'retrograd[mpi]'; on Debian "
            "run .ci/mpi_setup.sh), or run without mpirun for a single process.") from e
    return MPI


def _check_timeout(timeout):
    if timeout is None:
        return None
    try:
        timeout = float(timeout)
    except (TypeError, ValueError):
        raise TypeError(f"distributed: timeout must be a number of seconds or None, "
                        f"got {timeout!r}") from None
    if not timeout > 0:
        raise ValueError(f"distributed: timeout must be > 0 seconds, got {timeout}")
    return timeout


def _abort_on_uncaught_exception(world):
    """An exception that ends one rank must end them all (MPI_Abort): the others
    would otherwise block in their next collective, waiting for a rank that is gone."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        try:
            sys.stdout.flush()
            sys.stderr.write(f"\n[rank {world.rank}/{world.size}] uncaught exception, "
                             "aborting every rank of the job:\n")
            report = traceback.print_exception if previous is sys.__excepthook__ else previous
            report(kind, value, tb)
            sys.stderr.flush()
        finally:
            world.comm.Abort(1)

    sys.excepthook = hook
