"""``retrograd.backends``: which compute backends exist, as ``torch.backends`` says.

* ``backends.mps``: Apple's GPU backend, which retrograd does not have
  (``is_available()`` is False).
* ``backends.cudnn``: retrograd calls no cuDNN (its GPU kernels are CuPy's);
  ``is_available()`` is False and the ``benchmark``/``deterministic`` switches
  that training scripts set are accepted and change nothing.
"""
from ..missing import module_getattr
from . import cudnn, mps

__getattr__ = module_getattr(__name__, {
    "cuda": "retrograd has no TF32 or SDP-kernel switches; CuPy uses TF32 in matmul "
            "when the environment variable CUPY_TF32=1 is set",
    "mkldnn": "retrograd's CPU kernels are NumPy's (its BLAS), not oneDNN",
    "opt_einsum": "retrograd has no einsum",
})

__all__ = ["mps", "cudnn"]
