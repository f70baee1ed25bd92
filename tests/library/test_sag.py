"""SAG and SAGA's step: the local estimate of L and the intercepts' change of variables.

test_sparse.py tests the solvers' iterates (the lazy update, convergence, the bound's monotone
descent); these test what sets their step.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from logreg.objective import BinaryObjective, SoftmaxObjective
from logreg.solvers import SOLVERS, local_curvature, saga


def _problem(k, seed, fit_intercept=True, n=80, d=6):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, d)
    w = rng.uniform(0.2, 3.0, n)
    w /= w.sum()
    if k == 2:
        return BinaryObjective(X, rng.choice([-1.0, 1.0], n), 1e-2, fit_intercept, w)
    y = (X[:, :k] + rng.standard_normal((n, k))).argmax(axis=1)
    return SoftmaxObjective(X, y, k, 1e-2, fit_intercept, w)


def _terms(obj, W, b):
    """Every sample's ``n omega_i loss_i`` at (W, b), from the logits, by log-sum-exp."""
    Z = obj.X @ W.T + (0.0 if b is None else b)
    n = obj.n_samples
    if obj.n_outputs == 1:
        losses = np.logaddexp(0.0, -obj.y * Z[:, 0])
    else:
        top = Z.max(axis=1)
        losses = top + np.log(np.exp(Z - top[:, None]).sum(axis=1)) - Z[np.arange(n), obj.y]
    return n * obj.weights * losses


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_term_decreases_enough_at_the_local_estimate(k, seed):
    """At the returned L, a gradient step of length 1/L on each sample's term ``h_i`` lowers it
    by at least ``|grad h_i|^2 / (2L)`` (checked by stepping W and b and recomputing the term),
    and L never exceeds Böhning's bound; at a random point, at zero and at the optimum."""
    obj = _problem(k, seed)
    n, c = obj.n_samples, obj.pointwise.label_curvature
    sq = np.einsum("ij,ij->i", obj.X, obj.X) + 1.0  # the intercepts' column of ones
    bound = c * np.max(n * obj.weights * sq)
    optimum = SOLVERS["newton-cg"](
        obj, np.zeros(obj.size), max_iter=100, tol=1e-10, step_done=lambda *a: False
    ).theta
    rng = np.random.default_rng(seed)
    for theta in (np.zeros(obj.size), rng.standard_normal(obj.size), optimum):
        W, b = obj.split(theta)
        Z = (obj.X @ W.T + b).T.copy()  # (K, n)
        dZ = obj.pointwise.gradient(Z.copy(), obj.y)[1] * obj.weights
        L = local_curvature(obj, Z, dZ, sq)
        assert 0 < L <= bound
        before = _terms(obj, W, b)
        for i in range(n):
            g = n * dZ[:, i]  # grad h_i = g x~_i^T
            after = _terms(obj, W - np.outer(g, obj.X[i]) / L, b - g / L)[i]
            assert after <= before[i] - (g @ g) * sq[i] / (2 * L) + 1e-12 * abs(before[i])


def _text_like(n, d, per_row, seed):
    """Non-negative CSR rows of unit norm with Zipf-like column frequencies (bag of words)."""
    rng = np.random.default_rng(seed)
    p = 1.0 / (np.arange(d) + 10.0)
    cols = rng.choice(d, size=n * per_row, p=p / p.sum())
    X = sp.csr_matrix((rng.random(n * per_row) + 0.5, (np.repeat(np.arange(n), per_row), cols)))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / norms) @ X), rng


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saga_in_batches_with_intercepts_converges_on_text_like_rows(seed):
    """On non-negative unit rows the column of ones curves the objective far more than the data
    (its curvature c against c lambda_max(X^T X / n) ~ 0.02 c); stepping the intercepts in
    ``b / s`` lets a batch of 16 rows take a batch's step and SAGA reach tol within 60 epochs
    (with ``s = 1`` it needs several hundred)."""
    X, rng = _text_like(800, 1500, 8, seed)
    n = X.shape[0]
    y = rng.integers(0, 3, n)
    obj = SoftmaxObjective(X, y, 3, 1e-3, True, np.full(n, 1 / n))
    ref = SOLVERS["newton-cg"](
        obj, np.zeros(obj.size), max_iter=100, tol=1e-12, step_done=lambda *a: False
    )
    result = saga(
        obj,
        np.zeros(obj.size),
        max_iter=60,
        tol=1e-6,
        step_done=lambda *a: False,
        rng=np.random.default_rng(seed),
        batch_size=16,
    )
    assert result.converged, "SAGA did not reach tol=1e-6 in 60 epochs"
    np.testing.assert_allclose(result.theta, ref.theta, atol=1e-4)
