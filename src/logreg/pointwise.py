"""Pointwise losses of softmax and binary regression, as functions of one sample's logits.

Each gives the per-sample loss, its derivative ``dloss/dz`` and its curvature in the logits
``d^2 loss / dz^2 = diag(a) - q q^T`` (``q`` is None when the curvature is diagonal), for logits
held as an array of shape (n_outputs, n_samples). :class:`logreg.objective.Objective` composes
one with the data, the sample weights and the L2 term, as scikit-learn's ``LinearModelLoss``
composes its ``BaseLoss``. Everything is computed from logits with log-sum-exp.
"""

import numpy as np

__all__ = ["Binomial", "Multinomial"]


class Multinomial:
    """Softmax cross-entropy in the logits, ``loss(z, y) = logsumexp(z) - y . z``.

    Targets are class indices of shape (n_samples,) or distributions of shape (n_classes,
    n_samples) (non-negative columns summing to 1). ``dloss/dz = p - y`` (thm-ce-gradient) and
    the curvature is ``diag(p) - p p^T`` (thm-ce-hessian), so ``a = q = p``. It is the same for
    every equal shift of the logits (thm-shift-invariance).
    """

    label_bound = 2.0  # |p - y|^2 <= 2 for two distributions (prop-l2-blowup)
    label_curvature = 0.5  # the diagonal of Böhning's (1/2)(I - 11^T/K) is at most 1/2
    shift_invariant = True

    def __init__(self, n_classes):
        self.n_outputs = int(n_classes)

    def bohning(self):
        """Böhning's bound on the curvature, ``(1/2)(I - 11^T/K)`` (prop-bohning)."""
        K = self.n_outputs
        return 0.5 * (np.eye(K) - np.full((K, K), 1.0 / K))

    def value(self, Z, y):
        """Per-sample losses, float64 of shape (n_samples,), from logits (n_classes, n_samples)."""
        Z = Z - Z.max(axis=0)
        return np.log(np.exp(Z).sum(axis=0, dtype=np.float64)) - _target_dot(Z, y)

    def gradient(self, Z, y, curvature=False, weights=None):
        """The loss, its derivative and (if asked) its curvature at every sample.

        Parameters
        ----------
        Z : ndarray of shape (n_classes, n_samples)
            Logits, float32 or float64; overwritten.
        y : ndarray of shape (n_samples,) or (n_classes, n_samples)
        curvature : bool, default False
        weights : ndarray of shape (n_samples,) in Z's dtype, optional
            Multiply each sample's derivative by its weight (in the same pass as the softmax's
            normalization: one pass over ``Z`` fewer than doing it afterwards).

        Returns
        -------
        losses : ndarray of shape (n_samples,), float64
        dZ : ndarray of shape (n_classes, n_samples)
            ``P - Y`` (times ``weights``), in ``Z``'s memory and dtype.
        factors : ``(a, q)``, each of shape (n_classes, n_samples), or None
        """
        Z = np.ascontiguousarray(Z)  # the targets are read and written by flat index
        Z -= Z.max(axis=0)  # one shift serves the loss and the probabilities (cor-shift-max)
        flat = self._flat_targets(y, Z.shape[1]) if y.ndim == 1 else None
        z_true = Z.ravel().take(flat).astype(np.float64) if y.ndim == 1 else _target_dot(Z, y)
        np.exp(Z, out=Z)
        S = Z.sum(axis=0, dtype=np.float64)
        factors = None
        if curvature:  # the curvature needs P unweighted
            Z /= S.astype(Z.dtype)
            factors = (P := Z.copy(), P)
            if weights is not None:
                Z *= weights
        else:
            Z *= (1.0 / S if weights is None else weights / S).astype(Z.dtype)
        if y.ndim == 1:
            Z.ravel()[flat] -= 1 if weights is None else weights  # P - Y: the targets are distinct
        else:
            Z -= y if weights is None else y * weights
        return np.log(S) - z_true, Z, factors

    def _flat_targets(self, y, n):
        """Flat indices ``y_i * n + i`` of the targets in a C-ordered (n_classes, n) array, kept
        for the last ``y`` seen: a solver passes the same labels at every evaluation."""
        cached = getattr(self, "_flat", None)
        if cached is None or cached[0] is not y:
            self._flat = cached = (y, y * n + np.arange(n))
        return cached[1]

    def factors(self, Z):
        """``(a, q) = (p, p)`` in float64, for the Hessian."""
        P = Z.astype(np.float64)
        P -= P.max(axis=0)
        np.exp(P, out=P)
        P /= P.sum(axis=0)
        # Probabilities below 1e-100 change the Hessian by less than that, but their products are
        # subnormal numbers, on which the processor's arithmetic is many times slower.
        P[P < 1e-100] = 0.0
        return P, P


class Binomial:
    """Logistic loss in the logit, ``loss(z, y) = ln(1 + exp(-y z))`` with ``y`` in {-1, +1}.

    ``dloss/dz = -y sigmoid(-y z)`` and the curvature is ``sigmoid(z) sigmoid(-z)`` whatever the
    label (thm-bce-gradient), so ``a = s (1 - s)`` and there is no ``q``.
    """

    n_outputs = 1
    label_bound = 1.0  # |sigmoid - label| <= 1
    label_curvature = 0.25  # sigma (1 - sigma) <= 1/4
    shift_invariant = False

    def bohning(self):
        """Böhning's bound on the curvature, ``1/4`` (prop-bohning)."""
        return np.array([[0.25]])

    def value(self, Z, y):
        """Per-sample losses of shape (n_samples,) from logits of shape (1, n_samples)."""
        return np.logaddexp(0.0, -Z[0] * y)

    def gradient(self, Z, y, curvature=False, weights=None):
        """As :meth:`Multinomial.gradient`, with ``n_classes`` = 1 and ``q`` None."""
        m = Z[0] * y  # margins
        log_plus, log_minus = np.logaddexp(0.0, m), np.logaddexp(0.0, -m)
        # sigmoid(-m) = exp(-logaddexp(0, m)) in (0, 1], and sigma(m) sigma(-m) likewise stably
        factors = (np.exp(-log_plus - log_minus)[None, :], None) if curvature else None
        dZ = np.exp(-log_plus)
        dZ *= -y if weights is None else -y * weights
        return log_minus, dZ[None, :], factors

    def factors(self, Z):
        """``(a, None)`` with ``a = s (1 - s)`` of shape (1, n_samples) in float64."""
        m = Z[0].astype(np.float64)
        return np.exp(-np.logaddexp(0.0, m) - np.logaddexp(0.0, -m))[None, :], None


def _target_dot(Z, y):
    """``y_i . z_i`` per sample in float64, for indices (n,) or distributions (K, n)."""
    if y.ndim == 1:
        return Z[y, np.arange(len(y))].astype(np.float64)
    return np.einsum("ki,ki->i", Z, y, dtype=np.float64)
