"""The benchmark's harness (benchmarks/cases.py, problem.py, measure.py), without timing anything:
its data are what they say, its objective is the estimators' objective, and its iteration counts
are the fewest that reach the target."""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from cases import Case, Target, text_like
from measure import Entry, search_ours, search_sklearn
from problem import EXACT_MAX, Problem, skip_reason

from logreg.objective import BinaryObjective, SoftmaxObjective


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_text_like_is_seeded_sparse_and_normalized(seed):
    X, y = text_like(400, 3000, 0.004, 4, seed=seed)
    X2, y2 = text_like(400, 3000, 0.004, 4, seed=seed)
    assert (X != X2).nnz == 0 and np.array_equal(y, y2)
    density = X.nnz / (400 * 3000)
    assert 0.5 * 0.004 < density < 1.5 * 0.004, density
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, 1.0, rtol=1e-12)
    assert set(np.unique(y)) == {0, 1, 2, 3}


def _case(build, alpha=1e-3):
    return Case("test", build, alpha, Target("fastest", 1.0), 1, "test")


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_objective_is_the_estimators_objective(k, sparse):
    rng = np.random.default_rng(k + 2 * sparse)
    if sparse:
        build = lambda: text_like(200, 500, 0.02, k, seed=k)  # noqa: E731
    else:
        build = lambda: (rng.standard_normal((200, 7)), rng.integers(0, k, 200))  # noqa: E731
    problem = Problem(_case(build, alpha=0.03))
    d, n = problem.X.shape[1], problem.n
    outputs = 1 if k == 2 else k
    W, b = rng.standard_normal((outputs, d)), rng.standard_normal(outputs)
    weights = np.full(n, 1 / n)
    if k == 2:
        obj = BinaryObjective(problem.X, 2.0 * problem.y - 1.0, 0.03, True, weights)
    else:
        obj = SoftmaxObjective(problem.X, problem.y, k, 0.03, True, weights)
    expected = obj.loss(np.concatenate([W.ravel(), b]))
    assert problem.objective(W, b) == pytest.approx(expected, rel=1e-12)


def test_exact_hessian_solvers_are_skipped_only_above_the_limit():
    rng = np.random.default_rng(0)
    small = Problem(_case(lambda: (rng.standard_normal((50, 9)), np.arange(50) % 3)))
    wide = Problem(_case(lambda: (rng.standard_normal((50, 700)), np.arange(50) % 3)))
    assert small.n_params <= EXACT_MAX < wide.n_params
    assert skip_reason(small, "ours", "newton") == skip_reason(small, "sklearn", "newton-cholesky")
    assert skip_reason(small, "ours", "newton") == ""
    assert "exact Hessian" in skip_reason(wide, "ours", "newton")
    assert "exact Hessian" in skip_reason(wide, "sklearn", "newton-cholesky")
    assert skip_reason(wide, "ours", "lbfgs") == skip_reason(wide, "sklearn", "lbfgs") == ""


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("side", "solver"), [("ours", "lbfgs"), ("sklearn", "lbfgs")])
def test_the_iterations_found_are_the_fewest_that_reach_the_target(seed, side, solver):
    from sklearn.datasets import make_classification

    def build():
        return make_classification(300, 10, n_informative=5, n_classes=3, random_state=seed)

    problem = Problem(_case(build))
    problem.set_target(set())
    entry = Entry(side, solver)
    (search_ours if side == "ours" else search_sklearn)(problem, entry, None)
    k = entry.iterations
    assert k is not None and k > 1, entry.note
    fit = problem.ours if side == "ours" else problem.sklearn
    for iterations, reached in ((k, True), (k - 1, False)):
        model = fit(solver, iterations)
        value = problem.objective(model.coef_, model.intercept_)
        assert (value <= problem.target) == reached, (iterations, value, problem.target)
