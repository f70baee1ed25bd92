"""The objective a trainer minimizes, on a flat parameter vector, for every solver.

    f(theta) = sum_i omega_i * loss_i(theta) + (alpha / 2) * ||W||^2

with ``omega_i = s_i c_i / sum_j s_j`` (sample weights ``s`` and class weights ``c``; without
weights every ``omega_i = 1/n``), so that integer sample weights are the same as repeating rows
and ``alpha = 1 / (C * sum_j s_j)`` in scikit-learn's terms. Intercepts are never penalized.

The parameters are one flat float64 vector ``theta``: the weights row by row (``coef_``, shape
(n_outputs, n_features)), then the intercepts. ``X`` stays in its own dtype (float32 or
float64, dense or scipy.sparse CSR): the weights are cast to it for each product, so a float32
problem is never copied to float64. Logits are held as (n_outputs, n_samples), so that every
per-sample reduction over the classes runs over contiguous rows. The chapters derive what is
computed here: the gradient (thm-ce-gradient, thm-bce-gradient), the Hessian (thm-ce-hessian),
Böhning's bound (prop-bohning: the stopping test's scale and a preconditioner) and the bound on the
data gradient (prop-l2-blowup: the divergence test).
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["BinaryObjective", "SoftmaxObjective"]

BLOCK_ELEMENTS = 1 << 18  # rows x columns held at once while accumulating a Gram matrix or Hessian
KRONECKER_MAX = 600  # largest n_features + 1 for which the preconditioner uses the Gram matrix


def _row_sq_norms(X):
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", X, X, dtype=np.float64)


def _weighted_gram(X, weights, fit_intercept):
    """``X~^T diag(weights) X~`` in float64, with ``X~ = [X, 1]`` when fitting intercepts."""
    if sp.issparse(X):
        XtW = X.T.multiply(weights[None, :]).tocsr()
        top = np.asarray((XtW @ X).todense(), dtype=np.float64)
        col = np.asarray(XtW.sum(axis=1)).ravel()
    else:
        top = np.zeros((X.shape[1], X.shape[1]))
        col = np.zeros(X.shape[1])
        step = max(1, BLOCK_ELEMENTS // max(X.shape[1], 1))
        for start in range(0, X.shape[0], step):
            Xb = np.asarray(X[start : start + step], dtype=np.float64)
            wb = weights[start : start + step]
            top += Xb.T @ (Xb * wb[:, None])
            col += wb @ Xb
    if not fit_intercept:
        return top
    d = X.shape[1]
    gram = np.empty((d + 1, d + 1))
    gram[:d, :d], gram[:d, d], gram[d, :d], gram[d, d] = top, col, col, weights.sum()
    return gram


class _Objective:
    """What the binary and softmax objectives share: weights, scaling, bounds, products."""

    def __init__(self, X, n_outputs, alpha, fit_intercept, weights):
        self.X = X
        self.sparse = sp.issparse(X)
        self.dtype = X.dtype
        self.n_samples, self.n_features = X.shape
        self.n_outputs = n_outputs
        self.alpha = float(alpha)
        self.fit_intercept = bool(fit_intercept)
        self.weights = np.asarray(weights, dtype=np.float64)  # omega
        self._w_cast = self.weights.astype(self.dtype)
        self.n_weights = n_outputs * self.n_features
        self.size = self.n_weights + (n_outputs if fit_intercept else 0)
        self.keep_probs = False
        # What the solver asked for: a count, unlike a time, that no busy machine changes.
        self.work = {"gradient": 0.0, "hessian": 0, "hess_vec": 0}
        self._gram = self._gram_eigen = self._scale = self._label_eigen = None
        # prop-l2-blowup: |gradient of the data term| <= G for every theta.
        self.grad_bound = float(
            np.sqrt(self._label_bound * np.max(_row_sq_norms(X))) * self.weights.sum()
        )

    # -- parameters and the two products -----------------------------------------

    def split(self, theta):
        """Views of ``theta``: weights (n_outputs, n_features) and intercepts (n_outputs,)."""
        W = theta[: self.n_weights].reshape(self.n_outputs, self.n_features)
        b = theta[self.n_weights :] if self.fit_intercept else None
        return W, b

    def weight_norm(self, theta):
        return float(np.linalg.norm(theta[: self.n_weights]))

    def _logits(self, theta, X):
        """Logits of shape (n_outputs, n_rows), in X's dtype."""
        W, b = self.split(theta)
        W = W.astype(self.dtype, copy=False)
        Z = np.ascontiguousarray((X @ W.T).T) if self.sparse else W @ X.T
        if b is not None:
            Z += b.astype(self.dtype, copy=False)[:, None]
        return Z

    def _finish(self, loss, dZ, theta, X):
        """Loss and gradient from ``dZ`` (n_outputs, n_rows) = weighted d loss / d logits."""
        grad = np.empty(self.size)
        gW = grad[: self.n_weights].reshape(self.n_outputs, self.n_features)
        if self.sparse:
            gW[...] = (X.T @ dZ.T).T
        elif dZ.dtype == gW.dtype:
            np.matmul(dZ, X, out=gW)
        else:
            gW[...] = dZ @ X
        if self.fit_intercept:
            grad[self.n_weights :] = dZ.sum(axis=1, dtype=np.float64)
        if self.alpha and theta is not None:
            W, _ = self.split(theta)
            flat = theta[: self.n_weights]
            loss += 0.5 * self.alpha * float(flat @ flat)
            gW += self.alpha * W
        return loss, grad

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
        """A gradient on ``rows`` counts as its share of one over all samples."""
        self.work["gradient"] += 1.0 if rows is None else len(rows) / self.n_samples

    def hess_vec(self, v):
        """Hessian-vector product at the last ``loss_grad`` point (needs ``keep_probs``)."""
        self.work["hess_vec"] += 1
        _, hv = self._finish(0.0, self._curvature_times(self._logits(v, self.X)), None, self.X)
        if self.alpha:
            hv[: self.n_weights] += self.alpha * v[: self.n_weights]
        return hv

    # -- curvature: Böhning's bound and its Kronecker structure ------------------

    @property
    def gram(self):
        """``X~^T diag(omega) X~`` in float64."""
        if self._gram is None:
            self._gram = _weighted_gram(self.X, self.weights, self.fit_intercept)
        return self._gram

    def curvature_scale(self):
        """The diagonal of Böhning's bound: one curvature scale per parameter.

        The solvers stop when every ``|gradient_j| / sqrt(scale_j)`` is at most ``tol``, a test
        that multiplying a feature by a constant (with ``alpha`` rescaled) does not change.
        """
        if self._scale is None:
            diag = np.diag(self.gram)
            d = self.n_features
            scale = np.empty(self.size)
            scale[: self.n_weights] = np.tile(
                self._label_curvature * diag[:d] + self.alpha, self.n_outputs
            )
            if self.fit_intercept:
                scale[self.n_weights :] = self._label_curvature * diag[d]
            self._scale = np.maximum(scale, np.finfo(np.float64).tiny)
        return self._scale

    def precondition(self, g):
        """Apply the inverse of ``A (x) X~^T diag(omega) X~ + alpha`` to ``g``.

        ``A`` is the weighted mean of the per-sample curvature of the loss in the logits at the
        last ``loss_grad`` point (a Kronecker-factored approximation of the Hessian,
        thm-ce-hessian), or Böhning's bound before any (prop-bohning). Both factors are
        eigendecomposed, so applying it costs two small matrix products. Past
        ``KRONECKER_MAX`` features it falls back to the diagonal of Böhning's bound.
        """
        D = self.n_features + int(self.fit_intercept)
        if D > KRONECKER_MAX:
            return g / self.curvature_scale()
        if self._gram_eigen is None:
            lam_x, V = np.linalg.eigh(self.gram)
            self._gram_eigen = (np.maximum(lam_x, 0.0), V)
        lam_x, V = self._gram_eigen
        if self._label_eigen is None:  # recomputed after each loss_grad that keeps probabilities
            lam_k, U = np.linalg.eigh(self._label_matrix())
            self._label_eigen = (np.maximum(lam_k, 0.0), U)
        lam_k, U = self._label_eigen
        K, d = self.n_outputs, self.n_features
        G = np.empty((K, D))
        G[:, :d] = g[: self.n_weights].reshape(K, d)
        if self.fit_intercept:
            G[:, d] = g[self.n_weights :]
        T = U.T @ G @ V
        T /= np.maximum(lam_k[:, None] * lam_x[None, :] + self.alpha, 1e-12 * lam_x.max())
        # Along an equal shift of every class (lam_k = 0, thm-shift-invariance) the data term is
        # flat: only the L2 term curves the weights, and nothing curves the intercepts. The
        # gradient has no intercept component there; dividing its rounding error by ~0 would
        # only make the iterates drift.
        flat = lam_k <= 1e-12 * max(lam_k.max(), 1e-300)
        if flat.any():
            R = (U.T @ G)[flat] / self.alpha if self.alpha else np.zeros((flat.sum(), D))
            R[:, d:] = 0.0  # the intercepts' part
            T[flat] = R @ V
        T = U @ T @ V.T
        out = np.empty(self.size)
        out[: self.n_weights] = T[:, :d].ravel()
        if self.fit_intercept:
            out[self.n_weights :] = T[:, d]
        return out


class SoftmaxObjective(_Objective):
    """Weighted mean softmax cross-entropy + L2; ``n_outputs`` = n_classes."""

    _label_bound = 2.0  # |p - y|^2 <= 2 for two distributions
    _label_curvature = 0.5  # the diagonal of Böhning's (1/2)(I - 11^T/K) is at most 1/2

    def __init__(self, X, y_index, n_classes, alpha, fit_intercept, weights):
        super().__init__(X, n_classes, alpha, fit_intercept, weights)
        self.y = np.asarray(y_index, dtype=np.intp)
        self._index = np.arange(self.n_samples)
        self.P = None  # probabilities (n_classes, n_samples) at the last loss_grad point

    def loss_grad(self, theta, rows=None):
        """The objective and its gradient; on ``rows`` only, the mini-batch's weighted mean."""
        self._count_gradient(rows)
        X, weights, w = self._rows(rows)
        y = self.y if rows is None else self.y[rows]
        idx = self._index[: len(y)]
        Z = self._logits(theta, X)
        Z -= Z.max(axis=0)  # one shift serves the loss and the probabilities (cor-shift-max)
        z_true = Z[y, idx].astype(np.float64)
        np.exp(Z, out=Z)
        S = Z.sum(axis=0, dtype=np.float64)
        loss = float(weights @ (np.log(S) - z_true))
        Z /= S.astype(self.dtype)
        if self.keep_probs and rows is None:
            self.P, self._label_eigen = Z.copy(), None
        Z[y, idx] -= 1  # P - Y
        Z *= w
        return self._finish(loss, Z, theta, X)

    def loss(self, theta):
        Z = self._logits(theta, self.X)
        Z -= Z.max(axis=0)
        z_true = Z[self.y, self._index].astype(np.float64)
        lse = np.log(np.exp(Z).sum(axis=0, dtype=np.float64))
        return float(self.weights @ (lse - z_true)) + self._penalty(theta)

    def _curvature_times(self, U):
        """Per sample, ``omega_i (diag(p_i) - p_i p_i^T) u_i`` (thm-ce-hessian)."""
        R = self.P * U
        R -= self.P * R.sum(axis=0)
        R *= self._w_cast
        return R

    def _label_matrix(self):
        K = self.n_outputs
        if self.P is None:  # Böhning's bound
            return 0.5 * (np.eye(K) - np.full((K, K), 1.0 / K))
        P = self.P.astype(np.float64)
        wP = P * (self.weights / self.weights.sum())
        return np.diag(wP.sum(axis=1)) - wP @ P.T

    def hessian(self, theta):
        """The full Hessian in float64, accumulated over blocks of rows (memory O(p^2 + B p)).

        Block (k, l) is ``X~^T diag(omega * (p_k [k == l] - p_k p_l)) X~`` (thm-ce-hessian).
        Only the blocks of the first K - 1 classes are accumulated, one triangle at a time (a
        symmetric rank-k update): by shift-invariance every block row of the data part sums to
        zero, which gives the last block row and column.
        """
        self.work["hessian"] += 1
        K, d = self.n_outputs, self.n_features
        D = d + int(self.fit_intercept)
        m = (K - 1) * D
        top = np.zeros((m, m))
        diagonal = np.zeros((K - 1, D, D))
        step = max(1, BLOCK_ELEMENTS // max(m, 1))
        for start in range(0, self.n_samples, step):
            rows = slice(start, start + step)
            Xb = self.X[rows]
            P = self._logits(theta, Xb).astype(np.float64)
            P -= P.max(axis=0)
            np.exp(P, out=P)
            P /= P.sum(axis=0)
            # Probabilities below 1e-100 change the Hessian by less than that, but their products
            # are subnormal numbers, on which the processor's arithmetic is many times slower.
            P[P < 1e-100] = 0.0
            Xb = np.asarray(Xb.todense() if self.sparse else Xb, dtype=np.float64)
            if self.fit_intercept:
                Xb = np.hstack([Xb, np.ones((Xb.shape[0], 1))])
            root_w = np.sqrt(self.weights[rows])
            Q = ((P[: K - 1].T * root_w[:, None])[:, :, None] * Xb[:, None, :]).reshape(-1, m)
            top -= Q.T @ Q  # NumPy computes a product with its own transpose as a rank-k update
            Xw = Xb * root_w[:, None]
            for k in range(K - 1):
                diagonal[k] += Xw.T @ (Xw * P[k][:, None])
        for k in range(K - 1):
            top[k * D : (k + 1) * D, k * D : (k + 1) * D] += diagonal[k]
        last = -top.reshape(m, K - 1, D).sum(axis=1)  # zero block-row sums
        H4 = np.empty((K * D, K * D))
        H4[:m, :m], H4[:m, m:], H4[m:, :m] = top, last, last.T
        H4[m:, m:] = -last.reshape(K - 1, D, D).sum(axis=0)
        order = [(np.arange(K)[:, None] * D + np.arange(d)).ravel()]
        if self.fit_intercept:
            order.append(np.arange(K) * D + d)
        order = np.concatenate(order)  # class by class (w_k, b_k) -> all weights, then b
        H = H4[np.ix_(order, order)]
        H[np.arange(self.n_weights), np.arange(self.n_weights)] += self.alpha
        return H

    def null_space(self):
        """Orthonormal basis of the flat directions: equal shifts of every class's parameters
        (thm-shift-invariance), of the weights only when ``alpha == 0``, of intercepts always."""
        K, d = self.n_outputs, self.n_features
        basis = []
        if self.alpha == 0:
            for j in range(d):
                v = np.zeros(self.size)
                v[np.arange(K) * d + j] = 1 / np.sqrt(K)
                basis.append(v)
        if self.fit_intercept:
            v = np.zeros(self.size)
            v[self.n_weights :] = 1 / np.sqrt(K)
            basis.append(v)
        return np.array(basis).T if basis else None


class BinaryObjective(_Objective):
    """Weighted mean logistic loss (labels y in {-1, +1}) + L2; one weight vector."""

    _label_bound = 1.0  # |sigmoid - label| <= 1
    _label_curvature = 0.25  # sigma (1 - sigma) <= 1/4

    def __init__(self, X, y_pm, alpha, fit_intercept, weights):
        super().__init__(X, 1, alpha, fit_intercept, weights)
        self.y = np.asarray(y_pm, dtype=self.dtype)
        self.curvature = None  # sigma(z) (1 - sigma(z)) at the last loss_grad point

    def loss_grad(self, theta, rows=None):
        self._count_gradient(rows)
        X, weights, _ = self._rows(rows)
        y = self.y if rows is None else self.y[rows]
        m = self._logits(theta, X)[0] * y  # margins
        log_plus, log_minus = np.logaddexp(0.0, m), np.logaddexp(0.0, -m)
        loss = float(weights @ log_minus)
        if self.keep_probs and rows is None:
            self.curvature = np.exp(-log_plus - log_minus)  # sigma(m) sigma(-m), stable
            self._label_eigen = None
        # d/dz ln(1 + e^{-y z}) = -y sigmoid(-m), with sigmoid(-m) = exp(-logaddexp(0, m))
        dz = (-y * np.exp(-log_plus) * weights).astype(self.dtype)[None, :]
        return self._finish(loss, dz, theta, X)

    def loss(self, theta):
        m = self._logits(theta, self.X)[0] * self.y
        return float(self.weights @ np.logaddexp(0.0, -m)) + self._penalty(theta)

    def _curvature_times(self, U):
        return (self.weights * self.curvature * U[0]).astype(self.dtype)[None, :]

    def _label_matrix(self):
        if self.curvature is None:
            return np.array([[0.25]])
        return np.array([[float(self.weights @ self.curvature) / self.weights.sum()]])

    def hessian(self, theta):
        """``X~^T diag(omega s (1 - s)) X~`` + alpha on the weights (IRLS's weighted Gram)."""
        self.work["hessian"] += 1
        m = self._logits(theta, self.X)[0].astype(np.float64)
        s1s = np.exp(-np.logaddexp(0.0, m) - np.logaddexp(0.0, -m))
        H = _weighted_gram(self.X, self.weights * s1s, self.fit_intercept)
        H[np.arange(self.n_features), np.arange(self.n_features)] += self.alpha
        return H

    def null_space(self):
        return None  # one weight vector: no shift symmetry
