"""The estimators are scikit-learn estimators: scikit-learn's own checks, and its tools.

``parametrize_with_checks`` runs scikit-learn's estimator checks on both classes and every solver
(with ``class_weight="balanced"``, the checks that weigh samples or classes), and on the two-layer
network. No check is skipped (``SCIPY_ARRAY_API`` is set in conftest.py so that the NumPy
array-API check runs too); two are expected to fail for sag and saga only, with the reason
(``STOCHASTIC_REASON``): their sample-weight equivalence is tested at convergence in
``test_sample_weight_matches_scikit_learn_and_repeated_rows`` instead. The rest uses the
estimators the way a reader of the book goes on to use them: in pipelines, searches, calibration,
one-vs-rest, ensembles and displays.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.exceptions import DataConversionWarning
from sklearn.inspection import DecisionBoundaryDisplay, permutation_importance
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from logreg import ConvergenceWarning, LogisticRegression, SoftmaxRegression
from logreg.models import SOLVERS
from logreg.network import TwoLayerClassifier

# SAG and SAGA take 16 or more steps per epoch in Python: at the default max_iter=100 their checks
# on sparse data alone took 3 minutes of make test. The checks test the API, and the solvers'
# convergence is tested where they are (test_sparse.py, the sample-weight test below).
STOCHASTIC_MAX_ITER = {"sag": 20, "saga": 20}


def _estimator(Model, solver, **params):
    if solver in STOCHASTIC_MAX_ITER:
        params["max_iter"] = STOCHASTIC_MAX_ITER[solver]
    return Model(solver=solver, **params)


ESTIMATORS = [
    _estimator(Model, s) for Model in (SoftmaxRegression, LogisticRegression) for s in SOLVERS
] + [TwoLayerClassifier()]

# class_weight="balanced" as well, through the checks that weigh samples or classes: the
# sample-weight equivalence checks hold only if the class weights count a sample of weight k as k
# samples, as scikit-learn's do. The other checks do not read class_weight, and running them again
# for every solver would double the time of this module for nothing.
BALANCED = [
    _estimator(Model, s, class_weight="balanced")
    for Model in (SoftmaxRegression, LogisticRegression)
    for s in SOLVERS
]


STOCHASTIC_REASON = (
    "SAG/SAGA meet this check's rtol=1e-7 only far past its default max_iter; scikit-learn "
    "leaves the check out for its own sag and saga too"
)


def _expected_failures(estimator):
    if getattr(estimator, "solver", None) not in ("sag", "saga"):
        return {}
    return {
        "check_sample_weight_equivalence_on_dense_data": STOCHASTIC_REASON,
        "check_sample_weight_equivalence_on_sparse_data": STOCHASTIC_REASON,
    }


def _weight_checks(estimators):
    """``parametrize_with_checks``'s mark, keeping the checks whose name mentions a weight."""
    mark = parametrize_with_checks(estimators, expected_failed_checks=_expected_failures).mark
    names, pairs = mark.args

    def weighs(pair):
        check = (pair.values if hasattr(pair, "values") else pair)[1]
        name = getattr(check, "func", check).__name__
        return "sample_weight" in name or "class_weight" in name

    return pytest.mark.parametrize(names, [p for p in pairs if weighs(p)], **mark.kwargs)


# Some checks fit unscaled data with the default max_iter; a solver that stops early says so with
# a ConvergenceWarning, which scikit-learn's own estimators also raise there. Any other warning
# still fails the test.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failures)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@_weight_checks(BALANCED)
def test_scikit_learn_weight_checks_balanced(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X, y


def test_pipeline_cross_validation_and_grid_search(digits):
    X, y = digits
    pipe = make_pipeline(StandardScaler(), SoftmaxRegression(alpha=1e-3))
    scores = cross_val_score(pipe, X, y, cv=5)
    assert np.all(np.isfinite(scores)) and scores.mean() > 0.9
    assert pipe.fit(X, y).score(X, y) > 0.95 and pipe.predict(X[:5]).shape == (5,)
    search = GridSearchCV(
        pipe, {"softmaxregression__alpha": [1e-4, 1e-2, 10.0]}, cv=3, error_score="raise"
    )
    search.fit(X, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_["softmaxregression__alpha"] != 10.0  # underfits: never the best


def test_calibration_one_vs_rest_ensembles_display_importance():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    calibrated = CalibratedClassifierCV(SoftmaxRegression(), cv=3).fit(X, y)
    np.testing.assert_allclose(calibrated.predict_proba(X).sum(axis=1), 1.0)
    ovr = OneVsRestClassifier(LogisticRegression()).fit(X, y)
    assert len(ovr.estimators_) == 3 and ovr.score(X, y) > 0.9
    for ensemble in (
        VotingClassifier(
            [("a", SoftmaxRegression()), ("b", SoftmaxRegression(alpha=1.0))], voting="soft"
        ),
        BaggingClassifier(SoftmaxRegression(), n_estimators=3, random_state=0),
        StackingClassifier([("a", SoftmaxRegression())], final_estimator=SoftmaxRegression()),
    ):
        assert ensemble.fit(X, y).score(X, y) > 0.9
    model = SoftmaxRegression().fit(X[:, :2], y)
    display = DecisionBoundaryDisplay.from_estimator(model, X[:, :2], response_method="predict")
    assert display.response.shape[0] > 10
    result = permutation_importance(
        model, X[:, :2], y, scoring="neg_log_loss", n_repeats=3, random_state=0
    )
    assert np.all(np.isfinite(result.importances_mean)) and result.importances_mean.max() > 0


@pytest.mark.parametrize("solver", [s for s in SOLVERS if s != "sgd"])
def test_sample_weight_matches_scikit_learn_and_repeated_rows(solver):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    weights = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    alpha = 1e-2
    first_order = {"gd": 20_000, "sag": 5_000, "saga": 5_000}  # max_iter: they converge linearly
    params = (
        {"max_iter": first_order[solver], "tol": 1e-7}
        if solver in first_order
        else {"tol": 1e-10, "max_iter": 500}
    )
    ours = SoftmaxRegression(solver=solver, alpha=alpha, **params).fit(X, y, sample_weight=weights)
    repeats = weights.astype(int)
    repeated = SoftmaxRegression(solver=solver, alpha=alpha, **params)
    repeated.fit(np.repeat(X, repeats, axis=0), np.repeat(y, repeats))
    reference = SkLogisticRegression(C=1 / (alpha * weights.sum()), tol=1e-12, max_iter=10_000)
    reference.fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), repeated.predict_proba(X), atol=1e-4)


def test_sgd_minimizes_the_weighted_objective():
    # SGD only hovers near an optimum; what it must get right is *which* objective it minimizes.
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    weights = np.random.default_rng(0).integers(0, 4, len(y)).astype(float)
    weighted = SoftmaxRegression(alpha=1e-2, tol=1e-10).fit(X, y, sample_weight=weights)
    plain = SoftmaxRegression(alpha=1e-2, tol=1e-10).fit(X, y)
    sgd = SoftmaxRegression(
        solver="sgd", alpha=1e-2, lr=0.05, max_iter=300, tol=0.0, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sgd.fit(X, y, sample_weight=weights)
    assert sgd.loss_history_[-1] - weighted.loss_history_[-1] < 0.01
    to_weighted = np.abs(sgd.predict_proba(X) - weighted.predict_proba(X)).mean()
    to_plain = np.abs(sgd.predict_proba(X) - plain.predict_proba(X)).mean()
    assert to_weighted < to_plain


def test_class_weight_balanced_and_dict_match_scikit_learn():
    X, y = load_iris(return_X_y=True)
    X, y = StandardScaler().fit_transform(X[20:]), y[20:]  # unbalanced: 30, 50, 50
    alpha = 1e-2
    for class_weight in ("balanced", {0: 3.0, 1: 1.0, 2: 0.5}):
        ours = SoftmaxRegression(alpha=alpha, class_weight=class_weight, tol=1e-10).fit(X, y)
        ref = SkLogisticRegression(
            C=1 / (alpha * len(y)), class_weight=class_weight, tol=1e-12, max_iter=10_000
        )
        np.testing.assert_allclose(ours.predict_proba(X), ref.fit(X, y).predict_proba(X), atol=1e-5)


def test_warm_start_continues_from_the_previous_fit(digits):
    X, y = digits
    X = StandardScaler().fit_transform(X)
    cold = SoftmaxRegression(alpha=1e-3, tol=1e-8).fit(X, y)
    warm = SoftmaxRegression(alpha=1e-3, tol=1e-8, warm_start=True).fit(X, y)
    assert warm.fit(X, y).n_iter_[0] <= 1 < cold.n_iter_[0]  # already at the optimum
    np.testing.assert_allclose(warm.coef_, cold.coef_, atol=1e-6)


def test_feature_names_are_remembered_and_checked():
    X, y = load_iris(return_X_y=True, as_frame=True)
    model = SoftmaxRegression().fit(X, y)
    np.testing.assert_array_equal(model.feature_names_in_, X.columns)
    with pytest.raises(
        ValueError, match="Feature names must be in the same order as they were in fit"
    ):
        model.predict(X[X.columns[::-1]])
    with pytest.raises(ValueError, match="Feature names seen at fit time, yet now missing"):
        model.predict(X.iloc[:, :3])
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        np.testing.assert_array_equal(model.predict(X), model.predict(X.to_numpy()))


@pytest.mark.parametrize("solver", SOLVERS)
def test_sparse_input_gives_the_dense_fit(solver):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X[np.abs(X) < 0.5] = 0.0
    params = {"solver": solver, "alpha": 1e-2, "max_iter": 50, "tol": 0.0, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = SoftmaxRegression(**params).fit(X, y)
        sparse = SoftmaxRegression(**params).fit(sp.csr_matrix(X), y)
    # Fixed-step solvers repeat the same arithmetic; the others run until rounding ends progress,
    # which sparse and dense products reach at slightly different points.
    atol = 1e-12 if solver in ("gd", "sgd") else 1e-7
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=0, atol=atol)
    proba = sparse.predict_proba(sp.csr_matrix(X))
    np.testing.assert_allclose(proba, dense.predict_proba(X), rtol=0, atol=atol)


@pytest.mark.parametrize("solver", ["newton-cg", "lbfgs", "gd"])
def test_float32_is_never_copied_to_float64(solver):
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_000, 50)).astype(np.float32)
    y = (X[:, 0] + 0.5 * rng.normal(size=20_000) > 0).astype(int) + (X[:, 1] > 1)
    model = SoftmaxRegression(solver=solver, max_iter=5, tol=0.0)
    tracemalloc.start()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # A float64 copy alone would be 2 * X.nbytes (8 MB); the working blocks are at most 2 MB.
    assert peak < 1.5 * X.nbytes
    assert model.predict_proba(X[:3]).shape == (3, 3)


def test_targets_scikit_learn_style():
    X, y = load_iris(return_X_y=True)
    with pytest.warns(DataConversionWarning):
        SoftmaxRegression().fit(X, y[:, None])
    with pytest.raises(ValueError, match="Unknown label type"):
        SoftmaxRegression().fit(X, X[:, 0])  # a regression target is not taken as 150 classes
    binary = SoftmaxRegression().fit(X[:100], y[:100])
    assert binary.decision_function(X[:7]).shape == (7,)
    assert LogisticRegression().fit(X[:100], y[:100]).decision_function(X[:7]).shape == (7,)


def test_sgd_works_on_tiny_data_with_default_settings():
    X, y = load_iris(return_X_y=True)
    X, y = StandardScaler().fit_transform(X[::8]), y[::8]  # 19 samples, batch_size 32 by default
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SoftmaxRegression(solver="sgd", random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9


@pytest.mark.parametrize("scale", [1e6, 1e-6])
@pytest.mark.parametrize("solver", ["newton-cg", "lbfgs", "newton"])
def test_rescaled_features_give_the_same_fit(scale, solver):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    alpha = 1e-2
    base = LogisticRegression(solver=solver, alpha=alpha, tol=1e-8, max_iter=1000).fit(X, y)
    # The same problem in rescaled coordinates: X' = X s, w' = w / s, alpha' = alpha s^2.
    scaled = LogisticRegression(solver=solver, alpha=alpha * scale**2, tol=1e-8, max_iter=1000)
    scaled.fit(X * scale, y)
    assert scaled.n_iter_[0] > 0
    np.testing.assert_allclose(scaled.coef_ * scale, base.coef_, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(scaled.predict_proba(X * scale), base.predict_proba(X), atol=1e-6)
