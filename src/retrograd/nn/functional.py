"""``retrograd.nn.functional``: activations, losses and dropout as functions, with
PyTorch's names, signatures and defaults (``F.cross_entropy``, ``F.leaky_relu(x,
negative_slope=0.01)``, …), so code written for ``torch.nn.functional`` carries over.

Each function validates its arguments once and calls one fused op from
``retrograd.ops`` (the formulas and derivatives are documented there). The
``inplace`` flags are accepted for compatibility; retrograd never overwrites the
input of an op that the graph may still need, so the result is the same value in
a new tensor.
"""
import numpy as np

from ..backend import array_module, to_device
from ..ops import activations as _act
from ..ops import losses as _loss
from ..ops.conv import conv1d, conv2d, conv_transpose2d
from ..ops.embedding import embedding
from ..ops.fold import fold, unfold
from ..ops.matmul import affine, linear
from ..ops.normalization import batch_norm, layer_norm
from ..ops.padding import pad
from ..ops.pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_max_pool1d,
                           adaptive_max_pool2d, avg_pool1d, avg_pool2d, max_pool1d, max_pool2d,
                           max_unpool1d, max_unpool2d)
from ..ops.softmax import LogSoftmax, Softmax
from ..random import generator_for
from ..tensor import Tensor
from .dropout import dropout, dropout1d, dropout2d
from .module import as_input

# -- attention and the group/instance/RMS/local-response norms (nn/attention.py,
# nn/group_norm.py) --
from .attention import scaled_dot_product_attention
from .group_norm import group_norm, instance_norm, local_response_norm, rms_norm

_ATTENTION_AND_NORMS = ["scaled_dot_product_attention", "group_norm", "instance_norm",
                        "rms_norm", "local_response_norm"]

__all__ = [
    "heaviside", "identity", "sigmoid", "tanh", "relu", "relu6", "leaky_relu", "prelu", "rrelu",
    "elu", "selu", "gelu", "silu", "swish", "softplus", "hardtanh", "hardsigmoid", "hardswish",
    "softsign", "mish", "logsigmoid", "softmax", "log_softmax", "linear", "affine", "dropout",
    "one_hot", "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "huber_loss",
    "smooth_l1_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "hinge_embedding_loss", "multi_margin_loss",
    "conv1d", "conv2d", "conv_transpose2d", "pad", "max_pool1d", "max_pool2d", "avg_pool1d",
    "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "max_unpool1d", "max_unpool2d", "unfold", "fold",
    "batch_norm", "layer_norm", "embedding", "dropout1d", "dropout2d",
] + _ATTENTION_AND_NORMS


# -- activations ---------------------------------------------------------------

def heaviside(input):
    """The course's step H(z) = 1 if z ≥ 0 else 0. Its gradient is 0 wherever it
    exists, so nothing can be learned through it (hence the sigmoid)."""
    return _act.Heaviside().apply(input)


def identity(input):
    """φ(z) = z (Keras's "linear" activation)."""
    return input


def sigmoid(input, a=1.0):
    """σ_a(z) = 1 / (1 + e^{−az}); a = 1 is the logistic sigmoid, large a tends to
    the Heaviside step, and σ_a(z) ≈ ½ + az/4 near 0."""
    return _act.Sigmoid(a).apply(input)


def tanh(input):
    """tanh z = (eᶻ − e⁻ᶻ) / (eᶻ + e⁻ᶻ)."""
    return _act.Tanh().apply(input)


def relu(input, inplace=False):
    """ReLU(z) = max(0, z)."""
    return _act.ReLU().apply(input)


def relu6(input, inplace=False):
    """min(max(0, z), 6)."""
    return _act.Hardtanh(0.0, 6.0).apply(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """LReLU(z) = z if z > 0 else λz (λ = ``negative_slope``, a hyper-parameter)."""
    return _act.LeakyReLU(negative_slope).apply(input)


def prelu(input, weight):
    """PReLU(z) = z if z > 0 else λ_k z with λ learned: ``weight`` holds one slope per
    channel (axis 1 of the input) or a single shared slope."""
    return _act.PReLU().apply(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False,
          generator=None):
    """RReLU(z) = z if z > 0 else λz, with λ ~ U(lower, upper) drawn afresh for every
    element in training, and λ = (lower + upper)/2 (its mean) in evaluation, so
    inference is deterministic."""
    if not 0 <= lower <= upper:
        raise ValueError(f"rrelu: need 0 ≤ lower ≤ upper, got lower={lower}, upper={upper}")
    if not training:
        return _act.LeakyReLU((lower + upper) / 2).apply(input)
    xp = array_module(input.array)
    slopes = generator_for(xp, generator).uniform(lower, upper, size=input.shape)
    slopes = to_device(slopes.astype(input.dtype, copy=False), input.device)
    return _act.LeakyReLU(slopes).apply(input)


def elu(input, alpha=1.0, inplace=False):
    """ELU(z) = z if z > 0 else α(eᶻ − 1) (α smooths the negative part)."""
    return _act.ELU(alpha).apply(input)


def selu(input, inplace=False):
    """SELU(z) = s·ELU_α(z) with s ≈ 1.0507, α ≈ 1.6733."""
    return _act.ELU(_act.SELU_ALPHA, _act.SELU_SCALE).apply(input)


def gelu(input, approximate="none"):
    """GELU(z) = z Φ(z) (Φ the normal CDF); ``approximate="tanh"`` uses
    ½z(1 + tanh(√(2/π)(z + 0.044715z³)))."""
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _act.GELU(approximate).apply(input)


def silu(input, inplace=False):
    """SiLU(z) = swish(z) = z σ(z)."""
    return _act.SiLU().apply(input)


swish = silu


def softplus(input, beta=1.0, threshold=20.0):
    """softplus(z) = (1/β) log(1 + e^{βz}), a smooth ReLU (z itself where βz > threshold)."""
    return _act.Softplus(beta, threshold).apply(input)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clip(z, min_val, max_val)."""
    if min_val >= max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must be below max_val ({max_val})")
    return _act.Hardtanh(min_val, max_val).apply(input)


def hardsigmoid(input, inplace=False):
    """hard_sigmoid(z) = clip(z/6 + ½, 0, 1), a piecewise-linear sigmoid."""
    return _act.Hardsigmoid().apply(input)


def hardswish(input, inplace=False):
    """z · hard_sigmoid(z)."""
    return _act.Hardswish().apply(input)


def softsign(input):
    """z / (1 + |z|)."""
    return _act.Softsign().apply(input)


def mish(input, inplace=False):
    """z tanh(softplus(z))."""
    return _act.Mish().apply(input)


def logsigmoid(input):
    """log σ(z) = −softplus(−z), computed stably."""
    return _act.LogSigmoid().apply(input)


def softmax(input, dim=-1):
    """softmax(s)ₖ = e^{sₖ} / Σⱼ e^{sⱼ} along ``dim``, stabilised by the max."""
    return Softmax(dim).apply(input)


def log_softmax(input, dim=-1):
    """log softmax(s)ₖ = sₖ − log Σⱼ e^{sⱼ} along ``dim``, stable."""
    return LogSoftmax(dim).apply(input)


def one_hot(tensor, num_classes=-1):
    """Class labels (…,) → one-hot (…, C) int64: y*_c = 1 if c is the label else 0."""
    labels = tensor.array if isinstance(tensor, Tensor) else np.asarray(tensor)
    xp = array_module(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"one_hot: class labels must be integers, got dtype {labels.dtype}")
    c = int(labels.max()) + 1 if num_classes == -1 and labels.size else int(num_classes)
    if labels.size and (labels.min() < 0 or labels.max() >= c):
        raise ValueError(f"one_hot: labels must lie in [0, {c}), got values from "
                         f"{int(labels.min())} to {int(labels.max())}")
    out = xp.zeros((labels.size, max(c, 0)), dtype=np.int64)
    out[xp.arange(labels.size), labels.reshape(-1)] = 1
    return Tensor._wrap(out.reshape(labels.shape + (max(c, 0),)))


# -- argument checks -------------------------------------------------------------

_REDUCTIONS = ("mean", "sum", "none")


def _reduction(name, reduction, allowed=_REDUCTIONS):
    if reduction not in allowed:
        raise ValueError(f"{name}: reduction must be one of {allowed}, got {reduction!r}")


def _as_tensor(x, like, name, what="target"):
    """A target given as an array or list becomes a tensor on the input's device."""
    if isinstance(x, Tensor):
        if x.device != like.device:
            raise RuntimeError(f"{name}: input is on {like.device} but {what} is on "
                               f"{x.device}; move one with .to()")
        return x
    if x is None:
        raise TypeError(f"{name}: {what} is None")
    return Tensor(as_input(x, name, what), device=like.device)


def _float_target(name, input, target):
    """A target of the input's shape for an elementwise loss, in the input's dtype."""
    target = _as_tensor(target, input, name)
    if target.shape != input.shape:
        hint = ""
        if target.dtype.kind in "iu" and target.ndim == input.ndim - 1 and input.ndim >= 2:
            hint = (f"; these look like integer class labels: {name} needs one value per "
                    "input element (e.g. one-hot), so use cross_entropy (logits) or "
                    "nll_loss (log-probabilities) for class labels, or encode them with "
                    f"one_hot(target, {input.shape[-1]})")
        elif target.size == input.size:
            hint = f"; reshape the target to {tuple(input.shape)}"
        raise ValueError(f"{name}: target of shape {tuple(target.shape)} does not match "
                         f"input of shape {tuple(input.shape)}{hint}")
    if target.dtype != input.dtype and input.dtype.kind == "f":
        target = target.to(dtype=input.dtype)
    return target


def _array(x, like, name, what):
    """An optional weight given as a tensor, array or list, as an array of the input's dtype."""
    if x is None:
        return None
    if isinstance(x, str):   # e.g. cross_entropy(x, t, "sum"): PyTorch's 3rd argument is weight
        raise TypeError(f"{name}: {what} must be a tensor of weights, got {x!r}; pass "
                        f"reduction={x!r} by keyword")
    a = x.array if isinstance(x, Tensor) else x
    return array_module(like.array).asarray(a, dtype=like.dtype)


# -- losses ----------------------------------------------------------------------

def mse_loss(input, target, reduction="mean"):
    """L2 (mean squared error): ℓ = mean (x − y)²."""
    _reduction("mse_loss", reduction)
    return _loss.MSELoss(reduction).apply(input, _float_target("mse_loss", input, target))


def l1_loss(input, target, reduction="mean"):
    """L1 (mean absolute error): ℓ = mean |x − y|."""
    _reduction("l1_loss", reduction)
    return _loss.L1Loss(reduction).apply(input, _float_target("l1_loss", input, target))


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber: ½d² for |d| < δ, δ(|d| − ½δ) beyond (d = x − y): L2 near 0, L1 far away."""
    _reduction("huber_loss", reduction)
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return _loss.HuberLoss(reduction, delta).apply(
        input, _float_target("huber_loss", input, target))


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    """Smooth L1 = Huber(δ = β) / β; β = 0 is the L1 loss."""
    _reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be ≥ 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    return _loss.HuberLoss(reduction, beta, 1.0 / beta).apply(
        input, _float_target("smooth_l1_loss", input, target))


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """BCE from probabilities p ∈ [0, 1]: ℓ = −(y log p + (1 − y) log(1 − p)).

    Prefer ``binary_cross_entropy_with_logits`` on the pre-sigmoid scores: it is
    fused and stable, and its gradient is σ(s) − y."""
    name = "binary_cross_entropy"
    _reduction(name, reduction)
    target = _float_target(name, input, target)
    p = input.array
    if p.size:
        lo, hi = float(p.min()), float(p.max())
        if not (lo >= 0 and hi <= 1):   # also catches NaN
            raise ValueError(f"{name}: input must hold probabilities in [0, 1], got values "
                             f"from {lo:.4g} to {hi:.4g}; apply sigmoid first, or use "
                             "binary_cross_entropy_with_logits on the raw scores")
    return _loss.BinaryCrossEntropy(reduction, _array(weight, input, name, "weight")).apply(
        input, target)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """BCE from logits s, fused and stable: ℓ = max(s, 0) − sy + log(1 + e^{−|s|}),
    ∂ℓ/∂s = σ(s) − y. ``pos_weight`` multiplies the positive term (per class)."""
    name = "binary_cross_entropy_with_logits"
    _reduction(name, reduction)
    target = _float_target(name, input, target)
    return _loss.BinaryCrossEntropyWithLogits(
        reduction, _array(weight, input, name, "weight"),
        _array(pos_weight, input, name, "pos_weight")).apply(input, target)


def kl_div(input, target, reduction="mean", log_target=False):
    """KL(y* ‖ ŷ) = Σ y* (log y* − log ŷ), with ``input`` = log ŷ (log-probabilities,
    as PyTorch). ``reduction="batchmean"`` gives the KL divergence per sample;
    "mean" divides by the number of elements (PyTorch's default)."""
    name = "kl_div"
    _reduction(name, reduction, _REDUCTIONS + ("batchmean",))
    return _loss.KLDivergence(reduction, log_target).apply(
        input, _float_target(name, input, target))


def _class_layout(name, input, target):
    """Bring logits (N, C, d₁, …), (N, C) or (C,) and their targets to (M, C) and
    (M,) labels or (M, C) probabilities. Returns (x, t, labels?, shape of "none")."""
    if input.ndim == 0:
        raise ValueError(f"{name}: input must have a class axis, got a scalar")
    labels = target.ndim == input.ndim - 1
    if not labels and target.shape != input.shape:
        raise ValueError(
            f"{name}: target of shape {tuple(target.shape)} does not fit input of shape "
            f"{tuple(input.shape)}: expected class labels of shape "
            f"{tuple(input.shape[:1] + input.shape[2:])} or probabilities of shape "
            f"{tuple(input.shape)}")
    if labels and input.ndim > 1 and target.shape != input.shape[:1] + input.shape[2:]:
        raise ValueError(
            f"{name}: class labels of shape {tuple(target.shape)} do not fit input of shape "
            f"{tuple(input.shape)}: expected {tuple(input.shape[:1] + input.shape[2:])}")
    if input.ndim == 1:
        return (input.reshape(1, -1), target.reshape(1) if labels else target.reshape(1, -1),
                labels, ())
    if input.ndim == 2:
        return input, target, labels, None
    c = input.shape[1]
    perm = (0,) + tuple(range(2, input.ndim)) + (1,)
    x = input.permute(*perm).reshape(-1, c)
    t = target.reshape(-1) if labels else target.permute(*perm).reshape(-1, c)
    return x, t, labels, input.shape[:1] + input.shape[2:]


def _check_labels(name, t, c, ignore_index):
    """Class labels must be integers in [0, C) (or equal ``ignore_index``).
    Returns whether some label is ignored."""
    a = t.array
    if a.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: class labels must be integers, got a {a.dtype} target of shape "
            f"{tuple(a.shape)}; convert it with .long(), or give probabilities of the "
            "input's shape (one-hot or soft targets)")
    if a.size == 0:
        return False
    if a.size <= 64:   # a few labels (online SGD): Python's min/max beat two reductions
        labels = a.reshape(-1).tolist()
        lo, hi = min(labels), max(labels)
    elif isinstance(a, np.ndarray):
        lo, hi = int(a.min()), int(a.max())
    else:   # on a GPU each read waits for the device: read both bounds at once
        lo, hi = array_module(a).stack((a.min(), a.max())).tolist()
    ignored = lo <= ignore_index <= hi and bool((a == ignore_index).any())
    if lo < 0 or hi >= c:
        bad = a[((a < 0) | (a >= c)) & (a != ignore_index)]
        if bad.size:
            raise ValueError(f"{name}: class labels must lie in [0, {c}) for an input with "
                             f"{c} classes, got {bad[:5].tolist()}"
                             f"{' …' if bad.size > 5 else ''}")
    return ignored


def _restore(loss, reduction, shape):
    return loss.reshape(shape) if reduction == "none" and shape is not None else loss


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy from logits s (N, C): ℓᵢ = −Σ_c y*_ic log softmax(sᵢ)_c.

    ``target``: integer class labels (N,), or probabilities (N, C), one-hot or soft.
    Fused and stable (log-softmax by the max; finite for any logits); its gradient is
    the course's ∂ℓ/∂s = ŷ − y*. ``label_smoothing`` ε: y* ← (1 − ε)y* + ε/C.
    ``weight`` (C,) weights each class; labels equal to ``ignore_index`` are skipped.
    Inputs (C,) and (N, C, d₁, …) work as in PyTorch.

    >>> F.cross_entropy(logits, labels)            # mean over the batch
    """
    name = "cross_entropy"
    _reduction(name, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{name}: label_smoothing must lie in [0, 1], got {label_smoothing}")
    target = _as_tensor(target, input, name)
    x, t, labels, shape = _class_layout(name, input, target)
    c = x.shape[1]
    w = _array(weight, input, name, "weight")
    if w is not None and w.shape != (c,):
        raise ValueError(f"{name}: weight must have shape ({c},) (one per class), got {w.shape}")
    if labels:
        ignored = _check_labels(name, t, c, ignore_index)
        if w is None and not ignored:
            loss = _loss.SoftmaxCrossEntropy(reduction, label_smoothing).apply(x, t)
        else:
            loss = _weighted_label_ce(x, t, w, ignore_index, reduction, label_smoothing)
    else:
        if t.dtype.kind in "iub":
            a = t.array
            if a.size and not bool(((a == 0) | (a == 1)).all()):
                raise ValueError(
                    f"{name}: an integer target of the input's shape {tuple(input.shape)} "
                    f"is read as one-hot probabilities, but it holds "
                    f"{sorted(set(a[(a != 0) & (a != 1)].tolist()))[:5]}; give class labels "
                    f"of shape {tuple(input.shape[:1] + input.shape[2:])} instead")
        if t.dtype != x.dtype:
            t = t.to(dtype=x.dtype)   # one-hot ints, or float64 targets: stay in float32
        if w is None:
            loss = _loss.SoftmaxCrossEntropy(reduction, label_smoothing).apply(x, t)
        else:
            q = t if not label_smoothing else t * (1 - label_smoothing) + label_smoothing / c
            per = -(log_softmax(x, 1) * q * Tensor._wrap(w)).sum(axis=1)
            loss = per.mean() if reduction == "mean" else per.sum() if reduction == "sum" else per
    return _restore(loss, reduction, shape)


def _weighted_label_ce(x, t, w, ignore_index, reduction, eps):
    """Class weights or ignored labels: log-softmax then NLL, as PyTorch defines them
    (with smoothing, the uniform part is weighted and normalised the same way)."""
    logp = log_softmax(x, 1)
    nll = _loss.NLLLoss(t.array, w, ignore_index, reduction).apply(logp)
    if not eps:
        return nll
    xp = array_module(x.array)
    valid = (t.array != ignore_index).astype(x.dtype)
    wl = logp if w is None else logp * Tensor._wrap(w)
    smooth = -wl.sum(axis=1) * Tensor._wrap(valid)
    if reduction == "mean":
        tv = xp.where(t.array != ignore_index, t.array, 0)
        den = valid.sum() if w is None else (w[tv] * valid).sum()
        smooth = smooth.sum() / float(den)
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - eps) + smooth * (eps / x.shape[1])


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood ℓᵢ = −w_{tᵢ} x_{i,tᵢ} of log-probabilities x (N, C)
    (e.g. from ``log_softmax``) and integer class labels t (N,)."""
    name = "nll_loss"
    _reduction(name, reduction)
    target = _as_tensor(target, input, name)
    x, t, labels, shape = _class_layout(name, input, target)
    if not labels:
        raise ValueError(f"{name}: target of shape {tuple(target.shape)} must hold class "
                         f"labels (one axis fewer than the input {tuple(input.shape)}); "
                         "for probability targets use cross_entropy or kl_div")
    _check_labels(name, t, x.shape[1], ignore_index)
    w = _array(weight, input, name, "weight")
    return _restore(_loss.NLLLoss(t.array, w, ignore_index, reduction).apply(x), reduction,
                    shape)


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    """Hinge loss on a score x with y ∈ {1, −1}: ℓ = x if y = 1, max(0, margin − x)
    if y = −1 (PyTorch's definition)."""
    from ..ops.elementwise import where
    name = "hinge_embedding_loss"
    _reduction(name, reduction)
    target = _float_target(name, input, target).array
    if not bool(((target == 1) | (target == -1)).all()):
        bad = target[(target != 1) & (target != -1)]
        raise ValueError(f"{name}: targets must be 1 or -1, got {bad[:5].tolist()} in a "
                         f"target of shape {tuple(target.shape)}")
    hinge = relu(margin - input)
    loss = where(target != 1, hinge, 0.0) + where(target != -1, input, 0.0)
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    """Multi-class hinge: ℓᵢ = Σ_{j ≠ yᵢ} max(0, margin − s_{yᵢ} + s_j)^p / C, with
    scores s (N, C) and class labels y (N,); p ∈ {1, 2}."""
    name = "multi_margin_loss"
    _reduction(name, reduction)
    if p not in (1, 2):
        raise ValueError(f"{name}: p must be 1 or 2, got {p!r}")
    target = _as_tensor(target, input, name)
    squeeze = input.ndim == 1
    if squeeze and target.size != 1:
        raise ValueError(f"{name}: a single sample's scores (C,) take one label, got input "
                         f"{tuple(input.shape)} and target {tuple(target.shape)}")
    x = input.reshape(1, -1) if squeeze else input
    t = target.reshape(1) if squeeze else target
    if x.ndim != 2 or t.shape != x.shape[:1]:
        raise ValueError(f"{name}: expected input scores (N, C) and target labels (N,), "
                         f"got input {tuple(input.shape)} and target {tuple(target.shape)}")
    n, c = x.shape
    _check_labels(name, t, c, -100)
    xp = array_module(x.array)
    rows = xp.arange(n)
    m = relu(margin - x[rows, t.array].reshape(n, 1) + x)
    if p == 2:
        m = m * m
    mask = xp.ones((n, c), dtype=x.dtype)
    mask[rows, t.array] = 0
    if weight is not None:
        mask *= _array(weight, x, name, "weight")[t.array][:, None]
    loss = (m * Tensor._wrap(mask)).sum(axis=1) / c
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss.reshape(()) if squeeze else loss


# -- distances, resampling, pixel shuffle, more activations, dropouts and losses
# (nn/distance.py, upsampling.py, reshaping.py, activation_variants.py,
# dropout_variants.py, embedding_bag.py, grid_sampling.py, margin_losses.py,
# likelihood_losses.py, ops/bilinear_form.py, ops/conv_transpose1d.py); the two loss
# modules read this module's target checks when called, not when imported --
from .activation_variants import (celu, celu_, elu_, glu, gumbel_softmax, hardshrink,  # noqa: E402
                                  hardtanh_, leaky_relu_, relu_, softmin, softshrink,
                                  tanhshrink, threshold, threshold_)
from ..ops.bilinear_form import bilinear  # noqa: E402
from ..ops.conv_transpose1d import conv_transpose1d  # noqa: E402
from .distance import cosine_similarity, normalize, pairwise_distance, pdist  # noqa: E402
from .dropout_variants import alpha_dropout, dropout3d, feature_alpha_dropout  # noqa: E402
from .embedding_bag import embedding_bag  # noqa: E402
from .grid_sampling import affine_grid, grid_sample  # noqa: E402
from .likelihood_losses import gaussian_nll_loss, poisson_nll_loss  # noqa: E402
from .margin_losses import (cosine_embedding_loss, margin_ranking_loss,  # noqa: E402
                            multilabel_margin_loss, multilabel_soft_margin_loss,
                            soft_margin_loss, triplet_margin_loss,
                            triplet_margin_with_distance_loss)
from .reshaping import channel_shuffle, pixel_shuffle, pixel_unshuffle  # noqa: E402
from .upsampling import (interpolate, upsample, upsample_bilinear,  # noqa: E402
                         upsample_nearest)

__all__ += [
    "celu", "celu_", "elu_", "glu", "gumbel_softmax", "hardshrink", "hardtanh_", "leaky_relu_",
    "relu_", "softmin", "softshrink", "tanhshrink", "threshold", "threshold_", "bilinear",
    "conv_transpose1d", "cosine_similarity", "normalize", "pairwise_distance", "pdist",
    "alpha_dropout", "dropout3d", "feature_alpha_dropout", "gaussian_nll_loss",
    "poisson_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "soft_margin_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss", "pixel_shuffle",
    "pixel_unshuffle", "interpolate", "upsample", "upsample_bilinear", "upsample_nearest",
    "embedding_bag", "affine_grid", "grid_sample", "channel_shuffle",
]
