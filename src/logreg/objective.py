"""The objective of binary and softmax regression: its value, gradient, Hessian-vector products,
Hessian and preconditioner, computed in one place for the solvers and the book's functional API.

    f(theta) = sum_i omega_i * loss(z_i, y_i) + (alpha / 2) * ||W||_F^2,    z_i = W x_i + b

with ``W`` of shape (n_outputs, n_features) (a row ``w_k^T`` per class, scikit-learn's ``coef_``)
and ``omega_i = s_i c_i / sum_j s_j`` (sample weights ``s``, class weights ``c``; ``1/n`` without
weights), so that integer sample weights are the same as repeated rows and ``alpha = 1 / (C *
sum_j s_j)`` in scikit-learn's terms. Intercepts are never penalized.

As in scikit-learn's ``_linear_loss.py``, a *pointwise* loss in the logits
(:class:`~logreg.pointwise.Multinomial` or :class:`~logreg.pointwise.Binomial`) gives the value,
``dloss/dz`` and the curvature ``d^2 loss/dz^2 = diag(a) - q q^T``; :class:`Objective` composes it
with ``X``, the weights ``omega`` and the L2 term. The parameters are one flat float64 vector
``theta``: ``W`` row by row, then ``b``. ``X`` keeps its dtype (float32 or float64, dense or
scipy.sparse CSR): the weights are cast to it for each product. Logits are held as (n_outputs,
n_samples), so that each reduction over classes reads contiguous rows. The chapters derive what
is computed here: the gradient (thm-ce-gradient, thm-bce-gradient), the Hessian (thm-ce-hessian),
Böhning's bound (prop-bohning: the stopping test's scale and a preconditioner) and the bound on
the data gradient (prop-l2-blowup).
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import daxpy

from ._layout import transpose_into, transposed_weights
from .curvature import (
    column_curvature,
    gram_eigen,
    hessian,
    kronecker_inverse,
    sample_gram,
    top_eigenvalue,
    weighted_gram,
)
from .pointwise import Binomial, Multinomial

__all__ = ["BinaryObjective", "Objective", "SoftmaxObjective"]

KRONECKER_MAX = 600  # largest min(n_samples, D) (dense X), or D (sparse), of Kronecker's kind


def _row_sq_norms(X):
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", X, X, dtype=np.float64)


class Objective:
    """``f(theta)`` for a pointwise loss, data ``X``, targets ``y``, weights ``omega`` and L2.

    Parameters
    ----------
    X : ndarray or scipy.sparse CSR matrix of shape (n_samples, n_features)
        float32 or float64; never copied.
    y : ndarray of shape (n_samples,), or (n_outputs, n_samples) for target distributions
    pointwise : Multinomial or Binomial
    alpha : float >= 0
    fit_intercept : bool
    weights : ndarray of shape (n_samples,)
        ``omega``; ``np.full(n_samples, 1 / n_samples)`` for a mean.

    Attributes
    ----------
    work : dict
        Counts of what a solver asked for: ``"gradient"`` (a mini-batch counts as its share of
        one), ``"hessian"`` and ``"hess_vec"``. A count, unlike a time, no busy machine changes.
    """

    def __init__(self, X, y, pointwise, alpha, fit_intercept, weights):
        self.X, self.y, self.pointwise = X, y, pointwise
        self.sparse = sp.issparse(X)
        self.dtype = X.dtype
        self.n_samples, self.n_features = X.shape
        self.n_outputs = K = pointwise.n_outputs
        self.alpha = float(alpha)
        self.fit_intercept = bool(fit_intercept)
        self.weights = np.asarray(weights, dtype=np.float64)  # omega
        self._w_cast = self.weights.astype(self.dtype)
        self.n_weights = K * self.n_features
        self.size = self.n_weights + (K if fit_intercept else 0)
        self.work = {"gradient": 0.0, "hessian": 0, "hess_vec": 0}
        self._gram = self._gram_eigen = self._scale = self._grad_bound = None

    def __repr__(self):
        kind = type(self.pointwise).__name__
        return (
            f"{type(self).__name__}({kind}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, n_outputs={self.n_outputs}, alpha={self.alpha:g})"
        )

    # -- parameters ------------------------------------------------------------------------------

    def split(self, theta):
        """Views of ``theta``: ``W`` of shape (n_outputs, n_features) and ``b`` (or None)."""
        W = theta[: self.n_weights].reshape(self.n_outputs, self.n_features)
        return W, (theta[self.n_weights :] if self.fit_intercept else None)

    def weight_norm(self, theta):
        return float(np.linalg.norm(theta[: self.n_weights]))

    @property
    def grad_bound(self):
        """``G`` with ``|gradient of the data term| <= G`` for every theta (prop-l2-blowup)."""
        if self._grad_bound is None:  # computed on first use: only the divergence test needs it
            norm = np.sqrt(self.pointwise.label_bound * np.max(_row_sq_norms(self.X)))
            self._grad_bound = float(norm * self.weights.sum())
        return self._grad_bound

    # -- value, gradient and the curvature at a point -------------------------------------------

    def loss(self, theta):
        """The objective ``f(theta)`` (float)."""
        losses = self.pointwise.value(self._logits(theta, self.X, center=True), self.y)
        return float(self.weights @ losses) + self._penalty(theta)

    def loss_grad(self, theta, rows=None):
        """``(f, gradient)``; on ``rows`` only, the mini-batch's estimate of them (see ``_rows``).

        Returns
        -------
        loss : float
        grad : ndarray of shape (size,), float64
        """
        self._count_gradient(rows)
        return self._evaluate(theta, rows, False)[:2]

    def loss_grad_hessp(self, theta):
        """``(f, gradient, hessp, precondition)`` at ``theta``.

        ``hessp(v)`` is the Hessian at ``theta`` times ``v``; ``precondition(g)`` applies the
        inverse of a Kronecker-factored approximation of that Hessian (see ``preconditioner``).
        Both are closures bound to ``theta``: later evaluations elsewhere do not change them.
        """
        self._count_gradient(None)
        loss, grad, (a, q) = self._evaluate(theta, None, True)
        return loss, grad, self._hessp(a, q), self._preconditioner(lambda: self._label_matrix(a, q))

    def hessp(self, theta):
        """The function ``v -> H(theta) v`` (one logits product and one gradient product each)."""
        return self._hessp(*self.pointwise.factors(self._logits(theta, self.X, center=True)))

    def preconditioner(self, theta=None):
        """The function ``g -> (A (x) X~^T diag(omega) X~ + alpha I)^-1 g``.

        ``A`` is the ``omega``-weighted mean of the curvature in the logits at ``theta``
        (thm-ce-hessian), or Böhning's bound when ``theta`` is None (prop-bohning). Along an
        equal shift of every class (``A``'s null vector, thm-shift-invariance) only the L2 term
        curves the weights and nothing curves the intercepts: there the intercepts' part of the
        result is zero. Where ``kronecker`` is False (sparse X past ``KRONECKER_MAX`` columns,
        dense X past it in both samples and columns) it divides by the diagonal of Böhning's
        bound instead.
        """
        if theta is None:
            return self._preconditioner(self.pointwise.bohning)
        factors = self.pointwise.factors(self._logits(theta, self.X, center=True))
        return self._preconditioner(lambda: self._label_matrix(*factors))

    def _evaluate(self, theta, rows, curvature):
        X, weights, w_cast = self._rows(rows)
        y = self.y if rows is None else self.y[..., rows]
        Z = self._logits(theta, X, center=True)
        losses, dZ, factors = self.pointwise.gradient(Z, y, curvature, w_cast)
        grad = self._backward(dZ, X, theta)
        return float(weights @ losses) + self._penalty(theta), grad, factors

    def _hessp(self, a, q):
        """``v -> H v`` for the curvature ``diag(a) - q q^T`` in the logits, (K, n) each. Sparse
        X: logits (n, K), the layout SciPy multiplies by CSR uncopied; ``a`` transposed once."""
        rows, w = self.sparse, self._w_cast
        if rows:  # softmax: (diag(p) - p p^T) u = p * (u - p.u); binary: a omega, once
            a, w = np.ascontiguousarray(a.T, dtype=self.dtype), w[:, None]
            a = a if q is not None else a * w

        def hessp(v):
            self.work["hess_vec"] += 1
            # CG's vectors have no class shift (projected gradients, products and preconditioner
            # keep it so): centering them again matters only to float32 X
            U = self._logits(v, self.X, center=self.dtype != np.float64, rows=rows)
            if rows:  # in place: U is this product's own
                if q is not None:
                    U -= np.einsum("ik,ik->i", a, U)[:, None]
                    U *= w
                U *= a
            else:
                U = a * U
                if q is not None:  # for the softmax q is a, and sum_k q_k u_k is R's column sum
                    U -= q * (U if q is a else q * U).sum(axis=0)
                U *= w
            return self._backward(U, self.X, v, rows=rows)

        return hessp

    def _label_matrix(self, a, q):
        """``sum_i omega_i (diag(a_i) - q_i q_i^T) / sum_i omega_i`` in float64."""
        w = self.weights / self.weights.sum()
        A = np.diag((a.astype(np.float64) * w).sum(axis=1))
        if q is not None:
            q = q.astype(np.float64)
            A -= (q * w) @ q.T
        if self.pointwise.shift_invariant:
            # A 1 = 0 exactly (thm-shift-invariance), not only to the precision of float32 logits
            C = np.eye(len(A)) - 1.0 / len(A)
            A = C @ A @ C
        return A

    # -- the products with X ------------------------------------------------------------------
    # A shift-invariant loss ignores an equal shift of every class (thm-shift-invariance), float32
    # products do not: a common logit part c leaves c * 6e-8 in the differences, and the class
    # sum of the data gradient, exactly zero, keeps a rounding that the preconditioner and
    # Newton's solve divide by alpha. Logits are formed without the shift (``center``); the class
    # mean of the gradient is removed.

    def _logits(self, theta, X, *, center=False, rows=False):
        """``Z = W X^T + b 1^T`` of shape (n_outputs, n_rows), in X's dtype; ``center``: of theta
        less its equal shift of every class; ``rows`` (sparse X): ``Z^T``, C-ordered."""
        W, b = self.split(theta)
        shift = center and self.pointwise.shift_invariant
        if self.sparse:
            Z = X @ transposed_weights(W, self.dtype, shift)  # centered in one pass (_layout)
            if not rows:
                Z = np.ascontiguousarray(Z.T)
        else:
            if shift:
                W = W - np.add.reduce(W, axis=0) * (1.0 / self.n_outputs)
            Z = W.astype(self.dtype, copy=False) @ X.T
        if b is not None:
            if shift:
                b = b - b.sum() / self.n_outputs
            b = b.astype(self.dtype, copy=False)
            Z += b if rows else b[:, None]
        return Z

    def _backward(self, dZ, X, v=None, *, rows=False):
        """``[dZ X + alpha V, dZ 1]`` (V: v's weights), less its class mean if shift-invariant,
        float64 (size,), from ``dZ`` of shape (n_outputs, n_rows) ((n_rows, n_outputs): rows)."""
        K, d = self.n_outputs, self.n_features
        grad = np.empty(self.size)
        gW = grad[: self.n_weights].reshape(K, d)
        shift = self.pointwise.shift_invariant
        if self.sparse:
            transpose_into(X.T @ (dZ if rows else dZ.T), gW)
        elif dZ.dtype == gW.dtype:
            np.matmul(dZ, X, out=gW)
        else:
            gW[...] = dZ @ X
        if shift:
            gW -= np.add.reduce(gW, axis=0) * (1.0 / K)  # .mean's overhead is 3 us each
        if v is not None and self.alpha:  # BLAS in place: no temporary alpha * v
            daxpy(v[: self.n_weights], grad[: self.n_weights], a=self.alpha)
        if self.fit_intercept:
            gb = grad[self.n_weights :]
            if rows and dZ.dtype == np.float64:  # by BLAS: faster than a sum down the rows
                gb[...] = np.ones(len(dZ)) @ dZ
            else:
                gb[...] = dZ.sum(axis=0 if rows else 1, dtype=np.float64)
            if shift:
                gb -= gb.sum() / K
        return grad

    def _rows(self, rows):
        """X, weights (float64) and weights (X's dtype) of all rows or of a mini-batch."""
        if rows is None:
            return self.X, self.weights, self._w_cast
        # n / batch_size * (the batch's weights): an unbiased estimate of the full objective's
        # gradient, whatever the sample weights (a batch of zero weight makes no step)
        weights = self.weights[rows] * (self.n_samples / len(rows))
        return self.X[rows], weights, weights.astype(self.dtype)

    def _penalty(self, theta):
        flat = theta[: self.n_weights]
        return 0.5 * self.alpha * float(flat @ flat)

    def _count_gradient(self, rows):
        self.work["gradient"] += 1.0 if rows is None else len(rows) / self.n_samples

    # -- curvature: the Hessian, Böhning's bound and its Kronecker structure ----------------------

    @property
    def gram(self):
        """``X~^T diag(omega) X~`` in float64, of shape (D, D) with D = n_features (+ 1)."""
        if self._gram is None:
            self._gram = weighted_gram(self.X, self.weights, self.fit_intercept)
        return self._gram

    def curvature_scale(self):
        """The diagonal of Böhning's bound: one curvature scale per parameter, shape (size,).

        The solvers stop when every ``|gradient_j| / sqrt(scale_j)`` is at most ``tol``, a test
        that multiplying a feature by a constant (with ``alpha`` rescaled) does not change. Read
        from weighted column sums of squares (``logreg.curvature``): O(nnz), no Gram matrix.
        """
        if self._scale is None:
            diag = column_curvature(self.X, self.weights, self.fit_intercept)
            d, c = self.n_features, self.pointwise.label_curvature
            scale = np.empty(self.size)
            scale[: self.n_weights] = np.tile(c * diag[:d] + self.alpha, self.n_outputs)
            if self.fit_intercept:
                scale[self.n_weights :] = c * diag[d]
            self._scale = np.maximum(scale, np.finfo(np.float64).tiny)
        return self._scale

    def lipschitz(self):
        """An upper bound on the Hessian's largest eigenvalue at every theta (float):
        ``label_curvature * lambda_max(X~^T diag(omega) X~) + alpha`` (prop-bohning).

        Exact where the preconditioner is Kronecker-factored (``kronecker``): from the Gram
        matrix's eigenvalues, or for dense X with fewer samples than columns from the
        (n_samples, n_samples) matrix that shares them (``logreg.curvature.sample_gram``).
        Otherwise power iterations at O(nnz) each (``logreg.curvature.top_eigenvalue``), never
        a (D, D) matrix.
        """
        X, weights, fit_intercept = self.X, self.weights, self.fit_intercept
        if self._gram_eigen is not None:
            top = float(self._gram_eigen[0].max(initial=0.0))
        elif not self.kronecker:
            top = top_eigenvalue(X, weights, fit_intercept)
        elif self.sparse or self.n_samples >= self.n_features + int(fit_intercept):
            top = float(np.linalg.eigvalsh(self.gram)[-1])
        else:
            top = float(np.linalg.eigvalsh(sample_gram(X, weights, fit_intercept))[-1])
        return self.pointwise.label_curvature * top + self.alpha

    @property
    def kronecker(self):
        """True when the preconditioner is Kronecker-factored. The Gram matrix's eigenpairs cost
        O(m^3) with ``m = min(n_samples, D)`` for dense X (``D`` for sparse X, whose (D, D)
        Gram matrix is dense), at most ``KRONECKER_MAX``; otherwise it is diagonal."""
        D = self.n_features + int(self.fit_intercept)
        return (D if self.sparse else min(self.n_samples, D)) <= KRONECKER_MAX

    def _preconditioner(self, label_matrix):
        """``precondition`` for the matrix ``A = label_matrix()``, formed (and eigendecomposed) on
        the first call only: a line search evaluates points whose preconditioner is never used.
        The Gram matrix's eigenpairs are the same at every point: computed once per objective."""
        if not self.kronecker:
            scale = self.curvature_scale()
            return lambda g: g / scale
        inverse = []

        def precondition(g):
            if not inverse:
                if self._gram_eigen is None:
                    self._gram_eigen = gram_eigen(self.X, self.weights, self.fit_intercept)
                args = (self.alpha, self.n_features, self.fit_intercept)
                inverse.append(kronecker_inverse(self._gram_eigen, label_matrix(), *args))
            return inverse[0](g)

        return precondition

    def hessian(self, theta):
        """The Hessian in float64, of shape (size, size) (``logreg.curvature.hessian``)."""
        self.work["hessian"] += 1
        return hessian(self, theta)

    def null_space(self):
        """Orthonormal basis (size, m) of the flat directions, or None: equal shifts of every
        class's parameters (thm-shift-invariance), of the weights only when ``alpha == 0``."""
        if not self.pointwise.shift_invariant:
            return None
        K, d = self.n_outputs, self.n_features
        basis = []
        for j in range(d) if self.alpha == 0 else ():
            basis.append(np.zeros(self.size))
            basis[-1][np.arange(K) * d + j] = 1 / np.sqrt(K)
        if self.fit_intercept:
            basis.append(np.zeros(self.size))
            basis[-1][self.n_weights :] = 1 / np.sqrt(K)
        return np.array(basis).T if basis else None


class SoftmaxObjective(Objective):
    """:class:`Objective` of softmax regression; ``y`` holds class indices or distributions."""

    def __init__(self, X, y, n_classes, alpha, fit_intercept, weights):
        y = np.asarray(y)
        y = y.astype(np.intp) if y.ndim == 1 else y.astype(X.dtype, copy=False)
        super().__init__(X, y, Multinomial(n_classes), alpha, fit_intercept, weights)


class BinaryObjective(Objective):
    """:class:`Objective` of binary logistic regression; ``y`` in {-1, +1}."""

    def __init__(self, X, y_pm, alpha, fit_intercept, weights):
        y = np.asarray(y_pm, dtype=X.dtype)
        super().__init__(X, y, Binomial(), alpha, fit_intercept, weights)
