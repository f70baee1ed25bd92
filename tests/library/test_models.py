"""The trainers: agreement with scikit-learn, the solvers, the estimator contract, bad input."""

import warnings

import numpy as np
import pytest
from _blobs import blobs
from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logreg import (
    ConvergenceWarning,
    DivergenceError,
    LogisticRegression,
    SoftmaxRegression,
    one_hot,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
)


def standardized(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def iris():
    return standardized(load_iris)


# ---------------------------------------------------------------------------
# Agreement with scikit-learn
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loader", "alpha"),
    [(load_iris, 1e-2), (load_iris, 1e-3), (load_digits, 1e-2), (load_breast_cancer, 1e-2)],
    ids=["iris-1e-2", "iris-1e-3", "digits-1e-2", "breast_cancer-1e-2"],
)
def test_matches_scikit_learn(loader, alpha):
    X, y = standardized(loader)
    n_samples = X.shape[0]
    # Our objective is mean loss + (alpha/2)||W||^2; scikit-learn's is
    # C * sum loss + (1/2)||W||^2. Dividing the latter by C * n gives ours
    # when C = 1 / (alpha * n).
    ref = SkLogisticRegression(C=1.0 / (alpha * n_samples), tol=1e-12, max_iter=10_000).fit(X, y)
    Model = LogisticRegression if len(np.unique(y)) == 2 else SoftmaxRegression
    ours = Model(alpha=alpha, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=0, atol=1e-5)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-4)
    # Shift-invariance: adding the same constant to every intercept leaves
    # every probability unchanged, and intercepts are not penalized, so the
    # optimum fixes them only up to a common shift. Compare the differences.
    shift = ours.intercept_ - ref.intercept_
    np.testing.assert_allclose(shift - shift.mean(), 0.0, atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_softmax_intercepts_and_weights_sum_to_zero(iris):
    X, y = iris
    alpha, tol = 1e-2, 1e-10
    model = SoftmaxRegression(alpha=alpha, tol=tol).fit(X, y)
    # The solvers never move along the flat intercept direction.
    assert abs(model.intercept_.sum()) < 1e-12
    # The data part of the gradient sums to zero over the classes, so the
    # class-sum of the full gradient is alpha * sum_k w_k; at convergence each
    # entry is <= tol, so |sum_k w_k| <= n_classes * tol / alpha. The L2 term
    # selects the representative with sum_k w_k = 0 (shift-invariance chapter).
    assert np.abs(model.coef_.sum(axis=0)).max() <= 3 * tol / alpha


def test_two_class_softmax_is_binary_logistic_regression():
    X, y = standardized(load_breast_cancer)
    alpha = 1e-2
    binary = LogisticRegression(alpha=alpha, tol=1e-10).fit(X, y)
    # The softmax penalty (a/2)(|w_0|^2 + |w_1|^2) at the optimum, where
    # w_0 = -w_1 = -w/2, equals (a/4)|w|^2: the same problem as the binary
    # (alpha/2)|w|^2 exactly when a = 2 * alpha.
    two_class = SoftmaxRegression(alpha=2 * alpha, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(two_class.predict(X), binary.predict(X))
    np.testing.assert_allclose(two_class.predict_proba(X), binary.predict_proba(X), atol=1e-8)
    # The binary model scores classes_[1], so its weights are coef_[1] - coef_[0].
    np.testing.assert_allclose(two_class.coef_[1] - two_class.coef_[0], binary.coef_[0], atol=1e-7)
    np.testing.assert_allclose(
        two_class.intercept_[1] - two_class.intercept_[0], binary.intercept_[0], atol=1e-7
    )
    # With the same alpha on both the answers differ: the correspondence is not 1:1.
    same_alpha = SoftmaxRegression(alpha=alpha, tol=1e-10).fit(X, y)
    assert np.abs(same_alpha.coef_[1] - same_alpha.coef_[0] - binary.coef_[0]).max() > 1e-3


# ---------------------------------------------------------------------------
# Solvers
# ---------------------------------------------------------------------------


def objective(model, X, y):
    W, b = model.coef_, model.intercept_
    return softmax_cross_entropy(
        W, b, X, one_hot(np.searchsorted(model.classes_, y), W.shape[0]), model.alpha
    )


@pytest.mark.parametrize("Model", [LogisticRegression, SoftmaxRegression])
def test_all_solvers_reach_the_same_optimum(Model, iris):
    X, y = iris
    if Model is LogisticRegression:
        y = (y == 2).astype(int)
    alpha = 1e-2
    newton = Model(solver="newton", alpha=alpha, tol=1e-10).fit(X, y)
    gd = Model(solver="gd", lr=1.0, alpha=alpha, max_iter=20_000, tol=1e-7).fit(X, y)
    # Constant-step SGD hovers around the optimum at a distance set by lr and
    # batch_size; 300 epochs bring it close, never exactly there.
    sgd = Model(
        solver="sgd", lr=0.5, batch_size=32, alpha=alpha, max_iter=300, tol=1e-7, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sgd.fit(X, y)
    np.testing.assert_allclose(gd.coef_, newton.coef_, atol=1e-5)
    # tol=1e-7 on the gradient leaves parameter errors of about tol * condition number.
    np.testing.assert_allclose(gd.predict_proba(X), newton.predict_proba(X), atol=1e-5)
    np.testing.assert_allclose(sgd.coef_, newton.coef_, atol=0.05)
    np.testing.assert_allclose(sgd.predict_proba(X), newton.predict_proba(X), atol=0.03)
    assert newton.n_iter_[0] < 20 < gd.n_iter_[0]


@pytest.mark.parametrize("solver", ["gd", "sgd", "newton"])
def test_loss_history_is_the_objective(solver, iris):
    X, y = iris
    seen = []
    model = SoftmaxRegression(
        solver=solver,
        alpha=1e-2,
        max_iter=15,
        tol=0,
        random_state=1,
        callback=lambda m: seen.append((m.n_iter_[0], objective(m, X, y))),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert len(model.loss_history_) == model.n_iter_[0] == len(seen)
    assert [it for it, _ in seen] == list(range(1, model.n_iter_[0] + 1))
    # At each callback the model holds the parameters of that iteration.
    np.testing.assert_allclose([f for _, f in seen], model.loss_history_, rtol=1e-12)
    if solver != "sgd":  # gd with a small step and Newton with a line search descend
        assert np.all(np.diff(model.loss_history_) <= 1e-15)


def test_callback_can_stop_training(iris):
    X, y = iris
    model = SoftmaxRegression(solver="gd", callback=lambda m: m.n_iter_[0] >= 3).fit(X, y)
    assert model.n_iter_[0] == 3


def test_equal_random_state_gives_identical_results(iris):
    X, y = iris
    fits = [SoftmaxRegression(solver="sgd", max_iter=5, random_state=7, tol=0) for _ in range(3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a, b, c = (m.fit(X, y) for m in fits)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    c.set_params(random_state=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        c.fit(X, y)
    assert not np.array_equal(a.coef_, c.coef_)


def test_newton_handles_the_unregularized_null_space():
    # With alpha = 0 the Hessian is singular along every equal shift of all
    # class parameters (d + 1 directions); Newton must still converge.
    X, y = blobs(spread=4.0)  # overlapping classes: a finite optimum exists
    model = SoftmaxRegression(alpha=0.0, tol=1e-9).fit(X, y)
    assert model.n_iter_[0] < 30
    _, gW, gb = softmax_cross_entropy_and_grad(model.coef_, model.intercept_, X, one_hot(y, 3))
    assert np.abs(gW).max() < 1e-9 and np.abs(gb).max() < 1e-9
    np.testing.assert_allclose(model.coef_.sum(axis=0), 0.0, atol=1e-9)


@pytest.mark.parametrize(
    "loader, alpha",
    [(load_digits, 1e-3), (load_digits, 1e-4), (load_breast_cancer, 1e-3), (load_iris, 1e-3)],
)
def test_the_default_solver_converges_on_unscaled_data(loader, alpha):
    # Why newton-cg is the default: lbfgs is a little faster on the standardized benchmarks but
    # stops at max_iter=100 on these (benchmarks/run.py, section D).
    X, y = loader(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = SoftmaxRegression(alpha=alpha).fit(X, y)
    tight = SoftmaxRegression(solver="newton", alpha=alpha, tol=1e-10, max_iter=200).fit(X, y)
    assert model.loss_history_[-1] - tight.loss_history_[-1] < 1e-5 * tight.loss_history_[-1]


def _overlapping_blobs(seed):
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [2.0, 1.0], [0.5, 2.5]])
    X = np.vstack([c + 1.2 * rng.normal(size=(60, 2)) for c in centers])
    return X, np.repeat([0, 1, 2], 60)


@pytest.mark.parametrize("solver", ["newton-cg", "lbfgs", "newton"])
def test_a_tight_tolerance_is_met_or_reported_never_silently_missed(solver):
    # Near the optimum the objective changes by less than its own rounding; the line searches then
    # judge a step by its slope (approximate Wolfe), so tol = 1e-10 is met. Before, they stopped
    # at a scaled gradient up to 3e-9 and reported convergence.
    for seed in range(6, 16):
        X, y = _overlapping_blobs(seed)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model = SoftmaxRegression(solver=solver, alpha=0.0, tol=1e-10, max_iter=300).fit(X, y)
        _, gW, gb = softmax_cross_entropy_and_grad(model.coef_, model.intercept_, X, one_hot(y, 3))
        assert max(np.abs(gW).max(), np.abs(gb).max()) < 1e-9
    X, y = _overlapping_blobs(14)
    with pytest.warns(
        ConvergenceWarning,
        match=r"scaled gradient is \S+ > tol=1e-20; this tol is below what rounding",
    ):
        SoftmaxRegression(solver=solver, alpha=0.0, tol=1e-20, max_iter=300).fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "sgd", "newton", "newton-cg", "lbfgs"])
def test_work_counts_what_the_solver_asked_of_the_objective(solver, iris):
    X, y = iris
    seen = []
    model = SoftmaxRegression(
        solver=solver,
        alpha=1e-2,
        max_iter=8,
        tol=0.0,
        random_state=0,
        callback=lambda m: seen.append(dict(m.work_)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed budget
        model.fit(X, y)
    work, n = model.work_, model.n_iter_[0]
    assert n == 8 and len(seen) == 8 and seen[-1] == work  # callbacks see it grow
    assert all(a["gradient"] < b["gradient"] for a, b in zip(seen, seen[1:], strict=False))
    expected = {
        "gd": {"gradient": n + 1, "hessian": 0, "hess_vec": 0},  # one per step and the start
        "sgd": {"gradient": 2 * n + 1, "hessian": 0, "hess_vec": 0},  # batches make one pass
        "newton": {"hessian": n},  # one Hessian per iteration
    }.get(solver, {})
    for kind, count in expected.items():
        assert work[kind] == pytest.approx(count), (kind, work)
    if solver == "newton-cg":
        assert work["hessian"] == 0 and work["hess_vec"] >= n
    if solver == "lbfgs":
        assert work["hessian"] == work["hess_vec"] == 0 and work["gradient"] >= n + 1
    again = SoftmaxRegression(solver=solver, alpha=1e-2, max_iter=8, tol=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert again.fit(X, y).work_ == work  # a count, not a time: the same on any machine


def test_convergence_warning_names_the_fix(iris):
    X, y = iris
    with pytest.warns(
        ConvergenceWarning, match=r"did not converge in max_iter=2 .*increase max_iter"
    ):
        SoftmaxRegression(solver="gd", max_iter=2).fit(X, y)


@pytest.mark.parametrize("solver", ["gd", "sgd"])
@pytest.mark.parametrize("Model", [LogisticRegression, SoftmaxRegression])
def test_divergence_is_raised_exactly_when_lr_times_alpha_exceeds_two(Model, solver):
    """prop-l2-blowup: the data term's gradient is bounded, so only lr * alpha > 2 blows up."""
    X, y = blobs()
    if Model is LogisticRegression:
        y = (y == y[0]).astype(int)
    X = X * 1e3  # unscaled features: steps of lr = 10 are enormous

    def fit(lr, alpha):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return Model(solver=solver, lr=lr, alpha=alpha, max_iter=300, random_state=0).fit(X, y)

    with pytest.raises(
        DivergenceError, match=r"lr \* alpha = 10 \* 0\.25 = 2\.5 > 2.*lr < 2 / alpha = 8"
    ):
        fit(10.0, 0.25)
    # Just below the threshold, and without any L2 term, the same huge steps stay bounded:
    # |w_t| <= |w_0| + lr * G / (1 - |1 - lr * alpha|), and |w_t| <= t * lr * G for alpha = 0.
    G = np.sqrt(2) * np.linalg.norm(X, axis=1).max()
    for alpha, bound in ((0.19, 10.0 * G / (1 - abs(1 - 10.0 * 0.19))), (0.0, 300 * 10.0 * G)):
        model = fit(10.0, alpha)
        assert np.all(np.isfinite(model.coef_)) and np.linalg.norm(model.coef_) <= bound


def test_divergence_error_for_non_finite_values():
    X, y = blobs()
    with pytest.raises(DivergenceError, match=r"non-finite"):
        SoftmaxRegression(solver="gd", lr=1e300, alpha=0.0, max_iter=5).fit(X * 1e10, y)


def test_separable_data_without_penalty_warns_instead_of_returning_nan():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    with pytest.warns(ConvergenceWarning):
        model = LogisticRegression(solver="gd", alpha=0.0, lr=1.0, max_iter=50).fit(X, y)
    assert np.all(np.isfinite(model.coef_))
    np.testing.assert_array_equal(model.predict(X), y)
