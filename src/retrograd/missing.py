"""PyTorch names that retrograd does not have, and the error that says so.

Code written for PyTorch runs with ``import retrograd as torch``. Where it reaches
for a feature retrograd lacks (``torch.compile``, ``torch.jit``, sparse tensors…),
it gets a ``NotSupportedError`` naming the feature and what to do instead, not an
``AttributeError`` from deep inside. The error is both a ``NotImplementedError``
(what it means) and an ``AttributeError`` (what a missing attribute raises), so
``hasattr(torch, "compile")`` is False and guards such as
``if hasattr(torch, "compile"): model = torch.compile(model)`` keep working.
A name that is not a known PyTorch name raises a plain ``AttributeError``.
"""

DOCS = "docs/pytorch.md"


class NotSupportedError(NotImplementedError, AttributeError):
    """A PyTorch feature that retrograd does not implement."""


def unsupported(module, name, why):
    """The error for ``module.name``: PyTorch has it, retrograd does not (``why``)."""
    if module.startswith("retrograd.vision"):          # torchvision's counterpart
        torch = "torchvision" + module[len("retrograd.vision"):]
    elif module.startswith("retrograd"):
        torch = "torch" + module[len("retrograd"):]
    else:
        torch = module
    return NotSupportedError(f"PyTorch's {torch}.{name} is not in retrograd: {why} "
                             f"(PyTorch compatibility: {DOCS})")


def module_getattr(module, table):
    """A module-level ``__getattr__`` for ``module`` (its dotted name): the names of
    ``table`` ({name: why}) raise ``NotSupportedError``, others ``AttributeError``."""

    def __getattr__(name):
        why = table.get(name)
        if why is not None:
            raise unsupported(module, name, why)
        raise AttributeError(f"module {module!r} has no attribute {name!r} ({DOCS} lists "
                             "the PyTorch API retrograd has)")

    return __getattr__


# -- the top-level names: torch.<name> ------------------------------------------------
_COMPILER = "retrograd runs eagerly, op by op, on NumPy or CuPy; there is no compiler"

TOP_LEVEL = {
    "compile": _COMPILER + "; call the model directly",
    "jit": _COMPILER + " (no TorchScript); save weights with retrograd.save",
    "fx": _COMPILER + " (no graph tracing)",
    "export": _COMPILER + " (no exported programs); save weights with retrograd.save",
    "vmap": "no vectorising map; write the batch dimension explicitly",
    "func": "no functional transforms (grad, vmap, jacrev); use Tensor.backward",
    "sparse": "tensors are dense NumPy/CuPy arrays; there are no sparse layouts",
    "sparse_coo_tensor": "tensors are dense; there are no sparse layouts",
    "sparse_csr_tensor": "tensors are dense; there are no sparse layouts",
    "nested": "no nested (ragged) tensors; pad the batch",
    "masked": "no masked tensors; use retrograd.where",
    "quantization": "no quantised tensors or kernels",
    "ao": "no quantisation or pruning toolkit",
    "amp": "no automatic mixed precision; tensors keep the dtype they are given",
    "autocast": "no automatic mixed precision; tensors keep the dtype they are given",
    "bfloat16": "NumPy has no bfloat16; use retrograd.float16 or float32",
    "fft": "no Fourier transforms",
    "hub": "no model hub; build the model and load its weights with retrograd.load",
    "profiler": "no profiler; time steps with time.perf_counter",
    "mps": "no Apple-GPU backend; devices are 'cpu' and 'cuda' "
           "(retrograd.backends.mps.is_available() is False)",
    "xpu": "no Intel-GPU backend; devices are 'cpu' and 'cuda'",
    "library": "no custom-operator registry; subclass retrograd.Function",
    "testing": "no testing helpers; compare .numpy() with numpy.testing",
    "use_deterministic_algorithms": "retrograd's CPU kernels are deterministic and it has "
                                    "no switch for the GPU's",
}

__all__ = ["NotSupportedError", "unsupported", "module_getattr", "TOP_LEVEL"]


# Tensor methods PyTorch code reaches for that retrograd lacks (methods.py binds
# ``Tensor.__getattr__`` to ``tensor_getattr``): named, not a bare AttributeError.
TENSOR_METHODS = {
    name: "not implemented yet" for name in (
        "put_",)}
TENSOR_METHODS.update({
    "to_sparse": "sparse tensors are not in retrograd",
    "is_sparse": "sparse tensors are not in retrograd",
    "pin_memory": "retrograd copies to the GPU directly (x.to('cuda'))",
    "share_memory_": "retrograd has no multiprocessing data loading",
    "register_post_accumulate_grad_hook": "use register_hook",
})


def tensor_getattr(tensor, name):
    """``Tensor.__getattr__``: reached only when the normal look-up failed."""
    why = TENSOR_METHODS.get(name)
    if why is not None:
        raise NotSupportedError(f"PyTorch's Tensor.{name} is not in retrograd: {why} "
                                f"(PyTorch compatibility: {DOCS})")
    raise AttributeError(f"'Tensor' object has no attribute {name!r}")
