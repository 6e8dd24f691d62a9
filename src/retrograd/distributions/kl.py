"""KL(p ‖ q) between two distributions, as ``torch.distributions.kl_divergence``:
closed forms registered by type pair with ``register_kl``."""
import numpy as np

from ..nn.functional import softplus
from ..ops.elementwise import where
from .bernoulli import Bernoulli
from .categorical import Categorical
from .counts_and_simplex import Dirichlet, Poisson
from ..ops.special import digamma, lgamma
from .distribution import sum_rightmost
from .gamma_family import Beta, Gamma
from .laplace_exponential import Exponential, Laplace
from .independent import Independent
from .multivariate_normal import MultivariateNormal, _mahalanobis
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform
from .. import linalg

_KL_REGISTRY = {}


def register_kl(type_p, type_q):
    """Decorator registering ``fn(p, q)`` as KL(p ‖ q) for ``type_p`` × ``type_q``."""
    if not (isinstance(type_p, type) and isinstance(type_q, type)):
        raise TypeError(f"Expected type_p and type_q to be classes, got {type_p} and "
                        f"{type_q}")

    def decorator(fn):
        _KL_REGISTRY[type_p, type_q] = fn
        return fn

    return decorator


def _dispatch(type_p, type_q):
    # The most specific registered pair along both classes' method resolution orders.
    matches = [(sp, sq) for sp in type_p.__mro__ for sq in type_q.__mro__
               if (sp, sq) in _KL_REGISTRY]
    if not matches:
        return None
    best = min(matches, key=lambda m: (type_p.__mro__.index(m[0]) +
                                       type_q.__mro__.index(m[1])))
    return _KL_REGISTRY[best]


def kl_divergence(p, q):
    """KL(p ‖ q) = E_p[log p(x) − log q(x)], batched over the batch shape.

    Raises NotImplementedError for a pair with no registered closed form."""
    fn = _dispatch(type(p), type(q))
    if fn is None:
        raise NotImplementedError(f"No KL(p || q) is implemented for p type "
                                  f"{type(p).__name__} and q type {type(q).__name__}")
    return fn(p, q)


def _fill(t, mask, value):
    return where(mask, float(value), t)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    # ½ (σp²/σq² + (μp − μq)²/σq² − 1 − log σp²/σq²)
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    t = p.probs * (p.logits - q.logits)
    shape = np.broadcast_shapes(tuple(t.shape), tuple(q.probs.shape))
    t = t.expand(shape)
    t = _fill(t, (q.probs == 0).expand(shape), np.inf)
    t = _fill(t, (p.probs == 0).expand(shape), 0)
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = _fill(t1, q.probs == 0, np.inf)
    t1 = _fill(t1, p.probs == 0, 0)
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = _fill(t2, q.probs == 1, np.inf)
    t2 = _fill(t2, p.probs == 1, 0)
    return t1 + t2


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _fill(result, (q.low > p.low) | (q.high < p.high), np.inf)


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("KL(Independent || Independent) needs the same "
                                  "reinterpreted_batch_ndims on both sides")
    result = kl_divergence(p.base_dist, q.base_dist)
    return sum_rightmost(result, p.reinterpreted_batch_ndims)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    # ½ (tr(Σq⁻¹ Σp) + (μq − μp)ᵀ Σq⁻¹ (μq − μp) − n + log det Σq − log det Σp)
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different "
                         "event shapes cannot be computed")
    half_term1 = q._half_log_det() - p._half_log_det()
    Lq, Lp = q._unbroadcasted_scale_tril, p._unbroadcasted_scale_tril
    batch = np.broadcast_shapes(tuple(Lq.shape[:-2]), tuple(Lp.shape[:-2]))
    n = p.event_shape[0]
    Lq_b = Lq.expand(batch + (n, n))
    Lp_b = Lp.expand(batch + (n, n))
    term2 = linalg.solve_triangular(Lq_b, Lp_b, upper=False).pow(2).sum((-2, -1))
    term3 = _mahalanobis(Lq, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - n)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    rate_ratio = q.rate / p.rate
    return -rate_ratio.log() + rate_ratio - 1


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    return -scale_ratio.log() + loc_abs_diff / q.scale \
        + scale_ratio * (-loc_abs_diff / p.scale).exp() - 1


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = lgamma(q.concentration) - lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    sum_p = p.concentration1 + p.concentration0
    sum_q = q.concentration1 + q.concentration0
    t1 = lgamma(q.concentration1) + lgamma(q.concentration0) + lgamma(sum_p)
    t2 = lgamma(p.concentration1) + lgamma(p.concentration0) + lgamma(sum_q)
    t3 = (p.concentration1 - q.concentration1) * digamma(p.concentration1)
    t4 = (p.concentration0 - q.concentration0) * digamma(p.concentration0)
    t5 = (sum_q - sum_p) * digamma(sum_p)
    return t1 - t2 + t3 + t4 + t5


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    """λ_p log(λ_p/λ_q) − (λ_p − λ_q)."""
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    """log Γ(Σa) − log Γ(Σb) − Σ(log Γ(aᵢ) − log Γ(bᵢ)) + Σ(aᵢ − bᵢ)(ψ(aᵢ) − ψ(Σa)),
    a = p's concentration, b = q's."""
    a, b = p.concentration, q.concentration
    a0 = a.sum(-1)
    return lgamma(a0) - lgamma(b.sum(-1)) - (lgamma(a) - lgamma(b)).sum(-1) \
        + ((a - b) * (digamma(a) - digamma(a0).unsqueeze(-1))).sum(-1)
