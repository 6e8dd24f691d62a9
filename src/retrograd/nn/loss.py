"""The losses as modules (PyTorch's names and defaults); each calls its function
in ``nn.functional``, where the formulas are."""
from . import functional as F
from .module import Module


class _Loss(Module):
    name = None
    reductions = ("mean", "sum", "none")

    def __init__(self, reduction="mean", **config):
        super().__init__()
        if reduction not in self.reductions:
            raise ValueError(f"{type(self).__name__}: reduction must be one of "
                             f"{self.reductions}, got {reduction!r}")
        self.reduction, self.config = reduction, config

    def forward(self, input, target):
        return type(self).fn(input, target, reduction=self.reduction, **self.config)

    def extra_repr(self):
        shown = {k: v for k, v in self.config.items() if v is not None}
        if self.reduction != "mean":
            shown["reduction"] = repr(self.reduction)
        return ", ".join(f"{k}={v}" for k, v in shown.items())


class CrossEntropyLoss(_Loss):
    """Cross-entropy from logits (fused, stable; gradient ŷ − y*), for class labels,
    one-hot or soft targets."""
    fn = F.cross_entropy

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(reduction, weight=weight, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities and class labels."""
    fn = F.nll_loss

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(reduction, weight=weight, ignore_index=ignore_index)


class MSELoss(_Loss):
    """L2: mean (x − y)²."""
    fn = F.mse_loss


class L1Loss(_Loss):
    """L1: mean |x − y|."""
    fn = F.l1_loss


class HuberLoss(_Loss):
    """Huber with threshold δ."""
    fn = F.huber_loss

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction, delta=delta)


class SmoothL1Loss(_Loss):
    """Huber(β) / β."""
    fn = F.smooth_l1_loss

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction, beta=beta)


class BCELoss(_Loss):
    """Binary cross-entropy from probabilities in [0, 1]."""
    fn = F.binary_cross_entropy

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction, weight=weight)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy from logits (fused, stable; gradient σ(s) − y)."""
    fn = F.binary_cross_entropy_with_logits

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(reduction, weight=weight, pos_weight=pos_weight)


class KLDivLoss(_Loss):
    """KL(y* ‖ ŷ) from log-probabilities; use reduction="batchmean" for the true KL."""
    fn = F.kl_div
    reductions = ("mean", "sum", "none", "batchmean")

    def __init__(self, reduction="mean", log_target=False):
        super().__init__(reduction, log_target=log_target)


class HingeEmbeddingLoss(_Loss):
    """x if y = 1, max(0, margin − x) if y = −1."""
    fn = F.hinge_embedding_loss

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction, margin=margin)


class MultiMarginLoss(_Loss):
    """Multi-class hinge Σ_{j≠y} max(0, margin − s_y + s_j)^p / C."""
    fn = F.multi_margin_loss

    def __init__(self, p=1, margin=1.0, weight=None, reduction="mean"):
        super().__init__(reduction, p=p, margin=margin, weight=weight)
