"""Losses: gradcheck (float64), forward mode, PyTorch parity, stability, bad targets."""
import numpy as np
import pytest

import retrograd as rg
from retrograd import nn
from retrograd.nn import functional as F
from harness import check_grad, check_jvp, compare_torch, torch

TF = torch.nn.functional if torch is not None else None
# PyTorch warns that kl_div's "mean" is not the true KL (we test both reductions)
pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
RNG = np.random.default_rng(0)
N, C = 5, 4
LOGITS = RNG.standard_normal((N, C)) * 2
LABELS = np.array([0, 3, 1, 1, 2])
SOFT = RNG.dirichlet(np.ones(C), size=N)
X = RNG.standard_normal((N, 3))
Y = RNG.standard_normal((N, 3))
P = RNG.uniform(0.05, 0.95, (N, 3))
T01 = RNG.uniform(0, 1, (N, 3))
W = np.array([0.5, 2.0, 1.0, 1.5])


def _labels(xp_labels):
    return rg.tensor(xp_labels)


def _tl(labels):
    return torch.tensor(labels)


# (name, retrograd f, torch f, arrays): every array is differentiated
PAIR_CASES = [
    ("mse", F.mse_loss, TF.mse_loss, (X, Y)),
    ("mse_sum", lambda a, b: F.mse_loss(a, b, reduction="sum"),
     lambda a, b: TF.mse_loss(a, b, reduction="sum"), (X, Y)),
    ("mse_none", lambda a, b: F.mse_loss(a, b, reduction="none"),
     lambda a, b: TF.mse_loss(a, b, reduction="none"), (X, Y)),
    ("l1", F.l1_loss, TF.l1_loss, (X, Y)),
    ("l1_none", lambda a, b: F.l1_loss(a, b, reduction="none"),
     lambda a, b: TF.l1_loss(a, b, reduction="none"), (X, Y)),
    ("huber", lambda a, b: F.huber_loss(a, b, delta=0.7),
     lambda a, b: TF.huber_loss(a, b, delta=0.7), (X, Y)),
    ("huber_sum", lambda a, b: F.huber_loss(a, b, "sum"),
     lambda a, b: TF.huber_loss(a, b, "sum"), (X, Y)),
    ("smooth_l1", lambda a, b: F.smooth_l1_loss(a, b, beta=0.5),
     lambda a, b: TF.smooth_l1_loss(a, b, beta=0.5), (X, Y)),
    ("bce", F.binary_cross_entropy, TF.binary_cross_entropy, (P, T01)),
    ("bce_none", lambda a, b: F.binary_cross_entropy(a, b, reduction="none"),
     lambda a, b: TF.binary_cross_entropy(a, b, reduction="none"), (P, T01)),
    ("bce_weight", lambda a, b: F.binary_cross_entropy(a, b, weight=np.array([1.0, 2.0, 0.5])),
     lambda a, b: TF.binary_cross_entropy(a, b, weight=torch.tensor([1.0, 2.0, 0.5],
                                                                     dtype=torch.float64)),
     (P, T01)),
    ("bce_logits", F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
     (X * 3, T01)),
    ("bce_logits_pos_weight",
     lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=np.array([1.0, 3.0, 0.5]),
                                                     reduction="sum"),
     lambda a, b: TF.binary_cross_entropy_with_logits(
         a, b, pos_weight=torch.tensor([1.0, 3.0, 0.5], dtype=torch.float64), reduction="sum"),
     (X * 3, T01)),
    ("kl_div", lambda a, b: F.kl_div(a, b, reduction="batchmean"),
     lambda a, b: TF.kl_div(a, b, reduction="batchmean"), (np.log(SOFT), SOFT[::-1].copy())),
    ("kl_div_mean", F.kl_div, TF.kl_div, (np.log(SOFT), SOFT[::-1].copy())),
    ("kl_div_log_target", lambda a, b: F.kl_div(a, b, "sum", log_target=True),
     lambda a, b: TF.kl_div(a, b, reduction="sum", log_target=True),
     (np.log(SOFT), np.log(SOFT[::-1]))),
    ("ce_soft", F.cross_entropy, TF.cross_entropy, (LOGITS, SOFT)),
    ("ce_soft_smooth_none", lambda a, b: F.cross_entropy(a, b, reduction="none",
                                                         label_smoothing=0.2),
     lambda a, b: TF.cross_entropy(a, b, reduction="none", label_smoothing=0.2),
     (LOGITS, SOFT)),
    ("ce_soft_weight", lambda a, b: F.cross_entropy(a, b, weight=W),
     lambda a, b: TF.cross_entropy(a, b, weight=torch.tensor(W)), (LOGITS, SOFT)),
]
PAIR_IDS = [c[0] for c in PAIR_CASES]

# losses of the input alone, with integer class labels fixed
LABEL_CASES = [
    ("ce", lambda a: F.cross_entropy(a, _labels(LABELS)),
     lambda a: TF.cross_entropy(a, _tl(LABELS))),
    ("ce_sum", lambda a: F.cross_entropy(a, _labels(LABELS), reduction="sum"),
     lambda a: TF.cross_entropy(a, _tl(LABELS), reduction="sum")),
    ("ce_none_smooth", lambda a: F.cross_entropy(a, _labels(LABELS), reduction="none",
                                                 label_smoothing=0.1),
     lambda a: TF.cross_entropy(a, _tl(LABELS), reduction="none", label_smoothing=0.1)),
    ("ce_weight", lambda a: F.cross_entropy(a, _labels(LABELS), W),
     lambda a: TF.cross_entropy(a, _tl(LABELS), torch.tensor(W))),
    ("ce_weight_smooth_ignore",
     lambda a: F.cross_entropy(a, _labels(np.array([0, 3, -100, 1, 2])), W,
                               label_smoothing=0.3),
     lambda a: TF.cross_entropy(a, _tl(np.array([0, 3, -100, 1, 2])), torch.tensor(W),
                                label_smoothing=0.3)),
    ("ce_ignore_index", lambda a: F.cross_entropy(a, _labels(LABELS), ignore_index=1),
     lambda a: TF.cross_entropy(a, _tl(LABELS), ignore_index=1)),
    ("ce_unbatched", lambda a: F.cross_entropy(a[0], rg.tensor(2)),
     lambda a: TF.cross_entropy(a[0], torch.tensor(2))),
    ("nll", lambda a: F.nll_loss(F.log_softmax(a, 1), _labels(LABELS)),
     lambda a: TF.nll_loss(TF.log_softmax(a, 1), _tl(LABELS))),
    ("nll_weight_ignore_sum",
     lambda a: F.nll_loss(a, _labels(LABELS), W, ignore_index=3, reduction="sum"),
     lambda a: TF.nll_loss(a, _tl(LABELS), torch.tensor(W), ignore_index=3, reduction="sum")),
    ("nll_none", lambda a: F.nll_loss(a, _labels(LABELS), reduction="none"),
     lambda a: TF.nll_loss(a, _tl(LABELS), reduction="none")),
    ("multi_margin", lambda a: F.multi_margin_loss(a, _labels(LABELS)),
     lambda a: TF.multi_margin_loss(a, _tl(LABELS))),
    ("multi_margin_p2_weight",
     lambda a: F.multi_margin_loss(a, _labels(LABELS), p=2, margin=0.5, weight=W,
                                   reduction="none"),
     lambda a: TF.multi_margin_loss(a, _tl(LABELS), p=2, margin=0.5, weight=torch.tensor(W),
                                    reduction="none")),
    ("hinge_embedding", lambda a: F.hinge_embedding_loss(a, rg.tensor(np.sign(LOGITS))),
     lambda a: TF.hinge_embedding_loss(a, torch.tensor(np.sign(LOGITS)))),
]
LABEL_IDS = [c[0] for c in LABEL_CASES]


@pytest.mark.parametrize("name,f,ft,arrays", PAIR_CASES, ids=PAIR_IDS)
def test_pair_losses_gradcheck_jvp_and_parity(name, f, ft, arrays):
    check_grad(f, *arrays)
    check_jvp(f, *arrays)
    compare_torch(f, ft, *arrays)


@pytest.mark.parametrize("name,f,ft", LABEL_CASES, ids=LABEL_IDS)
def test_label_losses_gradcheck_jvp_and_parity(name, f, ft):
    check_grad(f, LOGITS)
    check_jvp(f, LOGITS)
    compare_torch(f, ft, LOGITS)


def test_cross_entropy_with_spatial_axes_matches_pytorch():
    x = RNG.standard_normal((2, C, 3))
    t = np.array([[0, 1, 3], [2, 2, 0]])
    for red in ("mean", "none"):
        f = lambda a: F.cross_entropy(a, rg.tensor(t), reduction=red)  # noqa: E731
        check_grad(f, x)
        compare_torch(f, lambda a: TF.cross_entropy(a, torch.tensor(t), reduction=red), x)


def test_cross_entropy_one_hot_equals_labels():
    x = rg.tensor(LOGITS)
    onehot = F.one_hot(rg.tensor(LABELS), C)
    assert onehot.dtype == np.int64 and onehot.shape == (N, C)
    np.testing.assert_allclose(F.cross_entropy(x, onehot).item(),
                               F.cross_entropy(x, rg.tensor(LABELS)).item(), rtol=1e-12)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    """The course: ∂ℓ/∂s = ŷ − y*."""
    x = rg.tensor(LOGITS, requires_grad=True)
    F.cross_entropy(x, rg.tensor(LABELS), reduction="sum").backward()
    expected = F.softmax(rg.tensor(LOGITS)).numpy() - np.eye(C)[LABELS]
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12, atol=1e-15)


def test_cross_entropy_is_finite_for_huge_logits():
    for dtype in ("float32", "float64"):
        x = rg.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype, requires_grad=True)
        t = rg.tensor([1, 0])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            loss = F.cross_entropy(x, t, reduction="sum")
            loss.backward()
        assert np.isfinite(loss.item())
        np.testing.assert_allclose(loss.item(), 2e4 + 2e4 + np.log(2), rtol=1e-6)
        expected = np.array([[1, -1, 0], [-1, 0.5, 0.5]])
        np.testing.assert_allclose(x.grad.numpy(), expected, atol=1e-6)
        assert x.grad.dtype == np.dtype(dtype)


def test_bce_with_logits_is_stable_and_its_gradient_is_sigmoid_minus_target():
    s = rg.tensor([[-1e4, 0.0, 1e4]], requires_grad=True)
    y = rg.tensor([[1.0, 0.0, 0.0]])
    loss = F.binary_cross_entropy_with_logits(s, y, reduction="sum")
    loss.backward()
    np.testing.assert_allclose(loss.item(), 1e4 + np.log(2) + 1e4, rtol=1e-6)
    np.testing.assert_allclose(s.grad.numpy(), [[-1, 0.5, 1]])


def test_bce_clamps_the_log_at_minus_100():
    loss = F.binary_cross_entropy(rg.tensor([0.0, 1.0]), rg.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(loss.numpy(), [100, 100])


def test_losses_keep_float32():
    x = rg.tensor(LOGITS.astype(np.float32), requires_grad=True)
    for loss in (F.cross_entropy(x, rg.tensor(LABELS)), F.cross_entropy(x, SOFT),
                 F.mse_loss(x, rg.zeros(N, C)), F.nll_loss(F.log_softmax(x), rg.tensor(LABELS)),
                 F.binary_cross_entropy_with_logits(x, np.ones((N, C))),
                 F.cross_entropy(x, rg.tensor(LABELS), W, label_smoothing=0.1)):
        assert loss.dtype == np.float32, loss
        x.grad = None
        loss.backward()
        assert x.grad.dtype == np.float32


@pytest.mark.parametrize("module,f", [
    (nn.CrossEntropyLoss(label_smoothing=0.1), lambda a, t: F.cross_entropy(
        a, t, label_smoothing=0.1)),
    (nn.NLLLoss(reduction="sum"), lambda a, t: F.nll_loss(a, t, reduction="sum")),
    (nn.MultiMarginLoss(), F.multi_margin_loss),
])
def test_label_loss_modules(module, f):
    x, t = rg.tensor(LOGITS), rg.tensor(LABELS)
    np.testing.assert_array_equal(module(x, t).numpy(), f(x, t).numpy())


@pytest.mark.parametrize("module,f,target", [
    (nn.MSELoss(), F.mse_loss, Y), (nn.L1Loss(reduction="sum"),
                                    lambda a, b: F.l1_loss(a, b, "sum"), Y),
    (nn.HuberLoss(delta=0.5), lambda a, b: F.huber_loss(a, b, delta=0.5), Y),
    (nn.SmoothL1Loss(beta=0.5), lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), Y),
    (nn.BCEWithLogitsLoss(), F.binary_cross_entropy_with_logits, T01),
    (nn.KLDivLoss(reduction="batchmean"), lambda a, b: F.kl_div(a, b, "batchmean"), T01),
    (nn.HingeEmbeddingLoss(margin=0.5), lambda a, b: F.hinge_embedding_loss(a, b, 0.5),
     np.sign(Y)),
])
def test_pair_loss_modules(module, f, target):
    x = rg.tensor(X)
    np.testing.assert_array_equal(module(x, target).numpy(), f(x, target).numpy())
    assert nn.BCELoss()(rg.tensor(P), T01).item() == F.binary_cross_entropy(
        rg.tensor(P), T01).item()


def test_loss_module_repr_and_bad_reduction():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss(ignore_index=-100, label_smoothing=0.0)"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss(reduction='sum')"
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of.*'avg'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="cross_entropy: reduction must be"):
        F.cross_entropy(rg.tensor(LOGITS), rg.tensor(LABELS), reduction="batchmean")


# -- bad targets ------------------------------------------------------------------

def test_integer_labels_given_to_an_elementwise_loss_say_which_loss_to_use():
    x = rg.tensor(LOGITS)
    for f in (F.mse_loss, F.binary_cross_entropy_with_logits, F.l1_loss):
        with pytest.raises(ValueError, match=r"\(5,\) does not match input of shape \(5, 4\)"
                                             r".*class labels.*cross_entropy.*one_hot"):
            f(x, rg.tensor(LABELS))


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match=r"mse_loss: target of shape \(5, 1\) does not match "
                                         r"input of shape \(5,\); reshape the target to \(5,\)"):
        F.mse_loss(rg.zeros(5), rg.zeros(5, 1))
    with pytest.raises(ValueError, match=r"cross_entropy: target of shape \(5, 3\) does not "
                                         r"fit input of shape \(5, 4\)"):
        F.cross_entropy(rg.tensor(LOGITS), rg.zeros(5, 3))
    with pytest.raises(ValueError, match=r"class labels of shape \(4,\) do not fit"):
        F.cross_entropy(rg.tensor(LOGITS), rg.tensor([0, 1, 2, 3]))


def test_class_labels_are_checked():
    x = rg.tensor(LOGITS)
    with pytest.raises(ValueError, match=r"cross_entropy: class labels must lie in \[0, 4\).*"
                                         r"\[4, -1\]"):
        F.cross_entropy(x, rg.tensor([0, 4, 1, -1, 2]))
    with pytest.raises(TypeError, match="cross_entropy: class labels must be integers, got a "
                                        "float32 target.*long"):
        F.cross_entropy(x, rg.tensor([0.0, 1.0, 1.0, 2.0, 0.0]))
    with pytest.raises(ValueError, match="nll_loss: class labels must lie in"):
        F.nll_loss(x, rg.tensor([0, 9, 1, 1, 2]))
    with pytest.raises(ValueError, match="nll_loss: target of shape .* must hold class labels"):
        F.nll_loss(x, SOFT)
    with pytest.raises(ValueError, match=r"label_smoothing must lie in \[0, 1\], got 1.5"):
        F.cross_entropy(x, rg.tensor(LABELS), label_smoothing=1.5)


def test_bce_rejects_values_outside_0_1():
    for bad in ([0.5, 1.2], [-0.1, 0.5], [np.nan, 0.5]):
        with pytest.raises(ValueError, match=r"binary_cross_entropy: input must hold "
                                             r"probabilities in \[0, 1\].*with_logits"):
            F.binary_cross_entropy(rg.tensor(bad), rg.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="binary_cross_entropy"):
        nn.BCELoss()(rg.tensor([2.0]), rg.tensor([1.0]))


def test_positional_reduction_is_caught():
    with pytest.raises(TypeError, match="cross_entropy: weight must be a tensor of weights, "
                                        "got 'sum'; pass reduction='sum' by keyword"):
        F.cross_entropy(rg.tensor(LOGITS), rg.tensor(LABELS), "sum")
