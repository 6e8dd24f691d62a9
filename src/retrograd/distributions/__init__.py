"""Probability distributions, as ``torch.distributions``: sample, score, compare.

``Normal``, ``Uniform``, ``Bernoulli``, ``Categorical``, ``OneHotCategorical``,
``MultivariateNormal``, ``Independent``, ``Exponential``, ``Laplace``,
``LogNormal``, ``HalfNormal``, ``Gamma``, ``Beta``, ``Dirichlet`` (these three
without ``rsample``) and ``Poisson`` with ``sample``/``rsample``,
``log_prob``, ``entropy``, ``mean``, ``variance``, ``batch_shape``/``event_shape``
and PyTorch's argument validation; ``kl_divergence`` for the registered pairs.
Draws use retrograd's generator (``retrograd.manual_seed``).

>>> dist = Categorical(logits=policy(state))          # REINFORCE
>>> action = dist.sample(); loss = -(dist.log_prob(action) * reward).mean()
"""
from ..missing import module_getattr
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .counts_and_simplex import Dirichlet, Poisson
from .distribution import Distribution
from .gamma_family import Beta, Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace_exponential import Exponential, Laplace
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .normal_transforms import HalfNormal, LogNormal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

_OTHERS = ("not implemented in retrograd; the distributions are Normal, Uniform, "
           "Bernoulli, Categorical, OneHotCategorical, MultivariateNormal, Independent, "
           "Exponential, Laplace, Gamma, Beta, LogNormal, HalfNormal, Poisson and "
           "Dirichlet")
__getattr__ = module_getattr(__name__, {name: _OTHERS for name in (
    "Binomial", "Cauchy", "Chi2", "ContinuousBernoulli",
    "ExponentialFamily", "FisherSnedecor", "Geometric", "Gumbel",
    "HalfCauchy", "InverseGamma", "Kumaraswamy", "LKJCholesky",
    "LogisticNormal", "LowRankMultivariateNormal", "MixtureSameFamily",
    "Multinomial", "NegativeBinomial", "RelaxedBernoulli",
    "RelaxedOneHotCategorical", "StudentT", "TransformedDistribution", "VonMises",
    "Weibull", "Wishart", "GeneralizedPareto", "transforms", "biject_to", "transform_to")})

__all__ = ["Distribution", "Normal", "Uniform", "Bernoulli", "Categorical",
           "OneHotCategorical", "MultivariateNormal", "Independent", "kl_divergence",
           "register_kl", "constraints", "Exponential", "Laplace", "Gamma", "Beta",
           "LogNormal", "HalfNormal", "Poisson", "Dirichlet"]
