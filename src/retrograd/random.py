"""Random numbers: one default generator, reseeded by ``manual_seed``.

Everything random in retrograd (initialisers, dropout, shuffling) draws from a
``numpy.random.Generator`` passed as ``generator=``, or from this default one, so
``manual_seed(n)`` makes a whole run reproducible."""
import numpy as np

_default = np.random.default_rng(0)


def manual_seed(seed):
    """Reseed the default generator (and return it)."""
    global _default
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _default = np.random.default_rng(int(seed))
    return _default


def default_generator():
    """The generator used when no ``generator=`` is given."""
    return _default


def get_rng_state():
    """The default generator's state (a dict, JSON-serialisable)."""
    return _default.bit_generator.state


def set_rng_state(state):
    _default.bit_generator.state = state


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
