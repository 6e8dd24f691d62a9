"""The differentiable operations, grouped as the course groups them.

arithmetic   + − × / ** and negation            (the "opérateurs binaires")
elementwise  exp log sqrt abs sin cos, maximum minimum clip where
activations  sigmoid tanh relu and the other non-linearities φ
matmul       the matrix product and the fused affine map  xW + b
reductions   sum mean max min var logsumexp
softmax      softmax and log-softmax, stabilised by the max
losses       fused, stable losses (cross-entropy from logits: ∂ℓ/∂s = ŷ − y*)
shape        reshape transpose broadcast concatenate stack, dtype/device moves
indexing     slicing and integer-array indexing (gradient scatter-adds)
chain        a run of layers as one node (nn.Sequential's multi-layer perceptron)
sorting      sort argsort topk unique;  scan: cumsum cumprod
triangular   tril triu diag trace;  reorder: flip roll;  einsum: einsum outer
scatter      index_select scatter scatter_add;  comparison: isclose allclose equal nonzero
sampling     multinomial
(and conv, pooling, padding, fold, normalization, embedding: the convolutional networks)
"""
from . import (activations, arithmetic, chain, comparison, einsum, elementwise, indexing,  # noqa: F401
               losses, matmul, reductions, reorder, sampling, scan, scatter, shape, softmax,
               sorting, triangular)
