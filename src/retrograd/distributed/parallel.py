"""Data parallelism for both APIs: a model wrapper for plain loops, and a strategy
object that a Keras-style ``fit`` drives.

Each rank holds a full copy of the model and computes the gradient on its share of
every global batch; averaging the gradients (one allreduce per bucket) before the
optimiser step keeps the copies identical, since every rank then applies the same
update to the same weights.
"""
import numpy as np

from .buckets import DEFAULT_BUCKET_BYTES, GradientReducer, broadcast_parameters, parameters_of
from .collectives import allreduce_mean, barrier, broadcast_object
from .sampler import DistributedSampler
from .world import get_world


class _SyncedParameters:
    """A ``GradientReducer`` rebuilt whenever the list of parameters changes (lazy
    layers create theirs at the first call)."""

    def __init__(self, bucket_bytes):
        self.bucket_bytes = bucket_bytes
        self.reducer, self.key = None, None

    def reduce(self, params, num_samples=None):
        params = [p for p in params if p.requires_grad]
        key = tuple(id(p) for p in params)
        if key != self.key:
            self.reducer, self.key = GradientReducer(params, self.bucket_bytes), key
        self.reducer.reduce(num_samples)


class DistributedDataParallel:
    """Wrap a model for data-parallel training in a plain loop.

    On construction (and, for lazily built layers, at the first call) rank 0's weights
    are broadcast to every rank. Calling the wrapper calls the model. After
    ``loss.backward()``, ``sync_gradients()`` averages the gradients over the ranks
    (bucketed allreduce), then ``opt.step()`` makes the same update on every rank.

    ``sync_gradients(num_samples=len(idx))`` weighs each rank's mean-loss gradient by its
    number of samples, so uneven shares of a global batch give exactly the one-process
    gradient. ``state_dict()`` is the model's own (no prefix): checkpoints load into
    the bare model.

    >>> world = distributed.init()
    >>> model = DistributedDataParallel(nn.Sequential(nn.Linear(784, 512), nn.ReLU(), ...))
    >>> loss = F.cross_entropy(model(x[idx]), y[idx]); loss.backward()
    >>> model.sync_gradients(); opt.step()
    """

    def __init__(self, module, bucket_bytes=DEFAULT_BUCKET_BYTES, root=0):
        if not callable(module) or not hasattr(module, "parameters"):
            raise TypeError(f"DistributedDataParallel: expected a module (callable, with "
                            f"parameters()), got {type(module).__name__}")
        self.module = module
        self.root = root
        self._synced = _SyncedParameters(bucket_bytes)
        self._broadcast_key = None
        self._broadcast()

    def _broadcast(self):
        broadcast_parameters(self.module, self.root)
        self._broadcast_key = tuple(id(p) for p in self.module.parameters())

    def __call__(self, *args, **kwargs):
        out = self.module(*args, **kwargs)
        if tuple(id(p) for p in self.module.parameters()) != self._broadcast_key:
            # The call built new (lazy) weights, different on every rank: share rank
            # 0's and compute the output again with them.
            self._broadcast()
            out = self.module(*args, **kwargs)
        return out

    forward = __call__

    def sync_gradients(self, num_samples=None):
        """Average every parameter's ``.grad`` over the ranks (between backward and step)."""
        self._synced.reduce(list(self.module.parameters()), num_samples)

    # The model's own interface, so the wrapper can stand in for it.
    def parameters(self):
        return self.module.parameters()

    def named_parameters(self, *args, **kwargs):
        return self.module.named_parameters(*args, **kwargs)

    def state_dict(self):
        return self.module.state_dict()

    def load_state_dict(self, state, *args, **kwargs):
        return self.module.load_state_dict(state, *args, **kwargs)

    def train(self, mode=True):
        self.module.train(mode)
        return self

    def eval(self):
        self.module.eval()
        return self

    def zero_grad(self, *args, **kwargs):
        return self.module.zero_grad(*args, **kwargs)

    @property
    def training(self):
        return self.module.training

    def __repr__(self):
        return f"DistributedDataParallel({self.module!r}, world={get_world()!r})"


class DataParallelStrategy:
    """What a training loop (e.g. Keras-style ``fit(..., distributed=True)``) needs to run
    data-parallel, in one object. A one-process world makes every method trivial.

    - ``is_chief`` / ``rank`` / ``world_size``: only the chief prints and writes files.
    - ``broadcast(model_or_params)``: rank 0's weights on every rank (once, after build).
    - ``shared_seed(seed)``: rank 0's seed on every rank (to shuffle identically).
    - ``batches(n, batch_size, epoch, shuffle, seed)``: this rank's indices of each global
      batch of ``batch_size`` samples (``DistributedSampler.batches``).
    - ``local(indices)``: this rank's share of a global batch drawn by the loop itself.
    - ``shard(*arrays)``: this rank's interleaved share of whole arrays (evaluation).
    - ``sync(params, num_samples)``: average the gradients (between backward and step).
    - ``mean(value, weight)``: a metric averaged over the ranks, weighted by samples.

    >>> strategy = DataParallelStrategy()
    >>> strategy.broadcast(model)
    >>> for idx in strategy.batches(len(x), 128, epoch):
    ...     loss = loss_fn(model(x[idx]), y[idx]); loss.backward()
    ...     strategy.sync(model.parameters(), num_samples=len(idx)); opt.step()
    """

    def __init__(self, bucket_bytes=DEFAULT_BUCKET_BYTES):
        self.world = get_world()
        self._synced = _SyncedParameters(bucket_bytes)

    @property
    def rank(self):
        return self.world.rank

    @property
    def world_size(self):
        return self.world.size

    @property
    def is_chief(self):
        return self.world.is_chief

    def broadcast(self, model_or_params, root=0):
        broadcast_parameters(model_or_params, root)

    def shared_seed(self, seed=None):
        """Rank 0's ``seed`` on every rank; with None, a random one drawn on rank 0."""
        if seed is None and self.world.rank == 0:
            seed = int(np.random.default_rng().integers(2**31))
        return broadcast_object(seed, 0, self.world)

    def batches(self, n, batch_size, epoch=0, shuffle=True, seed=0, drop_last=False):
        sampler = DistributedSampler(n, self.world.rank, self.world.size, shuffle=shuffle,
                                     seed=seed, drop_last=drop_last)
        sampler.set_epoch(epoch)
        return sampler.batches(batch_size)

    def num_batches(self, n, batch_size, drop_last=False):
        return DistributedSampler(n, self.world.rank, self.world.size,
                                  drop_last=drop_last).num_batches(batch_size)

    def local(self, indices):
        """This rank's share of one global batch's ``indices``: ``indices[rank::world_size]``
        (for a loop that draws its own global order; every rank must draw the same one,
        e.g. from ``shared_seed``, and a batch needs at least ``world_size`` samples)."""
        return indices[self.world.rank::self.world.size]

    def shard(self, *arrays):
        """``a[rank::world_size]`` of each array: this rank's share of a whole dataset."""
        out = tuple(None if a is None else a[self.world.rank::self.world.size] for a in arrays)
        return out[0] if len(out) == 1 else out

    def sync(self, params, num_samples=None):
        self._synced.reduce(parameters_of(params, "DataParallelStrategy.sync"), num_samples)

    def mean(self, value, weight=None):
        return allreduce_mean(value, weight, self.world)

    def barrier(self):
        barrier(world=self.world)


def chief_only(fn, *args, **kwargs):
    """Run ``fn(*args, **kwargs)`` on the chief (rank 0) only, then wait for it on every
    rank (so that no rank reads a file before the chief has written it). Returns fn's
    result on the chief, ``None`` elsewhere."""
    world = get_world()
    result = fn(*args, **kwargs) if world.is_chief else None
    barrier("chief_only (waiting for rank 0)", world)
    return result


def save_checkpoint(module_or_state, path):
    """Write the model's ``state_dict()`` (or a dict of arrays) as a ``.npz`` file, from
    the chief only; every rank waits until it is written. Load it on every rank with
    ``np.load(path)`` and ``model.load_state_dict``."""
    state = module_or_state.state_dict() if hasattr(module_or_state, "state_dict") \
        else dict(module_or_state)

    def write():
        np.savez(path, **{k: np.asarray(v) for k, v in state.items()})

    chief_only(write)
