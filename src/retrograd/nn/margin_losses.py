"""Margin losses: similarity and ranking of embeddings, and multi-label margins
(PyTorch's names, arguments and reductions; functions and modules).

* cosine_embedding_loss: 1 − cos(x₁, x₂) if y = 1, max(0, cos(x₁, x₂) − margin) if y = −1
* margin_ranking_loss:   max(0, −y·(x₁ − x₂) + margin)
* triplet_margin_loss:   max(0, d(a, p) − d(a, n) + margin), d = ‖· − · + ε‖_p
  (``swap``: d(a, n) ← min(d(a, n), d(p, n)))
* soft_margin_loss:      log(1 + e^{−y·x}), the mean over every element
* multilabel_soft_margin_loss: −(1/C) Σ_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)]
* multilabel_margin_loss: (1/C) Σ_{j ∈ targets} Σ_{k ∉ targets} max(0, 1 − (x_j − x_k)),
  the targets being the class indices of ``target`` before its first −1

They are built from differentiable ops, whose gradients and tangents they inherit.
"""
import numpy as np

from ..backend import array_module, to_device
from ..ops.elementwise import where
from ..tensor import Tensor
from ..ops import activations as _act
from .distance import PairwiseDistance, pairwise_distance
from .module import Module


def legacy_reduction(size_average, reduce, reduction):
    """PyTorch's deprecated ``size_average``/``reduce`` flags, when given, decide."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


def _reduce(name, loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{name}: {reduction} is not a valid value for reduction")


def _check_reduction(name, reduction):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: {reduction} is not a valid value for reduction")


def float_target(name, input, target):
    """``target`` checked and cast as the elementwise losses of ``nn.functional`` do
    (imported when called: functional imports this module)."""
    from .functional import _float_target
    try:
        return _float_target(name, input, target)
    except ValueError as e:     # a shape that does not fit: PyTorch's RuntimeError
        raise RuntimeError(str(e)) from None


def _same_shape(name, **tensors):
    """PyTorch's RuntimeError when the operands of an elementwise loss do not broadcast."""
    shapes = {k: tuple(t.shape) for k, t in tensors.items()}
    try:
        np.broadcast_shapes(*shapes.values())
    except ValueError:
        raise RuntimeError(f"{name}: the shapes of " + ", ".join(
            f"{k} {v}" for k, v in shapes.items()) + " do not broadcast") from None


def _target(name, target, like):
    if not isinstance(target, Tensor):
        target = Tensor(array_module(like.array).asarray(target))
    return target


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 − cos(x₁, x₂) for pairs with y = 1, max(0, cos − margin) for y = −1."""
    name = "cosine_embedding_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(name, reduction)
    target = _target(name, target, input1)
    if target.ndim > 1:
        raise RuntimeError(f"{name}: 0D or 1D target tensor expected, multi-target not "
                           f"supported, got target {tuple(target.shape)}")
    want = target.ndim + 1
    if input1.ndim != want or input2.ndim != want or input1.shape != input2.shape:
        raise RuntimeError(f"{name}: {target.ndim}D target tensor expects {want}D input "
                           f"tensors of equal shapes, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}")
    d = want - 1
    # ATen's formula: x₁·x₂ / √((‖x₁‖² + 1e−12)(‖x₂‖² + 1e−12))
    cos = (input1 * input2).sum(d) / (((input1 * input1).sum(d) + 1e-12)
                                      * ((input2 * input2).sum(d) + 1e-12)).sqrt()
    y = target.array
    loss = where(y == 1, 1 - cos, 0.0) + where(y == -1, _act.relu(cos - margin), 0.0)
    return _reduce(name, loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, −y·(x₁ − x₂) + margin): x₁ should rank above x₂ when y = 1, below when −1."""
    name = "margin_ranking_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(name, reduction)
    target = _target(name, target, input1)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same "
                           f"dimension but got sizes: input1: {list(input1.shape)}, input2: "
                           f"{list(input2.shape)}, target: {list(target.shape)} ")
    _same_shape(name, input1=input1, input2=input2, target=target)
    loss = _act.relu(-target * (input1 - input2) + margin)
    return _reduce(name, loss, reduction)


def _triplet_dims(name, a, p, n):
    if not a.ndim == p.ndim == n.ndim:
        raise RuntimeError(f"{name}: The anchor, positive, and negative tensors are expected "
                           f"to have the same number of dimensions, but got: anchor "
                           f"{a.ndim}D, positive {p.ndim}D, and negative {n.ndim}D inputs")


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, ‖a − p‖ − ‖a − n‖ + margin): the anchor nearer the positive than the
    negative by at least ``margin``."""
    name = "triplet_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(name, reduction)
    _triplet_dims(name, anchor, positive, negative)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = where(d_swap.array < d_neg.array, d_swap, d_neg)
    return _reduce(name, _act.relu(margin + d_pos - d_neg), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """max(0, d(a, p) − d(a, n) + margin) for any distance ``d`` (default
    ``pairwise_distance``)."""
    name = "triplet_margin_with_distance_loss"
    _check_reduction(name, reduction)
    if margin <= 0:
        raise ValueError(f"{name}: expected margin to be greater than 0, got {margin} "
                         "instead")
    _triplet_dims(name, anchor, positive, negative)
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_swap = dist(positive, negative)
        d_neg = where(d_swap.array < d_neg.array, d_swap, d_neg)
    return _reduce(name, _act.relu(margin + d_pos - d_neg), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + e^{−y·x}) for y ∈ {1, −1} (a logistic two-class loss), per element."""
    name = "soft_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(name, reduction)
    target = float_target(name, input, target)
    return _reduce(name, _act.softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Per-class logistic loss of multi-label scores (N, C) and 0/1 targets (N, C),
    averaged over the classes: −(1/C) Σ_c [y log σ(x) + (1 − y) log σ(−x)] (× weight_c)."""
    name = "multilabel_soft_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(name, reduction)
    target = float_target(name, input, target)
    loss = -(target * _act.logsigmoid(input) + (1 - target) * _act.logsigmoid(-input))
    if weight is not None:
        if not isinstance(weight, Tensor):
            weight = Tensor._wrap(array_module(input.array).asarray(weight, dtype=input.dtype))
        loss = loss * weight
    c = input.ndim - 1
    loss = loss.sum(c) / input.shape[c] if input.ndim else loss
    return _reduce(name, loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """(1/C) Σ_{j ∈ targets} Σ_{k ∉ targets} max(0, 1 − (x_j − x_k)) per sample, with the
    targets the class indices of ``target`` (same shape as ``input``) before its first −1."""
    name = "multilabel_margin_loss"
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(name, reduction)
    target = _target(name, target, input)
    if input.ndim not in (1, 2) or target.shape != input.shape:
        raise RuntimeError(f"{name}: inconsistent target size: {list(target.shape)} for "
                           f"input of size: {list(input.shape)} (expected (C,) or (N, C), "
                           "the same for both)")
    t = np.asarray(to_device(target.array, "cpu"))
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected an integer (long) target, got {t.dtype}")
    t2 = t.reshape(-1, t.shape[-1]) if t.ndim else t.reshape(1, 1)
    n, c = t2.shape
    used = np.cumprod(t2 >= 0, axis=1).astype(bool)      # the entries before the first −1
    if (t2[used] >= c).any():
        raise RuntimeError(f"{name}: target index {int(t2[used].max())} is out of bounds for "
                           f"{c} classes")
    count = np.zeros((n, c))
    np.add.at(count, (np.nonzero(used)[0], t2[used]), 1)  # how often each class is a target
    is_target = count > 0
    xp = array_module(input.array)
    x = input.reshape(n, c)
    pair = xp.asarray((count[:, :, None] * ~is_target[:, None, :]), dtype=input.dtype)
    hinge = _act.relu(1 - x.reshape(n, c, 1) + x.reshape(n, 1, c))      # (N, j, k)
    loss = (hinge * pair).sum((1, 2)) / c
    if input.ndim == 1:
        loss = loss.reshape(())
    return _reduce(name, loss, reduction)


# -- modules -----------------------------------------------------------------------------

class _Loss(Module):
    """A loss of (input, target): ``fn(input, target, reduction=…, **config)``."""
    fn = None

    def __init__(self, reduction="mean", **config):
        super().__init__()
        _check_reduction(type(self).__name__, reduction)
        self.reduction, self.config = reduction, config

    def forward(self, input, target):
        return type(self).fn(input, target, reduction=self.reduction, **self.config)



class _PairLoss(Module):
    """A loss of three tensors with a margin (input1, input2, target)."""
    fn = None

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        self.margin = margin
        self.reduction = legacy_reduction(size_average, reduce, reduction)

    def forward(self, input1, input2, target):
        return type(self).fn(input1, input2, target, margin=self.margin,
                             reduction=self.reduction)



class CosineEmbeddingLoss(_PairLoss):
    """1 − cos(x₁, x₂) if y = 1, max(0, cos − margin) if y = −1."""
    fn = cosine_embedding_loss


class MarginRankingLoss(_PairLoss):
    """max(0, −y·(x₁ − x₂) + margin)."""
    fn = margin_ranking_loss


class TripletMarginLoss(Module):
    """max(0, ‖a − p‖_p − ‖a − n‖_p + margin). ``TripletMarginLoss(margin=1.0, p=2.0,
    eps=1e-6, swap=False, reduction="mean")``."""

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None,
                 reduce=None, reduction="mean"):
        super().__init__()
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap
        self.reduction = legacy_reduction(size_average, reduce, reduction)

    def forward(self, anchor, positive, negative):
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                   eps=self.eps, swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(Module):
    """max(0, d(a, p) − d(a, n) + margin) for a distance function d."""

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
        super().__init__()
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        # PyTorch's default is a PairwiseDistance module (a child in the repr)
        self.distance_function = PairwiseDistance() if distance_function is None \
            else distance_function
        self.margin, self.swap, self.reduction = margin, swap, reduction

    def forward(self, anchor, positive, negative):
        return triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """log(1 + e^{−y·x})."""
    fn = staticmethod(soft_margin_loss)

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(legacy_reduction(size_average, reduce, reduction))


class MultiLabelSoftMarginLoss(_Loss):
    """Per-class logistic loss averaged over the classes."""
    fn = staticmethod(multilabel_soft_margin_loss)

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(legacy_reduction(size_average, reduce, reduction), weight=weight)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge over (target, non-target) class pairs."""
    fn = staticmethod(multilabel_margin_loss)

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__(legacy_reduction(size_average, reduce, reduction))
