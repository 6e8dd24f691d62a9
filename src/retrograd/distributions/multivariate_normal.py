"""The multivariate normal N(μ, Σ), as ``torch.distributions.MultivariateNormal``."""
import math

import numpy as np

from .. import linalg
from ..ops.shape import broadcast_to
from ..tensor import Size
from . import constraints
from .distribution import SymmetricAboutLoc, lazy_property, standard_normal


def _mahalanobis(L, x):
    """xᵀ Σ⁻¹ x = ‖L⁻¹ x‖² for Σ = L Lᵀ, batched (L and x broadcast)."""
    batch = np.broadcast_shapes(tuple(L.shape[:-2]), tuple(x.shape[:-1]))
    n = L.shape[-1]
    L = broadcast_to(L, batch + (n, n))
    x = broadcast_to(x, batch + (n,))
    return linalg.solve_triangular(L, x.unsqueeze(-1), upper=False).squeeze(-1) \
        .pow(2).sum(-1)


class MultivariateNormal(SymmetricAboutLoc):
    """N(loc, Σ) in dimension n, Σ given by exactly one of ``covariance_matrix``,
    ``precision_matrix`` (Σ⁻¹) or ``scale_tril`` (its lower Cholesky factor L, Σ = L Lᵀ).

    log p(x) = −½ (n log 2π + ‖L⁻¹(x − μ)‖²) − Σ log L_ii;
    ``rsample``: x = μ + L ε, ε ~ N(0, I), differentiable in μ and L (or Σ).

    >>> MultivariateNormal(torch.zeros(2), scale_tril=torch.eye(2)).rsample((4,)).shape
    """
    arg_constraints = {"loc": constraints.real_vector,
                       "covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + \
                (precision_matrix is not None) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or "
                             "scale_tril may be specified.")
        given = scale_tril if scale_tril is not None else \
            covariance_matrix if covariance_matrix is not None else precision_matrix
        name = "scale_tril" if scale_tril is not None else \
            "covariance_matrix" if covariance_matrix is not None else "precision_matrix"
        if given.dim() < 2:
            raise ValueError(f"{name} matrix must be at least two-dimensional, with "
                             "optional leading batch dimensions")
        batch_shape = np.broadcast_shapes(tuple(given.shape[:-2]), tuple(loc.shape[:-1]))
        n = loc.shape[-1]
        setattr(self, name, broadcast_to(given, batch_shape + tuple(given.shape[-2:])))
        self.loc = broadcast_to(loc, batch_shape + (n,))
        super().__init__(batch_shape, (n,), validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = linalg.cholesky(linalg.inv(precision_matrix))

    @lazy_property
    def scale_tril(self):
        L = self._unbroadcasted_scale_tril
        return broadcast_to(L, tuple(self._batch_shape + self._event_shape +
                                     self._event_shape))

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return broadcast_to(L @ L.mT, tuple(self._batch_shape + self._event_shape +
                                            self._event_shape))

    @lazy_property
    def precision_matrix(self):
        return linalg.inv(self.covariance_matrix)

    @property
    def variance(self):
        return broadcast_to(self._unbroadcasted_scale_tril.pow(2).sum(-1),
                            tuple(self._batch_shape + self._event_shape))

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = _mahalanobis(self._unbroadcasted_scale_tril, diff)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) \
            - self._half_log_det()

    def entropy(self):
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        if len(self._batch_shape) == 0:
            return H
        return broadcast_to(H, tuple(self._batch_shape))
