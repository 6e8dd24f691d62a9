"""The array module behind a tensor: NumPy on "cpu", CuPy on "cuda".

The module is always read off the data (``array_module(x)``), never from global
state, so one op body serves both devices. CuPy is imported only when a CUDA
tensor is asked for.
"""
import ctypes

import numpy as np

DEVICES = ("cpu", "cuda")


def array_module(x):
    """Return ``numpy`` or ``cupy``, whichever owns the array ``x``."""
    if isinstance(x, np.ndarray) or isinstance(x, np.generic):
        return np
    if type(x).__module__.startswith("cupy"):
        return _cupy()
    return np


class DeviceName(str):
    """A device's name ("cpu" or "cuda"), as ``Tensor.device`` gives it: a string that
    retrograd compares and prints as such, with ``torch.device``'s ``type`` and
    ``index`` (None on the CPU; on the GPU its index, the current one's: 0), so that
    PyTorch's ``x.device.type == "cuda"`` reads as it does there."""
    __slots__ = ()

    @property
    def type(self):
        return str(self)

    @property
    def index(self):
        return 0 if self == "cuda" else None


CPU, CUDA = DeviceName("cpu"), DeviceName("cuda")


def device_of(x):
    """Return the device name ("cpu" or "cuda") of an array."""
    return CPU if array_module(x) is np else CUDA


def check_device(device):
    """Validate a device name; 'cuda:0' and 'cpu:0' map to 'cuda' and 'cpu'.

    A process uses one GPU, CuPy's current device: another index is refused rather
    than silently run on the current one."""
    if device is None:
        return "cpu"
    name, _, index = str(device).partition(":")
    if name not in DEVICES:
        raise ValueError(f"unknown device {str(device)!r}; expected one of {DEVICES}")
    if index not in ("", "0"):
        raise ValueError(
            f"device {str(device)!r}: retrograd runs on one GPU per process, the current one; "
            f"choose it when starting the process (CUDA_VISIBLE_DEVICES={index}) and use "
            f"device '{name}' (docs/gpu.md, several GPUs)")
    return name


def module_for(device):
    """Return the array module that stores tensors on ``device``."""
    return np if check_device(device) == "cpu" else _cupy()


def to_device(array, device):
    """Move an array to ``device`` (a no-op when it is already there)."""
    device = check_device(device)
    if device == device_of(array):
        return array
    if device == "cpu":
        return array.get()
    return _cupy().asarray(array)


_CUPY = None


def _cupy():
    global _CUPY
    if _CUPY is None:
        try:
            import cupy
        except ImportError as e:
            raise RuntimeError(
                "device 'cuda' needs CuPy, which is not installed: "
                "pip install cupy-cuda12x or cupy-cuda13x, the one matching the CUDA "
                "major version of the driver (nvidia-smi)") from e
        try:
            count = cupy.cuda.runtime.getDeviceCount()
        except Exception as e:  # CuPy raises its own CUDARuntimeError here
            raise RuntimeError(f"device 'cuda': CuPy found no usable GPU ({e})") from None
        if count == 0:
            raise RuntimeError("device 'cuda': CuPy found no GPU on this machine")
        _CUPY = cupy
    return _CUPY


def cuda_available():
    """True when CuPy is installed and sees at least one GPU."""
    try:
        _cupy()
        return True
    except RuntimeError:
        return False


# -- small constant arrays, made once ------------------------------------------------

_CONSTANTS = {}


def constant(xp, name, n, dtype=np.int64):
    """A read-only array of ``xp`` made once per device, name, size and dtype:
    ``"rows"`` is 0, 1, …, n−1 (the index that picks one entry per row),
    ``"zeros"`` is zeros of shape n (an int or a shape). Made at every call it would
    cost an allocation, and on a GPU a kernel launch, per step."""
    # Called by every ReLU and cross-entropy step: the key is built from what the
    # caller passes, unconverted (a dtype and its type object just make two entries),
    # and holds the module itself, whose id a swapped-out fake CuPy could pass on.
    key = (name, n, dtype) if xp is np else (name, n, dtype, xp, xp.cuda.get_device_id())
    a = _CONSTANTS.get(key)
    if a is None:
        if len(_CONSTANTS) >= 64:   # many sizes (ragged batches): start again
            _CONSTANTS.clear()
        a = xp.arange(n, dtype=dtype) if name == "rows" else xp.zeros(n, dtype=dtype)
        if xp is np:
            a.flags.writeable = False
        _CONSTANTS[key] = a
    return a


# -- two BLAS level-1/2 routines NumPy does not expose: ger and axpy ----------------
# a ← a + α x yᵀ (ger) and y ← y + α x (axpy) are one pass over their output in
# BLAS; NumPy builds α x yᵀ or α x first and reads it back: for an online SGD
# step on a 512×784 layer that is three passes over 1.6 MB instead of one, and an
# SGD update of 1 MB runs at half the speed. NumPy's own wheels ship OpenBLAS with
# its symbols renamed (scipy_ prefix, 64_ suffix for 64-bit integers); the
# functions are taken from that very library, so no second BLAS and no second
# thread pool is loaded (OPENBLAS_NUM_THREADS and threadpoolctl limit it as they
# limit NumPy). Anything else (another BLAS, CuPy, strided or read-only arrays)
# takes the plain NumPy path.

_BLAS = None  # {(routine, dtype): C function}, resolved at the first call; {} if none


def _numpy_openblas():
    import glob
    import os
    site = os.path.dirname(os.path.dirname(np.__file__))
    paths = glob.glob(os.path.join(site, "numpy.libs", "libscipy_openblas*")) + \
        glob.glob(os.path.join(os.path.dirname(np.__file__), ".dylibs", "libscipy_openblas*"))
    p = ctypes.c_void_p
    found = {}
    for path in paths:
        try:
            lib = ctypes.CDLL(path)  # already loaded by NumPy: the same handle
        except OSError:
            continue
        for suffix, i in (("64_", ctypes.c_int64), ("", ctypes.c_int32)):
            for dtype, t, real in ((np.float32, "s", ctypes.c_float),
                                   (np.float64, "d", ctypes.c_double)):
                signatures = {  # cblas_?ger(order, M, N, alpha, X, incX, Y, incY, A, lda)
                    "ger": [ctypes.c_int, i, i, real, p, i, p, i, p, i],
                    # cblas_?gemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb,
                    #             beta, C, ldc)
                    "gemm": [ctypes.c_int, ctypes.c_int, ctypes.c_int, i, i, i, real, p, i,
                             p, i, real, p, i],
                    "axpy": [i, real, p, i, p, i]}  # cblas_?axpy(N, alpha, X, incX, Y, incY)
                for routine, argtypes in signatures.items():
                    f = getattr(lib, f"scipy_cblas_{t}{routine}{suffix}", None)
                    key = (routine, np.dtype(dtype))
                    if f is not None and key not in found:
                        f.argtypes, f.restype = argtypes, None
                        found[key] = f
        if found:
            break
    # Trust each routine only once it has computed a known answer.
    for (routine, dtype), f in list(found.items()):
        a, x, y = np.ones((2, 3), dtype), np.arange(2, dtype=dtype), np.arange(3, dtype=dtype)
        if routine == "ger":
            f(101, 2, 3, 2.0, x.ctypes.data, 1, y.ctypes.data, 1, a.ctypes.data, 3)
            ok = np.array_equal(a, 1 + 2 * np.outer(x, y))
        elif routine == "gemm":  # a (2, 3) += 2 uᵀ v with u (2, 2), v (2, 3)
            u, v = np.arange(4, dtype=dtype).reshape(2, 2), np.arange(6, dtype=dtype).reshape(2, 3)
            f(101, 112, 111, 2, 3, 2, 2.0, u.ctypes.data, 2, v.ctypes.data, 3, 1.0,
              a.ctypes.data, 3)
            ok = np.array_equal(a, 1 + 2 * (u.T @ v))
        else:
            f(3, 2.0, y.ctypes.data, 1, a.ctypes.data, 1)
            ok = np.array_equal(a[0], 1 + 2 * y)
        if not ok:
            del found[routine, dtype]
    return found


def _blas(routine, *arrays):
    """NumPy's BLAS ``routine`` and the addresses of ``arrays``, or (None, None)
    unless they are non-empty, writeable, C-contiguous NumPy arrays of one float
    dtype."""
    global _BLAS
    if _BLAS is None:
        try:
            _BLAS = _numpy_openblas()
        except Exception:  # an unexpected library: the NumPy paths work
            _BLAS = {}
    dtype = arrays[0].dtype
    f = _BLAS.get((routine, dtype))
    if f is None:
        return None, None
    for a in arrays:
        if a.__class__ is not np.ndarray or a.dtype != dtype:
            return None, None
    try:
        # A ctypes view of the buffer gives its address at a quarter of the cost of
        # ``a.ctypes.data`` (0.8 µs, as long as the whole update of a small layer).
        # NumPy exports it only for a non-empty, writeable, C-contiguous array, so
        # this also checks that BLAS may read and write the memory as one block.
        return f, [ctypes.addressof(ctypes.c_char.from_buffer(a)) for a in arrays]
    except (TypeError, ValueError, BufferError):
        return None, None


def ger(alpha, x, y, a):
    """a ← a + α x yᵀ in place (a: (m, n); x: (m,); y: (n,)), the rank-one update
    of BLAS ``ger``: one pass over ``a``, the matrix x yᵀ is never built."""
    if a.ndim == 2 and x.shape == a.shape[:1] and y.shape == a.shape[1:]:
        f, addresses = _blas("ger", a, x, y)
        if f is not None:
            pa, px, py = addresses
            m, n = a.shape
            f(101, m, n, alpha, px, 1, py, 1, pa, n)  # 101: row-major
            return a
    xp = array_module(a)
    # dot, not outer or matmul: it reaches BLAS gemm (matmul's k = 1 path is ~10× slower).
    return axpy(alpha, xp.dot(x.reshape(-1, 1), y.reshape(1, -1)), a)


def gemm_tn(alpha, u, v, a):
    """a ← a + α uᵀ v in place (a: (m, n); u: (k, m); v: (k, n)): BLAS ``gemm`` with
    β = 1, one pass over ``a``; the product uᵀ v is never stored on its own."""
    if a.ndim == 2 and u.ndim == 2 and v.ndim == 2 and u.shape[0] == v.shape[0] and \
            u.shape[1:] == a.shape[:1] and v.shape[1:] == a.shape[1:]:
        f, addresses = _blas("gemm", a, u, v)
        if f is not None:
            pa, pu, pv = addresses
            (k, m), n = u.shape, a.shape[1]
            f(101, 112, 111, m, n, k, alpha, pu, m, pv, n, 1.0, pa, n)  # row-major, uᵀ v
            return a
    return axpy(alpha, array_module(a).dot(u.T, v), a)


def axpy(alpha, x, y):
    """y ← y + α x in place (same shapes), BLAS ``axpy``: one pass, no temporary α x."""
    if not isinstance(y, np.ndarray):   # CuPy: one kernel launch instead of two
        if x.shape == y.shape and x.dtype == y.dtype and y.dtype.kind == "f":
            _cuda_kernel("axpy")(x, y.dtype.type(alpha), y)
            return y
    # Below ~16k elements the call through ctypes costs more than the extra pass.
    elif x.shape == y.shape and y.size >= 16384:
        f, addresses = _blas("axpy", y, x)
        if f is not None:
            py, px = addresses
            f(y.size, alpha, px, 1, py, 1)
            return y
    if alpha == 1:
        y += x
    else:
        y += x * y.dtype.type(alpha)
    return y


# -- CuPy: the elementwise kernels that save a launch -------------------------------
# On a GPU each NumPy-style operation is one kernel launch, and the launches (a few µs
# of Python and driver time each), not the arithmetic, bound a small model's step.
# y + α x written back into y is two launches (α x, then +=) and one temporary;
# this table holds the formulas worth one launch. Each is a line of CUDA C that
# CuPy compiles once per dtype (cupy.ElementwiseKernel); the NumPy path above
# computes the same formula.

_CUDA_KERNELS = {
    # name: (inputs, outputs, operation)
    "axpy": ("T x, T alpha", "T y", "y += alpha * x"),
}
_CUDA_COMPILED = {}


def _cuda_kernel(name):
    cupy = _cupy()
    key = (cupy, name)   # per module: the tests swap a fake CuPy in and out
    kernel = _CUDA_COMPILED.get(key)
    if kernel is None:
        inputs, outputs, operation = _CUDA_KERNELS[name]
        kernel = cupy.ElementwiseKernel(inputs, outputs, operation, f"retrograd_{name}")
        _CUDA_COMPILED[key] = kernel
    return kernel


# -- the C allocator ----------------------------------------------------------------

def tune_malloc(threshold=256 * 2**20):
    """Keep freed memory in the process instead of returning it to the system
    (glibc ``mallopt``: M_MMAP_THRESHOLD and M_TRIM_THRESHOLD = ``threshold`` bytes).

    A training step frees its activations and gradients and allocates them again at
    the next step. By default glibc serves large blocks with ``mmap`` or trims the
    freed top of its heap, so each step maps fresh pages and takes a page fault
    for every 4 kB it touches (1,500 faults, ~3 ms of a 12 ms step of the course's
    10-layer MLP in this VM). After this call the blocks are reused as they are,
    at the price of a resident set that does not shrink (by up to ``threshold``).
    The same as setting ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` in
    the environment. It changes the whole process, so retrograd never calls it by
    itself: call it once at the start of a training script. Returns True when it
    took effect (glibc), False elsewhere."""
    import ctypes.util
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
    return bool(mallopt(M_MMAP_THRESHOLD, int(threshold))) and \
        bool(mallopt(M_TRIM_THRESHOLD, int(threshold)))
