"""``Generator``: a random generator of its own, as ``torch.Generator``.

retrograd draws its random numbers from NumPy generators (``random.py``); this is
one, with PyTorch's methods added, so everything that takes ``generator=``
(``randn``, ``randperm``, ``DataLoader``, ``random_split``, ``Dropout``) takes it:

>>> g = retrograd.Generator().manual_seed(42)
>>> train, val = retrograd.utils.data.random_split(ds, [0.8, 0.2], generator=g)

The numbers are NumPy's PCG64 stream, not PyTorch's: the same seed gives the same
numbers in every retrograd run, not the numbers PyTorch would draw.
"""
import numpy as np

from .devices import DeviceError, device

DEFAULT_SEED = 67280421310721    # PyTorch's default seed of a new generator


class Generator(np.random.Generator):
    """A seeded NumPy generator with ``manual_seed``, ``initial_seed``, ``seed``,
    ``get_state`` and ``set_state``. Only ``device="cpu"``: retrograd draws the
    random numbers of its creation functions on the CPU for every device."""

    def __init__(self, device="cpu"):
        d = _device(device)
        if d.type != "cpu":
            raise DeviceError(f"Generator(device={str(d)!r}): retrograd's generators draw on "
                              "the CPU (creation functions then move the numbers); use "
                              "Generator() for tensors on every device")
        self._seed = DEFAULT_SEED
        super().__init__(np.random.PCG64(DEFAULT_SEED))

    @property
    def device(self):
        return device("cpu")

    def manual_seed(self, seed):
        """Restart the stream from ``seed`` (an integer >= 0); returns the generator."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"Generator.manual_seed: seed must be a non-negative integer, "
                             f"got {seed!r}")
        self._seed = int(seed)
        self.bit_generator.state = np.random.PCG64(self._seed).state
        return self

    def initial_seed(self):
        """The seed the stream was last started from."""
        return self._seed

    def seed(self):
        """Restart from a fresh, non-deterministic seed, and return it."""
        s = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        self.manual_seed(s)
        return s

    def get_state(self):
        """The state, a dict (PyTorch's is a uint8 tensor): pass it to ``set_state``."""
        return {"seed": self._seed, "bit_generator": self.bit_generator.state}

    def set_state(self, state):
        if not isinstance(state, dict) or "bit_generator" not in state:
            raise TypeError("Generator.set_state: expected a state from get_state() "
                            f"(a dict), got {type(state).__name__}")
        self.bit_generator.state = state["bit_generator"]
        self._seed = state.get("seed", self._seed)
        return self


def _device(d):
    return d if isinstance(d, device) else device(d)


__all__ = ["Generator", "DEFAULT_SEED"]
