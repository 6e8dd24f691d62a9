"""cuDNN: retrograd does not use it (its GPU kernels are CuPy's and cuBLAS's).

The switches scripts set, ``benchmark`` (let cuDNN time its algorithms) and
``deterministic`` (only deterministic cuDNN algorithms), have nothing to act on:
they are kept as set and change nothing.
"""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: retrograd calls no cuDNN."""
    return False


def version():
    """None: no cuDNN is loaded."""
    return None
