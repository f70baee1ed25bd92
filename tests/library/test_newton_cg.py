"""newton-cg on sparse X: the products in SciPy's (n_samples, K) layout give the dense path's
optimum, and the solver holds a bounded number of parameter-sized vectors."""

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

from logreg.objective import BinaryObjective, SoftmaxObjective
from logreg.solvers import SOLVERS

newton_cg = SOLVERS["newton-cg"]


def _problem(n, d, k, seed, *, density, dense=False, fit_intercept=True, alpha=1e-3):
    """Labels from a sparse linear model on a random CSR matrix (or its dense copy)."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=density, format="csr", random_state=rng)
    W = rng.standard_normal((max(k, 2), d)) * (rng.random((max(k, 2), d)) < 0.1) * 10
    y = np.argmax(X @ W.T + rng.gumbel(size=(n, max(k, 2))), axis=1)
    X = X.toarray() if dense else X
    w = np.full(n, 1 / n)
    if k == 2:
        return BinaryObjective(X, 2.0 * y - 1, alpha, fit_intercept, w)
    return SoftmaxObjective(X, y, k, alpha, fit_intercept, w)


def _solve(obj, tol):
    return newton_cg(obj, np.zeros(obj.size), max_iter=100, tol=tol, step_done=lambda t, f: False)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_sparse_newton_cg_reaches_the_dense_optimum(seed, k, fit_intercept):
    # The dense path (Kronecker-preconditioned, (K, n) logits) is independent of the sparse one
    # (diagonal preconditioner, (n, K) logits, W^T built in blocks): both must meet at the optimum.
    kwargs = dict(density=0.05, fit_intercept=fit_intercept)
    sparse, dense = (
        _problem(300, 120, k, seed, **kwargs),
        _problem(300, 120, k, seed, dense=True, **kwargs),
    )
    a, b = _solve(sparse, 1e-10), _solve(dense, 1e-10)
    assert a.converged and b.converged
    fa, fb = sparse.loss(a.theta), dense.loss(b.theta)
    assert abs(fa - fb) <= 1e-10 * abs(fb)
    np.testing.assert_allclose(a.theta, b.theta, atol=1e-6 * np.abs(b.theta).max())


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [2, 5])
def test_sparse_newton_cg_holds_at_most_ten_parameter_vectors(seed, k):
    # n * K is a twentieth of the parameters here, so the peak counts parameter-sized vectors:
    # the iterate, the gradient, CG's x, r, p and A p, the product's (d, K) block, the line
    # search's trial point, and the stopping test's two scales. The curvature scale is the
    # objective's own (cached before the fit).
    obj = _problem(1000, 20000, k, seed, density=0.002)
    obj.curvature_scale()
    theta = np.zeros(obj.size)
    tracemalloc.start()
    try:
        result = newton_cg(obj, theta, max_iter=100, tol=1e-8, step_done=lambda t, f: False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.converged
    vectors = peak / theta.nbytes
    assert vectors <= 10, f"peak {peak / 1e6:.1f} MB = {vectors:.1f} parameter vectors"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_sparse_curvature_scale_is_exact_and_needs_no_copy_of_x(seed):
    # The diagonal preconditioner and the stopping test's scale come from column_curvature. It
    # reads CSR data in blocks: the squares, their row weights and bincount's int64 indices for
    # all of nnz at once (4 copies of the data) were a 50000 x 100000 fit's peak.
    from logreg.curvature import BLOCK_ELEMENTS, column_curvature

    rng = np.random.default_rng(seed)
    n, d = 3000, 4000
    X = sp.random(n, d, density=6 * BLOCK_ELEMENTS / (n * d), format="csr", random_state=rng)
    X.data = rng.standard_normal(X.nnz)
    X = sp.diags((rng.random(n) > 0.02).astype(float)) @ X  # empty rows
    X.eliminate_zeros()
    w = rng.random(n)
    expected = np.append(np.asarray(X.multiply(X).T @ w).ravel(), w.sum())
    tracemalloc.start()
    scale = column_curvature(X, w, True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_allclose(scale, expected, rtol=1e-12, atol=0)
    assert peak < X.data.nbytes, f"peak {peak} bytes, more than X's data ({X.data.nbytes} bytes)"
