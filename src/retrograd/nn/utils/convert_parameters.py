"""All parameters as one flat vector and back, as ``torch.nn.utils``'s
``parameters_to_vector`` / ``vector_to_parameters`` (second-order methods, weight
averaging and evolution strategies work on the flat vector)."""
from ...ops.shape import concatenate
from ...tensor import Tensor


def parameters_to_vector(parameters):
    """θ = concat(p.reshape(-1) for p in parameters): a 1-D tensor, differentiable."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(parameters):
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters_to_vector: expected an iterable of Tensors, got "
                            f"{type(p).__name__} at position {i}")
    devices = {str(p.device) for p in parameters}
    if len(devices) > 1:
        raise TypeError(f"Found two parameters on different devices, this is currently not "
                        f"supported. (devices: {sorted(devices)})")
    return concatenate([p.reshape(-1) for p in parameters], 0)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D ``vec`` into ``parameters`` (in place, no graph)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    total = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.numel() != total:
        raise RuntimeError(f"vector_to_parameters: vec has shape {tuple(vec.shape)}, expected "
                           f"a 1-D tensor of {total} elements (the parameters' total)")
    pointer = 0
    for p in parameters:
        n = p.numel()
        p.data = vec.array[pointer:pointer + n].reshape(p.shape).astype(p.dtype, copy=False)
        pointer += n
