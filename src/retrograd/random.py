"""Random numbers: one default generator, reseeded by ``manual_seed``.

Everything random in retrograd (initialisers, dropout, shuffling) draws from a
``numpy.random.Generator`` passed as ``generator=``, or from this default one, so
``manual_seed(n)`` makes a whole run reproducible.

What is drawn at every step on a GPU (dropout masks, RReLU slopes) is drawn there,
by CuPy's generator of that device, unless a ``generator=`` is given: it is seeded
from the default generator's state when first used after ``manual_seed`` or
``set_rng_state``, so a seeded run is reproducible on GPUs too, but its numbers
differ from the CPU's (as PyTorch's CUDA generator's do)."""
import hashlib
import json

import numpy as np

from . import backend

_default = np.random.default_rng(0)
_devices = {}   # (CuPy module, device id) → cupy.random.Generator


def manual_seed(seed):
    """Reseed the default generator (and return it)."""
    global _default
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _default = np.random.default_rng(int(seed))
    _devices.clear()
    return _default


def default_generator():
    """The generator used when no ``generator=`` is given."""
    return _default


def get_rng_state():
    """The default generator's state (a dict, JSON-serialisable)."""
    return _default.bit_generator.state


def set_rng_state(state):
    _default.bit_generator.state = state
    _devices.clear()


def seed_device(seed, xp=None):
    """Seed the generator of the current GPU (what is drawn there without a
    ``generator=``: dropout masks, RReLU slopes) with ``seed``, leaving the CPU's
    default generator alone; ``xp`` is the array module (CuPy by default).
    ``retrograd.cuda.manual_seed`` calls it."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed_device: seed must be a non-negative integer, got {seed!r}")
    if xp is None:
        xp = backend.module_for("cuda")
    key = (xp, xp.cuda.get_device_id())   # as generator_for keys them
    _devices[key] = xp.random.default_rng(int(seed))
    return _devices[key]


def forget_device_generators():
    """Reseed the GPU generators from the default one at their next use (after its
    state was set)."""
    _devices.clear()


def resolve(generator):
    """``generator`` if given, else the default; an int seeds a fresh generator."""
    if generator is None:
        return _default
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"generator must be a numpy.random.Generator or an int seed, got "
                    f"{type(generator).__name__}")


def generator_for(xp, generator=None):
    """Where to draw random numbers for data of array module ``xp``: ``generator``
    (or the default NumPy one) on the host, or, with none given on a GPU, CuPy's
    generator of the current device, so that no array crosses the bus."""
    if generator is not None or xp is np:
        return resolve(generator)
    key = (xp, xp.cuda.get_device_id())   # the module: an id can be reused
    g = _devices.get(key)
    if g is None:
        # The default generator's state, hashed, not a draw from it: the CPU-side
        # numbers (shuffling, initial weights) stay those of a CPU run.
        state = json.dumps(_default.bit_generator.state, sort_keys=True, default=str)
        seed = int.from_bytes(hashlib.sha256(f"{state}|{key[1]}".encode()).digest()[:8],
                              "little")
        g = _devices[key] = xp.random.default_rng(seed)
    return g
