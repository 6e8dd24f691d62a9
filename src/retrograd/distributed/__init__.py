"""Data-parallel training on many processes and machines, over MPI (mpi4py).

Every rank holds the whole model, reads its share of each global batch, and the
gradients are averaged over the ranks (one allreduce per bucket) before each
optimiser step, so all copies take the same step. Started by ``mpirun -n N`` or
``srun``; run without a launcher, everything here works as a single process and
mpi4py is not needed. See ``docs/distributed.md``.

>>> from retrograd import distributed as dist
>>> world = dist.init()                     # rank, size from mpirun; 1 process otherwise
>>> model = dist.DistributedDataParallel(model)      # rank 0's weights everywhere
>>> sampler = dist.DistributedSampler(len(x), seed=0)
>>> for idx in sampler.batches(128):        # this rank's share of each global batch
...     loss = F.cross_entropy(model(x[idx]), y[idx]); opt.zero_grad(); loss.backward()
...     model.sync_gradients(num_samples=len(idx)); opt.step()
>>> dist.print0("done")                     # rank 0 only
"""
from .buckets import (DEFAULT_BUCKET_BYTES, GradientReducer, allreduce_gradients,
                      broadcast_parameters)
from .collectives import (CollectiveTimeoutError, allreduce_, allreduce_mean, barrier,
                          broadcast_, broadcast_object)
from .parallel import (DataParallelStrategy, DistributedDataParallel, chief_only,
                       save_checkpoint)
from .sampler import DistributedSampler
from .world import (DEFAULT_TIMEOUT, World, default_blas_threads, get_world, init,
                    is_initialized, launcher_world_size, print0)

__all__ = [
    "init", "get_world", "is_initialized", "World", "launcher_world_size",
    "default_blas_threads", "print0", "DEFAULT_TIMEOUT", "DEFAULT_BUCKET_BYTES",
    "broadcast_parameters", "allreduce_gradients", "GradientReducer", "DistributedSampler",
    "DistributedDataParallel", "DataParallelStrategy", "chief_only", "save_checkpoint",
    "allreduce_", "broadcast_", "allreduce_mean", "broadcast_object", "barrier",
    "CollectiveTimeoutError",
]
