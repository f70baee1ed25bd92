"""logreg.path: the warm-started regularization path and the cross-validated estimators.

The path must give the fits that cold starts give (only cheaper), and the cross-validated
estimators must choose what a grid search over cold fits chooses; both are checked on several
seeds, for two and for more classes, dense and sparse. Work is compared by the objective's own
counts (``work_``), never by time.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegressionCV as SkLogisticRegressionCV
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from logreg import LogisticRegression, SoftmaxRegression
from logreg.path import (
    LogisticRegressionCV,
    SoftmaxRegressionCV,
    alpha_grid,
    regularization_path,
)

ALPHAS = [1.0, 1e-1, 1e-2, 1e-3, 1e-4]


def make_data(seed, n_classes, sparse=False, n_samples=150, n_features=8):
    """Overlapping Gaussian classes (no separation, so every alpha has a bounded answer)."""
    rng = np.random.default_rng(seed)
    means = rng.normal(scale=1.0, size=(n_classes, n_features))
    y = rng.integers(0, n_classes, n_samples)
    X = means[y] + rng.normal(size=(n_samples, n_features))
    if sparse:
        X[rng.random(X.shape) < 0.6] = 0.0
        X = sp.csr_matrix(X)
    return X, np.array(["ant", "bee", "cat", "dog"])[y]  # labels of any values


@parametrize_with_checks(
    [SoftmaxRegressionCV(alphas=3, cv=3), LogisticRegressionCV(alphas=3, cv=3)]
)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def cold_fit(estimator, alpha, X, y):
    return estimator.__class__(**{**estimator.get_params(), "alpha": alpha}).fit(X, y)


@pytest.mark.parametrize("solver", ["newton-cg", "lbfgs", "newton"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_path_gives_the_cold_fits(seed, n_classes, sparse, solver):
    X, y = make_data(seed, n_classes, sparse)
    cls = LogisticRegression if n_classes == 2 else SoftmaxRegression
    estimator = cls(solver=solver, tol=1e-10, max_iter=1000)
    path = regularization_path(X, y, ALPHAS[::-1], estimator=estimator)  # any order
    np.testing.assert_array_equal(path.alphas, ALPHAS)  # fitted from the largest alpha
    assert path.coefs.shape == (len(ALPHAS), 1 if n_classes == 2 else n_classes, X.shape[1])
    assert estimator.alpha == 1e-4 and not estimator.warm_start  # the template is left alone
    for j, alpha in enumerate(ALPHAS):
        cold = cold_fit(estimator, alpha, X, y)
        np.testing.assert_array_equal(path.classes, cold.classes_)
        np.testing.assert_allclose(path.objectives[j], cold.loss_history_[-1], rtol=1e-12)
        np.testing.assert_allclose(path.coefs[j], cold.coef_, rtol=0, atol=1e-6)
        np.testing.assert_allclose(path.intercepts[j], cold.intercept_, rtol=0, atol=1e-6)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_warm_starts_save_newton_iterations(seed, n_classes, sparse):
    # What a warm start saves is outer iterations: each Newton-type iteration evaluates the
    # gradient once (more in a line search) and "newton" forms one Hessian. newton-cg's
    # Hessian-vector products are not always fewer: near the optimum its inner solve is asked for
    # more accuracy (the forcing term shrinks with the gradient), so no claim is made about them.
    X, y = make_data(seed, n_classes, sparse)
    cls = LogisticRegression if n_classes == 2 else SoftmaxRegression
    for solver, counted in (
        ("newton-cg", "gradient"),
        ("newton", "gradient"),
        ("newton", "hessian"),
    ):
        estimator = cls(solver=solver, tol=1e-10, max_iter=1000)
        path = regularization_path(X, y, ALPHAS, estimator=estimator)
        warm = sum(w[counted] for w in path.work)
        cold = sum(cold_fit(estimator, a, X, y).work_[counted] for a in ALPHAS)
        assert warm < cold, (solver, counted, warm, cold)


def test_an_optimal_warm_start_still_reports_its_objective():
    # Two alphas so close that the first fit is already optimal for the second: no iteration,
    # no loss history, and the objective is the previous one plus the change of the penalty.
    X, y = make_data(0, 3)
    estimator = SoftmaxRegression(tol=1e-6)
    path = regularization_path(X, y, [1e-2, 1e-2 * (1 - 1e-9)], estimator=estimator)
    assert path.n_iter[1] == 0 < path.n_iter[0]
    cold = cold_fit(SoftmaxRegression(tol=1e-12), path.alphas[1], X, y)
    np.testing.assert_allclose(path.objectives[1], cold.loss_history_[-1], rtol=1e-12)


def test_an_int_grid_is_scikit_learns_grid_of_c():
    grid = alpha_grid(10, total_weight=200.0)
    np.testing.assert_allclose(grid, 1 / (np.logspace(-4, 4, 10) * 200.0))
    assert np.all(np.diff(grid) < 0)  # the largest alpha first
    np.testing.assert_array_equal(alpha_grid([0.1, 0, 1.0, 0.1]), [1.0, 0.1, 0.0])


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_cv_chooses_what_a_grid_search_of_cold_fits_chooses(seed, n_classes, sparse):
    X, y = make_data(seed, n_classes, sparse, n_samples=120)
    cls = LogisticRegression if n_classes == 2 else SoftmaxRegression
    cv_cls = LogisticRegressionCV if n_classes == 2 else SoftmaxRegressionCV
    folds = StratifiedKFold(4, shuffle=True, random_state=seed)
    model = cv_cls(alphas=ALPHAS, cv=folds, tol=1e-10).fit(X, y)
    search = GridSearchCV(
        cls(tol=1e-10), {"alpha": ALPHAS}, cv=folds, scoring="neg_log_loss", error_score="raise"
    ).fit(X, y)
    assert model.alpha_ == search.best_params_["alpha"]
    expected = np.array([search.cv_results_[f"split{f}_test_score"] for f in range(4)])
    np.testing.assert_allclose(model.scores_, expected, rtol=0, atol=1e-8)
    assert model.scores_.shape == model.n_iter_.shape == (4, len(ALPHAS))
    np.testing.assert_allclose(model.coef_, search.best_estimator_.coef_, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(model.predict(X), search.predict(X))


def test_scikit_learns_logistic_regression_cv_chooses_the_same_c():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = LogisticRegressionCV(alphas=10, tol=1e-10).fit(X, y)
    theirs = SkLogisticRegressionCV(
        Cs=10,
        l1_ratios=(0.0,),
        scoring="neg_log_loss",
        tol=1e-10,
        max_iter=10_000,
        use_legacy_attributes=False,
    )
    theirs.fit(X, y)
    assert ours.alpha_ == pytest.approx(1 / (theirs.C_ * len(y)), rel=1e-12)
    # The scores are not compared: on a fold of n_train samples scikit-learn's C is the alpha
    # 1 / (C n_train), while here alpha is the same on every fold (the loss is a mean). The
    # refits on all the data are the same problem.
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=1e-5)


def nan_scorer(estimator, X, y):
    return float("nan") if len(y) < 40 else 0.0


@pytest.mark.parametrize(
    "alphas, error, match",
    [
        ([], ValueError, "non-empty 1-D list of numbers >= 0; received an empty list"),
        ([1.0, -0.1], ValueError, "finite numbers >= 0; received -0.1"),
        ([1.0, np.nan], ValueError, "finite numbers >= 0; received nan"),
        ([[1.0, 0.1]], ValueError, "received an array of shape \\(1, 2\\)"),
        (0, ValueError, "must be >= 1 \\(the grid's size\\); received 0"),
        ("small", TypeError, "an int or a 1-D list of numbers >= 0; received 'small'"),
    ],
)
def test_a_bad_grid_is_refused(alphas, error, match):
    X, y = make_data(0, 3)
    with pytest.raises(error, match=match):
        regularization_path(X, y, alphas)
    with pytest.raises(error, match=match):
        SoftmaxRegressionCV(alphas=alphas).fit(X, y)


def test_a_nan_score_is_never_averaged():
    X, y = make_data(0, 3, n_samples=100)
    cv = [(np.arange(40, 100), np.arange(40)), (np.arange(70), np.arange(70, 100))]
    with pytest.raises(ValueError, match="of fold 1 at alpha=1 is nan; expected a finite number"):
        SoftmaxRegressionCV(alphas=ALPHAS, cv=cv, scoring=nan_scorer).fit(X, y)


def test_the_estimator_must_be_one_of_the_librarys():
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    X, y = make_data(0, 2)
    for wrong in (SkLogisticRegression(), SoftmaxRegressionCV()):
        with pytest.raises(TypeError, match="LogisticRegression or SoftmaxRegression"):
            regularization_path(X, y, ALPHAS, estimator=wrong)
