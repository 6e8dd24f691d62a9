"""``torch.set_num_threads`` / ``get_num_threads``: the threads of the BLAS library
NumPy calls (OpenBLAS, MKL…), where retrograd's matrix products run; the rest of a
step is NumPy's, on one core. Through threadpoolctl (in the ``plot``, ``mpi`` and
``test`` extras)."""
import os


def _threadpoolctl(who):
    try:
        import threadpoolctl
    except ImportError:
        raise ImportError(f"{who} needs threadpoolctl (pip install threadpoolctl) to reach "
                          "NumPy's BLAS threads") from None
    return threadpoolctl


def set_num_threads(n):
    """Use ``n`` BLAS threads from now on (PyTorch's intra-op threads)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n!r}")
    _threadpoolctl("set_num_threads").threadpool_limits(limits=n, user_api="blas")


def get_num_threads():
    """The BLAS threads in use (the CPU count where no BLAS library reports one)."""
    try:
        info = _threadpoolctl("get_num_threads").threadpool_info()
    except ImportError:
        return os.cpu_count() or 1
    counts = [i["num_threads"] for i in info if i.get("user_api") == "blas"]
    return max(counts) if counts else os.cpu_count() or 1
