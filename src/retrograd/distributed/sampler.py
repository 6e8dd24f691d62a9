"""Sharding each epoch's samples across the ranks.

Every rank draws the same permutation of 0 … n−1 (same seed, same epoch), then keeps
its share. Interleaved shares (rank r keeps positions r, r+p, r+2p, …) make the ranks'
batch t together exactly the global batch t of one process reading the permutation in
order, which is what makes p ranks × B/p samples equal one process × B samples.
"""
import numpy as np

from .world import get_world


class DistributedSampler:
    """This rank's sample indices for each epoch.

    ``DistributedSampler(n, rank=None, world_size=None, shuffle=True, seed=0,
    drop_last=False)``; ``rank``/``world_size`` default to the ``init()`` world.
    Each epoch's order is ``default_rng(seed + epoch).permutation(n)`` (or 0 … n−1
    without shuffle), identical on every rank: call ``set_epoch(e)`` before each epoch.

    - ``iter(sampler)``: this rank's indices, order[rank::world_size] after padding the
      order to a multiple of world_size by repeating its start (or cutting it down,
      ``drop_last=True``), so every rank gets ``len(sampler)`` samples (PyTorch's rule).
    - ``sampler.batches(B)``: one index array per *global* batch of B samples, this
      rank's share of it, order[tB:(t+1)B][rank::world_size] — nothing padded.

    >>> sampler = DistributedSampler(len(x), seed=42)
    >>> for epoch in range(3):
    ...     sampler.set_epoch(epoch)
    ...     for idx in sampler.batches(128): step(x[idx], y[idx])
    """

    def __init__(self, n, rank=None, world_size=None, shuffle=True, seed=0, drop_last=False):
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ValueError(f"DistributedSampler: n must be a number of samples >= 0, "
                             f"got {n!r}")
        if rank is None or world_size is None:
            world = get_world()
            rank = world.rank if rank is None else rank
            world_size = world.size if world_size is None else world_size
        if not isinstance(world_size, (int, np.integer)) or world_size < 1:
            raise ValueError(f"DistributedSampler: world_size must be >= 1, got {world_size!r}")
        if not isinstance(rank, (int, np.integer)) or not 0 <= rank < world_size:
            raise ValueError(f"DistributedSampler: rank must be in 0..{world_size - 1}, "
                             f"got {rank!r}")
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"DistributedSampler: seed must be an integer >= 0, got {seed!r}")
        self.n, self.rank, self.world_size = int(n), int(rank), int(world_size)
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0

    def set_epoch(self, epoch):
        """Select the epoch whose order the next iteration follows (a new shuffle)."""
        if not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"set_epoch: epoch must be an integer >= 0, got {epoch!r}")
        self.epoch = int(epoch)

    def order(self):
        """The epoch's order of all n samples, the same on every rank."""
        if not self.shuffle:
            return np.arange(self.n)
        return np.random.default_rng(self.seed + self.epoch).permutation(self.n)

    def __len__(self):
        p = self.world_size
        return self.n // p if self.drop_last else -(-self.n // p)

    def __iter__(self):
        order = self.order()
        total = len(self) * self.world_size
        if total > self.n:  # pad by repeating the start (np.resize cycles the array)
            order = np.resize(order, total)
        return iter(order[:total][self.rank::self.world_size].tolist())

    def batches(self, batch_size):
        """This rank's share of each global batch of ``batch_size`` samples.

        A last global batch with fewer samples than ranks is dropped (some rank would
        get none); with ``drop_last`` every incomplete last batch is dropped."""
        if not isinstance(batch_size, (int, np.integer)) or batch_size < self.world_size:
            raise ValueError(f"DistributedSampler.batches: the global batch_size must be an "
                             f"integer >= world_size={self.world_size}, got {batch_size!r}")
        order = self.order()
        for start in range(0, self.n, batch_size):
            batch = order[start:start + batch_size]
            if len(batch) < batch_size and (self.drop_last or len(batch) < self.world_size):
                return
            yield batch[self.rank::self.world_size]

    def num_batches(self, batch_size):
        """How many batches ``batches(batch_size)`` yields (the same on every rank)."""
        full, rest = divmod(self.n, batch_size)
        return full + (rest > 0 and not self.drop_last and rest >= self.world_size)
