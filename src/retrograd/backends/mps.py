"""Apple's Metal (MPS) GPU backend: retrograd does not have it."""


def is_available():
    """False: retrograd runs on "cpu" (NumPy) and "cuda" (CuPy) only."""
    return False


def is_built():
    """False: retrograd has no MPS backend to build."""
    return False
