"""Curvature quantities of ``X~^T diag(omega) X~`` that never form that (D, D) matrix, and the
Kronecker-factored preconditioner built from its eigenpairs.

``X~ = [X, 1]`` (or ``X`` without intercepts) and ``D = n_features (+ 1)``. The solvers need its
diagonal (the curvature scale of the stopping test and the Jacobi preconditioner of wide or
sparse data) and its largest eigenvalue (the step bound of gradient descent). For wide or sparse
``X`` the Gram matrix itself would cost O(D^2) memory (20000 features: 3.2 GB), so both are read
from the data in O(nnz) per pass: the diagonal from weighted column sums of squares, the top
eigenvalue from power iterations on the products ``v -> X~^T (omega * (X~ v))``. For dense ``X``
with fewer samples than columns the eigenpairs come from the (n_samples, n_samples) matrix
instead (``gram_eigen``): O(n^2 D) time and O(n D) memory.
"""

import numpy as np
import scipy.sparse as sp

__all__ = [
    "column_curvature",
    "dense_rows",
    "gram_eigen",
    "hessian",
    "kronecker_inverse",
    "sample_gram",
    "top_eigenvalue",
    "weighted_gram",
]

BLOCK_ELEMENTS = 1 << 18  # rows x columns of a dense X held at once (squares, Gram, Hessian)
# S's eigenvalues below this fraction of the largest count as zero: above it the thin basis V is
# orthonormal to about n * eps / RANK_RTOL, which keeps the preconditioner positive definite
RANK_RTOL = 1e-10


def column_curvature(X, weights, fit_intercept):
    """The diagonal of ``X~^T diag(weights) X~``: ``sum_i w_i x_ij^2``, float64 of shape (D,).

    O(nnz) for CSR ``X``; a dense ``X`` is squared in blocks of rows, never copied whole.
    """
    weights = np.asarray(weights, dtype=np.float64)
    d = X.shape[1]
    if sp.issparse(X):
        # in blocks of about BLOCK_ELEMENTS stored values: the float64 squares, their row weights
        # and bincount's int64 indices are temporaries as long as nnz (73 MB at once on a
        # 50000 x 100000 TF-IDF matrix, more than the rest of a fit)
        X = X.tocsr()
        diag = np.zeros(d)
        bounds = np.searchsorted(X.indptr, np.arange(0, X.nnz, BLOCK_ELEMENTS), side="right") - 1
        bounds = np.unique(np.append(bounds, X.shape[0]))
        for start, stop in zip(bounds[:-1], bounds[1:], strict=True):
            lo, hi = X.indptr[start], X.indptr[stop]
            data = X.data[lo:hi].astype(np.float64)
            data *= data
            data *= np.repeat(weights[start:stop], np.diff(X.indptr[start : stop + 1]))
            diag += np.bincount(X.indices[lo:hi], weights=data, minlength=d)
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


def dense_rows(X, rows, fit_intercept):
    """Rows of ``X~ = [X, 1]`` (or of ``X``) as a dense float64 array."""
    Xb = X[rows]
    Xb = np.asarray(Xb.todense() if sp.issparse(Xb) else Xb, dtype=np.float64)
    return np.hstack([Xb, np.ones((Xb.shape[0], 1))]) if fit_intercept else Xb


def weighted_gram(X, weights, fit_intercept):
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


def hessian(obj, theta):
    """The Hessian in float64, of shape (size, size), accumulated over blocks of rows.

    Block (k, l) is ``X~^T diag(omega (a_k [k == l] - q_k q_l)) X~`` (thm-ce-hessian), in the
    order of ``theta``. For a shift-invariant loss only the blocks of the first K - 1 classes
    are accumulated: every block row of the data part sums to zero, which gives the last
    block row and column. Memory is O(size^2 + block * size).
    """
    K, d = obj.n_outputs, obj.n_features
    D = d + int(obj.fit_intercept)
    Kc = K - 1 if obj.pointwise.shift_invariant else K  # the blocks computed
    m = Kc * D
    top, diagonal = np.zeros((m, m)), np.zeros((Kc, D, D))
    step = max(1, BLOCK_ELEMENTS // max(m, 1))
    for start in range(0, obj.n_samples, step):
        rows = slice(start, start + step)
        a, q = obj.pointwise.factors(obj._logits(theta, obj.X[rows], center=True))
        root_w = np.sqrt(obj.weights[rows])
        Xw = dense_rows(obj.X, rows, obj.fit_intercept) * root_w[:, None]
        if q is not None:
            Q = (q[:Kc].T[:, :, None] * Xw[:, None, :]).reshape(-1, m)
            top -= Q.T @ Q  # NumPy computes a product with its own transpose as a rank-k update
        for k in range(Kc):
            diagonal[k] += Xw.T @ (Xw * a[k][:, None])
    for k in range(Kc):
        top[k * D : (k + 1) * D, k * D : (k + 1) * D] += diagonal[k]
    H4 = top
    if Kc < K:  # the last block row and column from the zero block-row sums
        last = -top.reshape(m, Kc, D).sum(axis=1)
        H4 = np.empty((K * D, K * D))
        H4[:m, :m], H4[:m, m:], H4[m:, :m] = top, last, last.T
        H4[m:, m:] = -last.reshape(Kc, D, D).sum(axis=0)
    order = np.arange(K * D).reshape(K, D)  # class by class (w_k, b_k) -> all W, then b
    order = np.concatenate([order[:, :d].ravel(), order[:, d:].ravel()])
    H = H4[np.ix_(order, order)]
    H[np.arange(obj.n_weights), np.arange(obj.n_weights)] += obj.alpha
    return H


# -- the Gram matrix's eigenpairs and the Kronecker-factored preconditioner ----------------------


def _root_columns(X, root, start, stop):
    """Columns ``start:stop`` of ``diag(root) X`` (dense X) in float64."""
    return np.asarray(X[:, start:stop], dtype=np.float64) * root[:, None]


def sample_gram(X, weights, fit_intercept):
    """``S = diag(sqrt w) X~ X~^T diag(sqrt w)`` of shape (n_samples, n_samples), for dense X.

    ``S`` and the Gram matrix ``G = X~^T diag(w) X~`` share their non-zero eigenvalues (both are
    products of ``Phi = diag(sqrt w) X~`` with its transpose: the singular values of ``Phi``
    squared), so when ``n_samples < D`` the smaller ``S`` gives ``G``'s spectrum. ``X`` is read
    in blocks of columns, never copied whole.
    """
    root = np.sqrt(np.asarray(weights, dtype=np.float64))
    n, d = X.shape
    S = np.outer(root, root) if fit_intercept else np.zeros((n, n))
    step = max(1, BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, d, step):
        Phi = _root_columns(X, root, start, start + step)
        S += Phi @ Phi.T
    return S


def gram_eigen(X, weights, fit_intercept):
    """Eigenpairs of ``G = X~^T diag(w) X~``: ``(lam, V)`` with ``G = V diag(lam) V^T``.

    ``V`` has orthonormal columns, shape (D, r), and ``lam >= 0`` of shape (r,). Sparse X, or
    ``n_samples >= D``: ``eigh`` of the (D, D) matrix, r = D. Dense X with ``n_samples < D``
    (``G`` has rank at most ``n_samples``): the thin decomposition from ``S = Phi Phi^T``
    (``sample_gram``): if ``S = U diag(lam) U^T`` then ``V = Phi^T U diag(lam)^(-1/2)`` are the
    right singular vectors of ``Phi`` (the SVD: Golub and Van Loan, Matrix Computations, 4th
    ed., Theorem 2.4.1), and ``G`` is zero on the complement of their span. Costs
    O(n^2 D + n^3) and O(n D) memory instead of O(D^3) and O(D^2); eigenvalues of ``S`` below
    ``RANK_RTOL`` times its largest are left to the complement.
    """
    n, d = X.shape
    D = d + int(fit_intercept)
    if sp.issparse(X) or n >= D:
        lam, V = np.linalg.eigh(weighted_gram(X, weights, fit_intercept))
        return np.maximum(lam, 0.0), V
    lam, U = np.linalg.eigh(sample_gram(X, weights, fit_intercept))
    keep = lam > RANK_RTOL * max(lam[-1], 0.0)
    lam, C = lam[keep], U[:, keep]
    C /= np.sqrt(lam)  # V = Phi^T C
    root = np.sqrt(np.asarray(weights, dtype=np.float64))
    V = np.empty((D, len(lam)))
    step = max(1, BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, d, step):
        stop = min(start + step, d)  # row d of V is the intercept's
        V[start:stop] = _root_columns(X, root, start, stop).T @ C
    if fit_intercept:
        V[d] = root @ C
    return lam, V


def kronecker_inverse(eigen, A, alpha, n_features, fit_intercept):
    """The function ``g -> (A (x) G + alpha I)^-1 g`` for parameters laid out as ``W`` row by row,
    then ``b``, with ``G``'s eigenpairs ``eigen = (lam, V)`` from ``gram_eigen``.

    The inverse of a Kronecker product is the Kronecker product of the factors' eigenpairs
    (Van Loan, "The ubiquitous Kronecker product", J. Comput. Appl. Math. 123, 2000): with
    ``A = U diag(mu) U^T``, the eigenvalue on ``u_k (x) v_j`` is ``mu_k lam_j + alpha``. On the
    complement of ``V``'s span (thin ``V``), where ``G`` is zero, only ``alpha`` is left. Along
    ``A``'s null vectors (the equal shift of every class, thm-shift-invariance) only the L2
    term curves the weights and nothing the intercepts: there the weights are divided by
    ``alpha`` and the intercepts' part is zero. Each application costs O(K D r).
    """
    lam, V = eigen
    mu, U = np.linalg.eigh(A)
    mu = np.maximum(mu, 0.0)
    K, d = len(A), n_features
    floor = 1e-12 * (lam.max() if lam.size else 0.0)
    denominator = np.maximum(mu[:, None] * lam[None, :] + alpha, floor)
    thin = V.shape[1] < V.shape[0]
    rest = max(alpha, floor)  # the complement's eigenvalue, mu_k * 0 + alpha
    flat = mu <= 1e-12 * max(mu.max(), 1e-300)
    n_weights = K * d

    def precondition(g):
        G = g[:n_weights].reshape(K, d)
        if fit_intercept:
            G = np.column_stack([G, g[n_weights:]])
        M = U.T @ G
        T = M @ V
        if thin:  # M / rest on the complement, plus the difference on V's span
            T *= 1.0 / denominator - 1.0 / rest
            T = M / rest + T @ V.T
        else:
            T = (T / denominator) @ V.T
        if flat.any():  # the gradient has no intercept part there: do not divide its rounding
            R = M[flat] / alpha if alpha else np.zeros((flat.sum(), G.shape[1]))
            R[:, d:] = 0.0
            T[flat] = R
        T = U @ T
        return np.concatenate([T[:, :d].ravel(), T[:, d]]) if fit_intercept else T.ravel()

    return precondition
