"""Curvature quantities of ``X~^T diag(omega) X~`` that never form that (D, D) matrix.

``X~ = [X, 1]`` (or ``X`` without intercepts) and ``D = n_features (+ 1)``. The solvers need its
diagonal (the curvature scale of the stopping test and the Jacobi preconditioner of wide or
sparse data) and its largest eigenvalue (the step bound of gradient descent). For wide or sparse
``X`` the Gram matrix itself would cost O(D^2) memory (20000 features: 3.2 GB), so both are read
from the data in O(nnz) per pass: the diagonal from weighted column sums of squares, the top
eigenvalue from power iterations on the products ``v -> X~^T (omega * (X~ v))``.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["column_curvature", "top_eigenvalue"]

BLOCK_ELEMENTS = 1 << 18  # rows x columns of a dense X squared at once


def column_curvature(X, weights, fit_intercept):
    """The diagonal of ``X~^T diag(weights) X~``: ``sum_i w_i x_ij^2``, float64 of shape (D,).

    O(nnz) for CSR ``X``; a dense ``X`` is squared in blocks of rows, never copied whole.
    """
    weights = np.asarray(weights, dtype=np.float64)
    d = X.shape[1]
    if sp.issparse(X):
        X = X.tocsr()
        rows = np.repeat(weights, np.diff(X.indptr))
        data = X.data.astype(np.float64)
        diag = np.bincount(X.indices, weights=data * data * rows, minlength=d)
    else:
        diag = np.zeros(d)
        step = max(1, BLOCK_ELEMENTS // max(d, 1))
        for start in range(0, X.shape[0], step):
            Xb = np.asarray(X[start : start + step], dtype=np.float64)
            diag += weights[start : start + step] @ (Xb * Xb)
    return np.append(diag, weights.sum()) if fit_intercept else diag


def top_eigenvalue(X, weights, fit_intercept, *, rng=0, max_iter=50, rtol=1e-3):
    """An upper estimate of ``lambda_max(X~^T diag(weights) X~)`` from power iterations.

    Each iteration costs two products with ``X`` (O(nnz)). The Rayleigh quotient of the power
    iterates rises to ``lambda_max`` from below; when ``X`` has no negative entry (counts, TF-IDF)
    the Collatz-Wielandt ratio ``max_j (A v)_j / v_j`` of a positive iterate ``v`` is an upper
    bound (Perron-Frobenius) that falls to it, and the smaller of it and the trace is returned.
    Otherwise the Rayleigh quotient plus the residual norm ``|A v - mu v|`` (an eigenvalue lies
    within it of ``mu``) is returned, capped by the trace, a bound for any X.
    """
    weights = np.asarray(weights, dtype=np.float64)
    trace = float(column_curvature(X, weights, fit_intercept).sum())
    nonnegative = (X.data if sp.issparse(X) else X).min(initial=0.0) >= 0

    def product(v):
        w, b = (v[:-1], v[-1]) if fit_intercept else (v, 0.0)
        z = weights * (np.asarray(X @ w.astype(X.dtype, copy=False), dtype=np.float64) + b)
        out = np.asarray(X.T @ z.astype(X.dtype, copy=False), dtype=np.float64)
        return np.append(out, z.sum()) if fit_intercept else out

    D = X.shape[1] + int(fit_intercept)
    gen = np.random.default_rng(rng)
    v = gen.uniform(0.5, 1.5, D) if nonnegative else gen.standard_normal(D)
    v /= np.linalg.norm(v)
    estimate, previous = trace, 0.0
    for _ in range(max_iter):
        Av = product(v)
        mu = float(v @ Av)
        if nonnegative:
            positive = v > 0
            bound = float(np.max(Av[positive] / v[positive])) if positive.any() else 0.0
            estimate = min(trace, bound)
            # a zero column stays zero, and stays out of the ratio: keep v positive
            v = Av + 1e-12 * np.linalg.norm(Av) / np.sqrt(D)
        else:
            estimate = min(trace, mu + float(np.linalg.norm(Av - mu * v)))
            v = Av
        norm = np.linalg.norm(v)
        if norm == 0:
            return 0.0
        v /= norm
        if estimate - mu <= rtol * estimate or abs(mu - previous) <= 1e-2 * rtol * mu:
            break
        previous = mu
    return max(estimate, mu)
