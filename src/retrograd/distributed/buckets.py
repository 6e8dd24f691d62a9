"""Gradient averaging and weight broadcast, bucketed: one collective per bucket.

One allreduce per parameter would pay the network latency once per tensor (a
6-layer MLP has 12); one allreduce of everything would need one huge buffer. So the
parameters are grouped, in order, into buckets of about ``bucket_bytes``; each bucket
owns one preallocated contiguous buffer: the gradients are copied in (flattened),
the buffer is reduced in place with one ``Iallreduce``, and the result is copied
back into each ``.grad``. All buckets are in flight together.
"""
import numpy as np

from ..backend import array_module, to_device
from ..tensor import Tensor
from .collectives import broadcast_, wait
from .world import get_world

DEFAULT_BUCKET_BYTES = 25 * 2**20  # PyTorch DDP's default bucket size


def parameters_of(module_or_params, where):
    """A list of tensors from a module (``.parameters()``), a tensor or an iterable."""
    if hasattr(module_or_params, "parameters") and callable(module_or_params.parameters):
        params = list(module_or_params.parameters())
    elif isinstance(module_or_params, Tensor):
        params = [module_or_params]
    else:
        try:
            params = list(module_or_params)
        except TypeError:
            raise TypeError(f"{where}: expected a module, a tensor or an iterable of "
                            f"tensors, got {type(module_or_params).__name__}") from None
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameters must be tensors, got "
                            f"{type(p).__name__} at position {i}")
    return params


def _size(nbytes):
    return f"{nbytes / 2**20:.2f} MiB" if nbytes >= 2**20 else f"{nbytes / 2**10:.1f} KiB"


class _Buckets:
    """Consecutive tensors of one dtype, grouped into buffers of ≈ ``bucket_bytes``.

    ``extra=1`` reserves one more element at the end of the last bucket (the weight
    of the weighted average travels in the same call as the gradients)."""

    def __init__(self, tensors, bucket_bytes, extra=0, floats_only=True):
        bucket_bytes = int(bucket_bytes)
        if bucket_bytes < 1:
            raise ValueError(f"bucket_bytes must be >= 1, got {bucket_bytes}")
        self.groups = []  # [(dtype, [(tensor, offset, size), ...], length)]
        current, dtype, length = [], None, 0
        for t in tensors:
            d = np.dtype(t.array.dtype)
            if floats_only and d.kind != "f":
                raise TypeError(f"distributed: parameter of dtype {d} (shape {t.shape}); "
                                "only floating-point parameters can be averaged")
            if current and (d != dtype or (length + t.size) * d.itemsize > bucket_bytes):
                self.groups.append((dtype, current, length))
                current, length = [], 0
            current.append((t, length, t.size))
            dtype, length = d, length + t.size
        if current:
            self.groups.append((dtype, current, length))
        self.extra = extra
        self.buffers = [np.empty(n + (extra if i == len(self.groups) - 1 else 0), dtype=d)
                        for i, (d, _, n) in enumerate(self.groups)]

    def __len__(self):
        return len(self.groups)

    def nbytes(self):
        return sum(b.nbytes for b in self.buffers)


class GradientReducer:
    """Averages the gradients of ``params`` over the ranks, in place, one call per bucket.

    ``g ← (Σ_r w_r g_r) / Σ_r w_r``, with ``w_r = 1`` (the plain mean over ranks) or,
    given ``reduce(num_samples=n_r)``, the rank's number of samples: then a rank's mean
    loss gradient g_r weighs as many samples as it saw, and p ranks on a global batch
    of B samples give exactly the gradient of one process on those B samples, even when
    B is not a multiple of p. A parameter without a gradient counts as a zero gradient
    on that rank (and gets the average). Buffers are allocated once, here.

    >>> reducer = GradientReducer(model.parameters())
    >>> loss.backward(); reducer.reduce(); opt.step()
    """

    def __init__(self, params, bucket_bytes=DEFAULT_BUCKET_BYTES, world=None):
        params = [p for p in parameters_of(params, "GradientReducer") if p.requires_grad]
        self.params = params
        self.world = world or get_world()
        self.buckets = _Buckets(params, bucket_bytes, extra=1)

    def reduce(self, num_samples=None):
        """Average the ``.grad`` of every parameter over the ranks (see the class)."""
        world = self.world
        if not world.is_distributed or not self.params:
            return
        from mpi4py import MPI
        w = 1.0 if num_samples is None else float(num_samples)
        if not w >= 0:
            raise ValueError(f"reduce: num_samples must be >= 0, got {num_samples!r}")
        requests, n = [], len(self.buckets)
        for i, ((_, members, length), buf) in enumerate(zip(self.buckets.groups,
                                                            self.buckets.buffers)):
            for p, offset, size in members:
                if p.grad is None or w == 0:  # 0 · NaN would be NaN: a rank with no
                    buf[offset:offset + size] = 0   # samples contributes exact zeros
                else:
                    g = to_device(p.grad.array, "cpu").reshape(-1)
                    np.multiply(g, w, out=buf[offset:offset + size])
            if i == n - 1:
                buf[length] = w
            if world.timeout is None:
                world.comm.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
            else:  # started as soon as packed: later buckets are packed while it travels
                requests.append(world.comm.Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM))
        if requests:
            wait(requests, f"gradient allreduce ({n} bucket{'s' * (n > 1)}, "
                 f"{_size(self.buckets.nbytes())})", world)
        total = float(self.buckets.buffers[-1][-1])
        if total == 0:
            raise ValueError("reduce: num_samples is 0 on every rank; there is no "
                             "gradient to average")
        for (_, members, _), buf in zip(self.buckets.groups, self.buckets.buffers):
            buf /= total
            for p, offset, size in members:
                avg = buf[offset:offset + size].reshape(p.shape)
                xp = array_module(p.array)
                if p.grad is None:
                    p.grad = Tensor._wrap(xp.array(avg, dtype=p.array.dtype))  # a copy
                else:
                    p.grad.array[...] = xp.asarray(avg)


def allreduce_gradients(params, bucket_bytes=DEFAULT_BUCKET_BYTES, num_samples=None):
    """Average the gradients of ``params`` over the ranks, one allreduce per bucket.

    g ← (1/p) Σ_r g_r, or the weighted mean with ``num_samples`` (see
    ``GradientReducer``). This allocates the buckets on each call; a training loop
    should keep one ``GradientReducer`` (``DistributedDataParallel`` does)."""
    if not get_world().is_distributed:
        return
    GradientReducer(params, bucket_bytes).reduce(num_samples)


def broadcast_parameters(module_or_params, root=0, bucket_bytes=DEFAULT_BUCKET_BYTES):
    """Copy rank ``root``'s parameter values to every rank, in place (bucketed).

    Called once before training so that every rank starts from the same weights
    (each rank initialised its own at random). For a module, its buffers (running
    statistics) are sent too."""
    world = get_world()
    params = parameters_of(module_or_params, "broadcast_parameters")
    if callable(getattr(module_or_params, "buffers", None)):
        params += [b for b in module_or_params.buffers() if isinstance(b, Tensor)]
    if not world.is_distributed or not params:
        return
    buckets = _Buckets(params, bucket_bytes, floats_only=False)
    for (_, members, _), buf in zip(buckets.groups, buckets.buffers):
        if world.rank == root:
            for p, offset, size in members:
                buf[offset:offset + size] = to_device(p.array, "cpu").reshape(-1)
        broadcast_(buf, root, f"broadcast_parameters ({_size(buf.nbytes)})", world)
        if world.rank != root:
            for p, offset, size in members:
                p.array[...] = array_module(p.array).asarray(
                    buf[offset:offset + size].reshape(p.shape))

