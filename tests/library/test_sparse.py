"""Sparse and wide X: curvature without the (D, D) Gram matrix, SAG/SAGA, the solver rule."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from logreg import LogisticRegression, SoftmaxRegression
from logreg.curvature import column_curvature, top_eigenvalue
from logreg.objective import KRONECKER_MAX, BinaryObjective, SoftmaxObjective
from logreg.solvers import SOLVERS, sag, saga


def _sparse(n, d, density, seed, signed=False):
    """A CSR matrix with about ``density * n * d`` entries in [0, 1) (or [-0.5, 0.5))."""
    rng = np.random.default_rng(seed)
    nnz = int(density * n * d)
    values = rng.random(nnz) - (0.5 if signed else 0.0)
    X = sp.csr_matrix((values, (rng.integers(0, n, nnz), rng.integers(0, d, nnz))), shape=(n, d))
    X.sum_duplicates()
    return X


def _objective(X, k, seed, alpha=1e-3, weights=None):
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    w = np.full(n, 1 / n) if weights is None else weights / weights.sum()
    if k == 2:
        return BinaryObjective(X, rng.choice([-1.0, 1.0], n), alpha, True, w)
    return SoftmaxObjective(X, rng.integers(0, k, n), k, alpha, True, w)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("k", [2, 4])
def test_curvature_scale_and_lipschitz_of_sparse_x_equal_the_dense_computation(seed, signed, k):
    X = _sparse(400, KRONECKER_MAX + 50, 0.02, seed, signed)  # past the Gram matrix's limit
    w = np.random.default_rng(seed).uniform(0.5, 2.0, X.shape[0])
    sparse_obj, dense_obj = (_objective(Xi, k, seed, weights=w) for Xi in (X, X.toarray()))
    gram = dense_obj.gram  # the reference: the (D, D) matrix, formed here on purpose
    c = sparse_obj.pointwise.label_curvature
    diag = np.diag(gram)
    expected = np.concatenate([np.tile(c * diag[:-1] + 1e-3, sparse_obj.n_outputs), [c * diag[-1]]])
    expected = np.concatenate(
        [expected[: sparse_obj.n_weights], np.full(k if k > 2 else 1, c * diag[-1])]
    )
    np.testing.assert_allclose(sparse_obj.curvature_scale(), expected, rtol=1e-12)
    np.testing.assert_allclose(dense_obj.curvature_scale(), expected, rtol=1e-12)
    exact = c * np.linalg.eigvalsh(gram)[-1] + 1e-3
    for obj in (sparse_obj, dense_obj):
        bound = obj.lipschitz()
        assert exact * (1 - 1e-9) <= bound <= exact * 1.01, (bound, exact)


def test_lipschitz_is_exact_for_a_small_gram_matrix():
    obj = _objective(_sparse(300, 20, 0.3, 0, signed=True), 3, 0)
    c = obj.pointwise.label_curvature
    assert obj.lipschitz() == pytest.approx(c * np.linalg.eigvalsh(obj.gram)[-1] + 1e-3, rel=1e-12)


def test_column_curvature_reads_dense_blocks_like_sparse_rows():
    X = _sparse(3000, 300, 0.05, 3, signed=True)  # dense X is squared in several blocks
    w = np.random.default_rng(3).random(3000)
    for fit_intercept in (True, False):
        expected = column_curvature(X, w, fit_intercept)
        np.testing.assert_allclose(column_curvature(X.toarray(), w, fit_intercept), expected)
        assert len(expected) == 300 + fit_intercept


def test_top_eigenvalue_never_falls_below_the_largest_eigenvalue():
    for seed in range(4):
        X = _sparse(200, 150, 0.05, seed)
        w = np.full(200, 1 / 200)
        Xt = np.column_stack([X.toarray(), np.ones(200)])
        exact = np.linalg.eigvalsh(Xt.T @ (Xt * w[:, None]))[-1]
        assert exact * (1 - 1e-9) <= top_eigenvalue(X, w, True) <= exact * 1.001


@pytest.mark.parametrize("solver", ["newton-cg", "lbfgs", "gd", "sag", "saga"])
def test_no_fit_on_wide_sparse_x_allocates_a_d_by_d_array(solver):
    X = _sparse(1000, 20000, 0.001, 0)  # D = 20001: a dense D x D float64 array is 3.2 GB
    y = np.random.default_rng(0).integers(0, 3, 1000)
    tracemalloc.start()
    if solver in ("sag", "saga"):  # solver functions, not (yet) estimator options
        _run(SOLVERS[solver], SoftmaxObjective(X, y, 3, 1e-3, True, np.full(1000, 1e-3)), 2, 0.0)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            SoftmaxRegression(solver=solver, alpha=1e-3, max_iter=2).fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50e6, f"{solver}: peak {peak / 1e6:.0f} MB"  # D^2 * 8 bytes = 3200 MB


def test_gd_with_auto_lr_finishes_on_5000_by_20000_csr():
    X = _sparse(5000, 20000, 0.001, 1)
    y = np.random.default_rng(1).integers(0, 2, 5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(solver="gd", lr="auto", alpha=1e-4, max_iter=3).fit(X, y)
    assert model.n_iter_ == 3
    assert model.loss_history_[-1] < model.loss_history_[0]


# -- SAG and SAGA --------------------------------------------------------------------------


def _data(kind, seed, n=240, d=12):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X[rng.random((n, d)) < 0.6] = 0.0
    return sp.csr_matrix(X) if kind == "sparse" else X


def _run(solver, obj, max_iter, tol, batch_size=32, seed=0):
    history = []
    result = solver(
        obj,
        np.zeros(obj.size),
        max_iter=max_iter,
        tol=tol,
        step_done=lambda theta, loss: history.append(loss) and False,
        rng=np.random.default_rng(seed),
        batch_size=batch_size,
    )
    return result, np.array(history)


@pytest.mark.parametrize("solver", [sag, saga])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sag_and_saga_reach_newton_cg_optimum(solver, kind, k, seed):
    X = _data(kind, seed, n=120)
    s = np.random.default_rng(seed + 10).uniform(0.2, 3.0, X.shape[0])
    obj = _objective(X, k, seed, alpha=1e-2, weights=s)
    ref = SOLVERS["newton-cg"](
        obj, np.zeros(obj.size), max_iter=100, tol=1e-12, step_done=lambda *a: False
    )
    result, history = _run(solver, obj, 3000, 1e-9, batch_size=4, seed=seed)
    assert result.converged and result.n_iter < 3000
    np.testing.assert_allclose(result.theta, ref.theta, atol=1e-6)
    assert history[-1] <= obj.loss(ref.theta) * (1 + 1e-10)


@pytest.mark.parametrize("solver", [sag, saga])
def test_the_lazy_update_of_sparse_columns_gives_the_dense_iterates(solver):
    for seed in range(3):
        X = _data("sparse", seed, n=100, d=40)
        thetas = [
            _run(solver, _objective(Xi, 3, seed, alpha=1e-2), 3, 0.0, batch_size=4, seed=seed)[0]
            for Xi in (X, X.toarray())
        ]
        np.testing.assert_allclose(thetas[0].theta, thetas[1].theta, atol=1e-12)


@pytest.mark.parametrize("solver", [sag, saga])
@pytest.mark.parametrize("batch_size", [1, 32])
def test_sag_step_bound_lowers_the_objective_over_epochs(solver, batch_size):
    for seed in range(3):
        X = _data("dense", seed) * 3.0  # large rows: a step beyond the bound would show
        obj = _objective(X, 3, seed, alpha=1e-3)
        history = _run(solver, obj, 30, 0.0, batch_size=batch_size)[1]
        assert np.all(np.isfinite(history)) and len(history) == 30
        assert np.all(np.diff(history) <= 1e-12 * history[0]), np.diff(history).max()


def test_sag_errors_name_what_was_expected():
    obj = _objective(_sparse(50, 10, 0.3, 0), 3, 0)
    common = dict(max_iter=2, tol=0.0, step_done=lambda *a: False)
    with pytest.raises(ValueError, match="batch_size must be an int >= 1; received 0"):
        sag(obj, np.zeros(obj.size), rng=np.random.default_rng(0), batch_size=0, **common)
    with pytest.raises(ValueError, match="need a random generator rng; received None"):
        saga(obj, np.zeros(obj.size), rng=None, **common)


@pytest.mark.parametrize("solver", [sag, saga])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_sag_and_saga_without_intercepts(solver, kind):
    for seed in range(2):
        X = _data(kind, seed, n=120)
        rng = np.random.default_rng(seed)
        n = X.shape[0]
        obj = SoftmaxObjective(X, rng.integers(0, 3, n), 3, 1e-2, False, np.full(n, 1 / n))
        ref = SOLVERS["newton-cg"](
            obj, np.zeros(obj.size), max_iter=100, tol=1e-12, step_done=lambda *a: False
        )
        result = _run(solver, obj, 3000, 1e-8, batch_size=8, seed=seed)[0]
        assert result.converged
        np.testing.assert_allclose(result.theta, ref.theta, atol=1e-6)
