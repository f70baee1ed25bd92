"""The Kronecker-factored preconditioner of wide dense X (fewer samples than columns): built from
the (n_samples, n_samples) matrix, equal to the inverse of its full Kronecker model, computed once
per fit, and newton-cg with it reaches scikit-learn's optimum."""

import tracemalloc

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

import logreg.objective
from logreg import LogisticRegression, SoftmaxRegression, softmax
from logreg.objective import KRONECKER_MAX, BinaryObjective, SoftmaxObjective

SHAPES = [(12, 30), (20, 20), (25, 60)]  # n < d, and n ~ d (with intercepts D = d + 1 > n)


def _objective(n, d, k, fit_intercept, weights, alpha, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.1, 3.0, d)  # columns of unequal scale
    y = rng.integers(0, k, n)
    if k == 2:
        return BinaryObjective(X, np.where(y == 1, 1.0, -1.0), alpha, fit_intercept, weights)
    return SoftmaxObjective(X, y, k, alpha, fit_intercept, weights)


def _reference(obj, theta):
    """``(A (x) G + alpha I)^-1`` as a dense matrix, formed here from its definition: ``A`` the
    weighted mean curvature in the logits at ``theta`` (Böhning's bound when None), ``G`` the
    full (D, D) weighted Gram matrix; the intercepts' equal shift is projected out."""
    X, K, d = obj.X, obj.n_outputs, obj.n_features
    Xa = np.column_stack([X, np.ones(len(X))]) if obj.fit_intercept else X
    omega = obj.weights / obj.weights.sum()
    if theta is None:
        A = obj.pointwise.bohning()
    else:
        W, b = obj.split(theta)
        Z = X @ W.T + (b if b is not None else 0.0)
        if K == 1:
            s = 1 / (1 + np.exp(-Z[:, 0]))
            A = np.array([[omega @ (s * (1 - s))]])
        else:
            P = softmax(Z)
            A = sum(w * (np.diag(p) - np.outer(p, p)) for w, p in zip(omega, P, strict=True))
    M = np.kron(A, Xa.T @ (Xa * obj.weights[:, None]))  # class by class: rows of [W | b]
    M[np.diag_indices_from(M)] += obj.alpha
    order = np.arange(M.shape[0]).reshape(K, -1)
    order = np.concatenate([order[:, :d].ravel(), order[:, d:].ravel()])
    inverse = np.linalg.inv(M[np.ix_(order, order)])
    if K > 1 and obj.fit_intercept:  # nothing curves the intercepts' equal shift: result 0 there
        inverse[obj.n_weights :] -= inverse[obj.n_weights :].mean(axis=0)
    return inverse


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("shape", SHAPES)
def test_thin_preconditioner_equals_the_inverse_of_the_full_kronecker_model(
    shape, k, fit_intercept
):
    n, d = shape
    for seed in range(3):
        rng = np.random.default_rng(10 + seed)
        # equal weights, then unequal ones with a zero (a row that the range must leave out)
        weights = np.full(n, 1 / n) if seed == 0 else rng.uniform(0.0, 2.0, n)
        weights[-1] *= seed != 2
        weights /= weights.sum()
        alpha = [1e-1, 1e-3, 1e-5][seed]
        obj = _objective(n, d, k, fit_intercept, weights, alpha, seed)
        assert obj.kronecker
        theta = rng.normal(size=obj.size)
        V = rng.normal(size=(obj.size, 4))  # random: every one has a part off X's row space
        for point, precondition in [
            (theta, obj.loss_grad_hessp(theta)[3]),
            (theta, obj.preconditioner(theta)),
            (None, obj.preconditioner()),
        ]:
            got = np.column_stack([precondition(v) for v in V.T])
            expected = _reference(obj, point) @ V  # entries up to 1/alpha: atol follows them
            np.testing.assert_allclose(
                got, expected, rtol=1e-7, atol=1e-10 * np.abs(expected).max()
            )


def test_the_thin_basis_is_orthonormal_and_spans_the_gram_matrix():
    rng = np.random.default_rng(3)
    for n, d, fit_intercept in [(15, 40, True), (15, 40, False), (30, 31, False)]:
        X = rng.normal(size=(n, d))
        w = rng.uniform(0.5, 2.0, n)
        w[0] = 0.0
        lam, V = logreg.curvature.gram_eigen(X, w, fit_intercept)
        Xa = np.column_stack([X, np.ones(n)]) if fit_intercept else X
        assert V.shape == (d + fit_intercept, n - 1)  # rank n - 1: one row has weight zero
        np.testing.assert_allclose(V.T @ V, np.eye(n - 1), atol=1e-10)
        gram = Xa.T @ (Xa * w[:, None])
        np.testing.assert_allclose((V * lam) @ V.T, gram, atol=1e-10 * np.abs(gram).max())


def test_wide_dense_x_never_forms_the_columns_gram_matrix():
    n, d = 40, 3000
    obj = _objective(n, d, 3, True, np.full(n, 1 / n), 1e-3, 0)
    assert obj.kronecker and min(n, d) <= KRONECKER_MAX < d
    g = np.random.default_rng(0).normal(size=obj.size)
    tracemalloc.start()
    try:
        obj.preconditioner()(g)
        lipschitz = obj.lipschitz()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < (d + 1) ** 2 * 8 / 10, peak  # the (D, D) Gram matrix alone would be 72 MB
    top = np.linalg.svd(np.column_stack([obj.X, np.ones(n)]), compute_uv=False)[0] ** 2 / n
    assert lipschitz == pytest.approx(0.5 * top + 1e-3, rel=1e-10)


def test_a_fit_eigendecomposes_the_gram_matrix_once(monkeypatch):
    calls = []
    original = logreg.objective.gram_eigen

    def counted(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(logreg.objective, "gram_eigen", counted)
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(60, 150)), rng.integers(0, 3, 60)
    model = SoftmaxRegression(alpha=1e-3, solver="newton-cg", tol=1e-8).fit(X, y)
    assert model.n_iter_[0] > 2 and model.work_["hess_vec"] > model.n_iter_[0]
    assert len(calls) == 1  # not once per iteration or line-search point


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("k", [2, 3, 5])
def test_newton_cg_on_wide_x_reaches_scikit_learns_optimum(k, fit_intercept):
    for seed in range(3):
        rng = np.random.default_rng(20 + seed)
        n, d = [(40, 120), (60, 61), (50, 400)][seed]
        X = rng.normal(size=(n, d)) * rng.uniform(0.1, 3.0, d)
        y = rng.integers(0, k, n)
        s = rng.integers(1, 4, n).astype(float) if seed else None
        alpha = 1e-2
        C = 1 / (alpha * (n if s is None else s.sum()))
        ours_cls = LogisticRegression if k == 2 else SoftmaxRegression
        ours = ours_cls(alpha=alpha, fit_intercept=fit_intercept, tol=1e-10, max_iter=200)
        ours.fit(X, y, sample_weight=s)
        assert ours.solver == "newton-cg" and ours.work_["hess_vec"] > 0
        # scikit-learn's exact Newton: its lbfgs stops 1e-7 away at tol=1e-12 on these columns,
        # and its newton-cg's line search fails there on some CPUs (AMD EPYC: two of 18 cases)
        sk = SkLogisticRegression(
            C=C, fit_intercept=fit_intercept, solver="newton-cholesky", tol=1e-12, max_iter=500
        )
        sk.fit(X, y, sample_weight=s)
        scale = np.abs(sk.coef_).max()
        # float64 rounding stops our gradient near 1e-11 on the (50, 400) columns with
        # intercepts, up to 7.6e-9 of the coefficients' scale (measured, AMD EPYC): 2e-8 allowed
        np.testing.assert_allclose(ours.coef_, sk.coef_, atol=2e-8 * scale)
        if fit_intercept:  # softmax's intercepts are defined up to an equal shift
            b_ours, b_sk = ours.intercept_, sk.intercept_
            if k > 2:
                b_ours, b_sk = b_ours - b_ours.mean(), b_sk - b_sk.mean()
            np.testing.assert_allclose(b_ours, b_sk, atol=2e-8 * max(scale, 1.0))
