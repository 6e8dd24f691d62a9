"""The bilinear form of ``F.bilinear``: y_k = x₁ᵀ A_k x₂ + b_k.

Computed as one matrix product, u = x₁ · A (A viewed (in1, out·in2)), then
y_k = Σⱼ u_{kj} x₂ⱼ: the gradients and forward tangents are those of matmul, multiply
and sum.
"""


def bilinear(input1, input2, weight, bias=None):
    """y = x₁ᵀ A x₂ + b for inputs (*, in1) and (*, in2), weight (out, in1, in2)."""
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, got shape "
                           f"{tuple(weight.shape)}")
    out, in1, in2 = weight.shape
    if input1.ndim == 0 or input1.shape[-1] != in1 or input2.ndim == 0 or \
            input2.shape[-1] != in2 or input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input1 {tuple(input1.shape)} and input2 "
                           f"{tuple(input2.shape)} must have the same leading dimensions "
                           f"and last dimensions {in1} and {in2} (weight "
                           f"{tuple(weight.shape)})")
    if bias is not None and tuple(bias.shape) != (out,):
        raise RuntimeError(f"bilinear(): bias must have shape ({out},), got "
                           f"{tuple(bias.shape)}")
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, 1, in2)
    u = (x1 @ weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (u * x2).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out)
