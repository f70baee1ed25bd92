"""The estimators' API as scikit-learn's LogisticRegression has it: fitted attributes' dtypes and
shapes, class and sample weights, max_iter=0, warm starts, the estimator contract and bad input.

Each difference from scikit-learn that remains is deliberate and pinned here with its reason.
"""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from _blobs import blobs
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.preprocessing import StandardScaler

from logreg import ConvergenceWarning, LogisticRegression, SoftmaxRegression
from logreg.models import SOLVERS

MODELS = [LogisticRegression, SoftmaxRegression]


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def problem(Model, seed, n_samples=120, n_features=4, n_classes=3):
    """Overlapping classes of unequal sizes (binary for LogisticRegression)."""
    rng = np.random.default_rng(seed)
    K = 2 if Model is LogisticRegression else n_classes
    y = rng.choice(K, size=n_samples, p=np.linspace(1, 3, K) / np.linspace(1, 3, K).sum())
    X = rng.normal(size=(n_samples, n_features)) + y[:, None] * rng.normal(size=n_features)
    return X, y


def quiet_fit(model, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(*args, **kwargs)


# ---------------------------------------------------------------------------
# class_weight and sample_weight
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("Model", MODELS)
def test_balanced_class_weight_counts_a_sample_of_weight_k_as_k_samples(Model):
    # scikit-learn computes "balanced" from the weighted class counts; from the unweighted ones,
    # weighting a sample by 2 and repeating it gave different fits.
    for seed in range(4):
        X, y = problem(Model, seed)
        weights = np.random.default_rng(seed + 10).integers(0, 4, len(y))
        params = {"class_weight": "balanced", "alpha": 1e-2, "tol": 1e-10}
        weighted = Model(**params).fit(X, y, sample_weight=weights)
        repeated = Model(**params).fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
        np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=0, atol=1e-8)
        np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=0, atol=1e-8)


def test_balanced_class_weight_with_sample_weight_matches_scikit_learn():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    for seed in range(3):
        weights = np.random.default_rng(seed).uniform(0.1, 3.0, len(y)) * (1 + (y == 2))
        alpha = 1e-2
        ours = SoftmaxRegression(alpha=alpha, class_weight="balanced", tol=1e-10)
        ours.fit(X, y, sample_weight=weights)
        ref = SkLogisticRegression(
            C=1 / (alpha * weights.sum()), class_weight="balanced", tol=1e-12, max_iter=10_000
        ).fit(X, y, sample_weight=weights)
        np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("n_classes", [3, 4])
def test_balanced_class_weight_ignores_a_class_of_zero_total_weight(n_classes):
    # "balanced" would weigh such a class 1/0 = inf, and inf * 0 is NaN (scikit-learn's fit then
    # returns garbage); its samples weigh 0 whatever its class weight, so the fit must equal one
    # with any finite weight for it and the others' balanced weights. (Two classes would leave
    # one weighted class, whose loss has no minimizer: the intercept is not penalized.)
    Model = SoftmaxRegression
    for seed in range(3):
        X, y = problem(Model, seed, n_classes=n_classes)
        weights = np.random.default_rng(seed).uniform(0.5, 2.0, len(y))
        weights[y == 0] = 0.0
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no RuntimeWarning from 1/0 or inf * 0 either
            balanced = Model(class_weight="balanced", alpha=1e-2, tol=1e-10)
            balanced.fit(X, y, sample_weight=weights)
        K = len(balanced.classes_)
        by_hand = {k: weights.sum() / (K * weights[y == k].sum()) for k in range(1, K)}
        for weight_of_empty_class in (0.0, 1.0, 50.0):
            explicit = Model(class_weight={0: weight_of_empty_class, **by_hand}, alpha=1e-2)
            explicit.set_params(tol=1e-10).fit(X, y, sample_weight=weights)
            np.testing.assert_allclose(balanced.coef_, explicit.coef_, rtol=0, atol=1e-12)
        assert np.all(np.isfinite(balanced.predict_proba(X)))


@pytest.mark.parametrize("bad", [{0: -1.0}, {1: np.inf}, {2: np.nan}])
def test_class_weight_must_be_finite_and_non_negative(bad):
    X, y = blobs()
    with pytest.raises(ValueError, match=r"class_weight must map classes to finite weights >= 0"):
        SoftmaxRegression(class_weight=bad).fit(X, y)


def test_class_weight_dict_may_omit_classes_as_in_scikit_learn():
    X, y = blobs()
    alpha = 1e-2
    ours = SoftmaxRegression(class_weight={0: 3.0}, alpha=alpha, tol=1e-10).fit(X, y)
    ref = SkLogisticRegression(C=1 / (alpha * len(y)), class_weight={0: 3.0}, tol=1e-12)
    np.testing.assert_allclose(ours.predict_proba(X), ref.fit(X, y).predict_proba(X), atol=1e-6)
    with pytest.raises(ValueError, match=r"The classes, \[1, 2\], are not in class_weight"):
        SoftmaxRegression(class_weight={0: 3.0, 7: 1.0}).fit(X, y)  # scikit-learn's message


def test_zero_sample_weights_drop_the_samples_but_keep_their_class():
    X, y = blobs()
    weights = np.ones(len(y))
    weights[y == 2] = 0.0
    model = SoftmaxRegression(alpha=1e-2, tol=1e-10).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])  # as scikit-learn: y's classes
    assert model.predict_proba(X)[:, 2].max() < 0.05  # a class nobody weighs is never likely


# ---------------------------------------------------------------------------
# Fitted attributes: dtypes and shapes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("Model", MODELS)
def test_float32_input_gives_float32_coefficients_and_outputs(Model, fit_intercept, sparse):
    # scikit-learn keeps float32 (test_dtype_match); the solvers still work in float64.
    X, y = problem(Model, 0)
    convert = sp.csr_matrix if sparse else np.asarray
    fits = {}
    for dtype in (np.float32, np.float64):
        Xd = convert(X.astype(dtype))
        dtypes_in_callback = []
        model = Model(
            fit_intercept=fit_intercept,
            tol=1e-5,  # float32 X: a tighter tol is below what its rounding allows
            callback=lambda m, seen=dtypes_in_callback: seen.append(
                (m.coef_.dtype, m.intercept_.dtype)
            ),
        ).fit(Xd, y)
        assert model.coef_.dtype == model.intercept_.dtype == dtype
        assert set(dtypes_in_callback) == {(np.dtype(dtype), np.dtype(dtype))}
        for method in ("decision_function", "predict_proba", "predict_log_proba"):
            assert getattr(model, method)(Xd).dtype == dtype, method
        fits[dtype] = model
    # tol=1e-5 on the scaled gradient leaves each fit about 1e-4 from the optimum.
    np.testing.assert_allclose(fits[np.float32].coef_, fits[np.float64].coef_, rtol=0, atol=1e-3)
    # A float32 model on float64 X promotes to float64, as NumPy and scikit-learn do.
    assert fits[np.float32].predict_proba(convert(X)).dtype == np.float64


@pytest.mark.parametrize("Model", MODELS)
def test_n_iter_is_scikit_learn_s_array_of_shape_one(Model, iris):
    X, y = iris
    if Model is LogisticRegression:
        y = y == 2
    reference = SkLogisticRegression().fit(X, y).n_iter_
    seen = []
    model = Model(callback=lambda m: seen.append(m.n_iter_)).fit(X, y)
    for n_iter in [model.n_iter_, *seen]:
        assert isinstance(n_iter, np.ndarray)
        assert n_iter.shape == reference.shape == (1,) and n_iter.dtype == reference.dtype
    assert [int(n[0]) for n in seen] == list(range(1, model.n_iter_[0] + 1))
    assert len(model.loss_history_) == model.n_iter_[0] > 0


@pytest.mark.parametrize("Model", MODELS)
def test_classes_keep_the_labels_dtype_as_in_scikit_learn(Model, iris):
    X, y = iris
    if Model is LogisticRegression:
        X, y = X[y < 2], y[y < 2]
    for labels in (y.astype(np.int8), y.astype(float), y.astype(str), y.astype(str).astype(object)):
        ours, ref = Model().fit(X, labels), SkLogisticRegression().fit(X, labels)
        assert ours.classes_.dtype == ref.classes_.dtype
        np.testing.assert_array_equal(ours.classes_, ref.classes_)
        assert ours.predict(X).dtype == ref.predict(X).dtype


# ---------------------------------------------------------------------------
# max_iter=0 and the convergence warning
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("Model", MODELS)
def test_zero_max_iter_returns_the_starting_point_and_warns(Model, solver):
    # scikit-learn's test_zero_max_iter: the state right after initialization can be inspected.
    X, y = load_iris(return_X_y=True)
    if Model is LogisticRegression:
        y = y == 2
    with pytest.warns(ConvergenceWarning, match=r"ran no iteration \(max_iter=0\)"):
        model = Model(solver=solver, max_iter=0).fit(X, y)
    assert model.n_iter_[0] == 0 and model.loss_history_ == []
    np.testing.assert_array_equal(model.coef_, 0.0)
    np.testing.assert_array_equal(model.intercept_, 0.0)
    K = len(model.classes_)
    np.testing.assert_allclose(model.predict_proba(X), 1.0 / K)
    # With warm_start, the starting point is the previous fit, returned unchanged; that fit
    # converged, so there is nothing to warn about.
    warm = Model(solver="newton", warm_start=True).fit(X, y)
    coef, intercept = warm.coef_.copy(), warm.intercept_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warm.set_params(solver=solver, max_iter=0).fit(X, y)
    np.testing.assert_array_equal(warm.coef_, coef)
    np.testing.assert_array_equal(warm.intercept_, intercept)


@pytest.mark.parametrize("solver", SOLVERS)
def test_convergence_warning_suggests_scaling_where_scaling_helps(solver):
    X, y = load_wine(return_X_y=True)
    with pytest.warns(ConvergenceWarning) as record:
        SoftmaxRegression(solver=solver, max_iter=1, tol=0.0, random_state=0).fit(X, y)
    message = str(record[-1].message)
    assert "did not converge in max_iter=1 iterations" in message and "increase max_iter" in message
    suggests_scaling = "scale the data (sklearn.preprocessing.StandardScaler)" in message
    assert suggests_scaling == (solver in ("lbfgs", "gd", "sgd"))


@pytest.mark.parametrize("loader", [load_wine, load_breast_cancer, load_digits])
def test_scaling_the_data_is_the_fix_for_lbfgs_not_for_newton(loader):
    # What the warning's advice rests on: standardizing cuts lbfgs's iterations several times
    # over, and leaves Newton's (invariant to a linear change of the features) about the same.
    X, y = loader(return_X_y=True)
    Model = LogisticRegression if len(np.unique(y)) == 2 else SoftmaxRegression
    iterations = {}
    for solver in ("lbfgs", "newton-cg", "newton"):
        for name, data in (("raw", X), ("std", StandardScaler().fit_transform(X))):
            model = quiet_fit(Model(solver=solver, alpha=1e-3, max_iter=400), data, y)
            iterations[solver, name] = model.n_iter_[0]
    assert iterations["lbfgs", "raw"] > 4 * iterations["lbfgs", "std"]
    for solver in ("newton-cg", "newton"):
        assert abs(iterations[solver, "raw"] - iterations[solver, "std"]) <= 3


# ---------------------------------------------------------------------------
# Warm starts, pickling
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("Model", MODELS)
def test_warm_start_on_other_classes_or_features_starts_from_zero(Model, iris):
    # scikit-learn raises when the shape of coef_ changes, and silently starts from the old
    # coefficients when only the labels change; here the old fit is used only where it means
    # something, and otherwise the fit is the cold one.
    X, y = iris
    first = (y < 2) if Model is LogisticRegression else np.ones(len(y), bool)
    later = [
        (X[first], np.where(y[first] == 0, 7, 8)),  # other labels
        (X[first][:, :3], y[first]),  # fewer features
    ]
    if Model is SoftmaxRegression:
        later.append((X[y > 0], y[y > 0]))  # fewer classes
    for X_new, y_new in later:
        warm = Model(warm_start=True, tol=1e-10).fit(X[first], y[first]).fit(X_new, y_new)
        cold = Model(tol=1e-10).fit(X_new, y_new)
        np.testing.assert_array_equal(warm.classes_, cold.classes_)
        np.testing.assert_array_equal(warm.coef_, cold.coef_)
        np.testing.assert_array_equal(warm.n_iter_, cold.n_iter_)


@pytest.mark.parametrize("Model", MODELS)
def test_pickled_model_predicts_the_same(Model, iris):
    X, y = iris
    if Model is LogisticRegression:
        y = y == 2
    for dtype in (np.float64, np.float32):
        with warnings.catch_warnings(record=True) as caught:
            # float32 logits of iris's large virginica weights (about 10) leave the scaled
            # gradient near 1.4e-6 on some CPUs (AMD EPYC), above the default tol: the fit says
            # so, naming the precision; what is checked here is the pickled copy
            warnings.simplefilter("always", ConvergenceWarning)
            model = Model().fit(X.astype(dtype), y)
        for warning in caught:
            assert dtype == np.float32 and "float32 precision" in str(warning.message)
        copy = pickle.loads(pickle.dumps(model))
        np.testing.assert_array_equal(
            copy.predict_proba(X.astype(dtype)), model.predict_proba(X.astype(dtype))
        )
        assert copy.coef_.dtype == dtype and copy.n_iter_.dtype == model.n_iter_.dtype


# ---------------------------------------------------------------------------
# The estimator contract
# ---------------------------------------------------------------------------


def test_string_labels_round_trip(iris):
    X, y = iris
    label_names = np.array(["setosa", "versicolor", "virginica"])
    names = label_names[y]
    model = SoftmaxRegression(alpha=1e-2).fit(X, names)
    np.testing.assert_array_equal(model.classes_, label_names)
    assert model.predict(X).dtype == names.dtype
    numeric = SoftmaxRegression(alpha=1e-2).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), label_names[numeric.predict(X)])
    assert model.score(X, names) == numeric.score(X, y) > 0.9


def test_labels_need_not_start_at_zero():
    X, y = blobs()
    labels = np.array([10, 20, 30])[y]
    model = SoftmaxRegression().fit(X, labels)
    np.testing.assert_array_equal(model.classes_, [10, 20, 30])
    assert set(np.unique(model.predict(X))) <= {10, 20, 30}
    binary = LogisticRegression().fit(X[y < 2], np.array([-5, 7])[y[y < 2]])
    np.testing.assert_array_equal(binary.classes_, [-5, 7])
    # predict_proba's columns follow classes_: column 1 is P(y = 7).
    p7 = binary.predict_proba(X[y < 2])[:, 1]
    np.testing.assert_array_equal(binary.predict(X[y < 2]), np.where(p7 > 0.5, 7, -5))


def test_prediction_methods_are_consistent(iris):
    X, y = iris
    model = SoftmaxRegression(alpha=1e-2).fit(X, y)
    P = model.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), P, rtol=1e-12)
    Z = model.decision_function(X)
    assert Z.shape == (150, 3)
    np.testing.assert_array_equal(model.predict(X), model.classes_[Z.argmax(axis=1)])
    binary = LogisticRegression().fit(X, y == 0)
    assert binary.coef_.shape == (1, 4) and binary.intercept_.shape == (1,)
    z = binary.decision_function(X)
    assert z.shape == (150,)
    np.testing.assert_allclose(np.exp(binary.predict_log_proba(X)), binary.predict_proba(X))


def test_fit_returns_self_and_constructor_only_stores():
    model = SoftmaxRegression(lr=-1.0, solver="nonsense")  # no validation yet
    assert model.lr == -1.0 and not hasattr(model, "coef_")
    X, y = blobs()
    fitted = SoftmaxRegression()
    assert fitted.fit(X, y) is fitted


def test_get_set_params_and_repr():
    model = SoftmaxRegression(alpha=0.5, solver="gd")
    params = model.get_params()
    assert params["alpha"] == 0.5 and params["solver"] == "gd" and params["lr"] == "auto"
    assert model.set_params(lr=0.2) is model and model.lr == 0.2
    assert repr(model) == "SoftmaxRegression(alpha=0.5, lr=0.2, solver='gd')"  # scikit-learn's
    assert repr(LogisticRegression()) == "LogisticRegression()"
    with pytest.raises(ValueError, match="Invalid parameter 'learning_rate'"):
        model.set_params(learning_rate=1.0)


def test_scikit_learn_clone_works():
    from sklearn.base import clone

    model = SoftmaxRegression(alpha=0.3, random_state=4)
    copy = clone(model)
    assert copy is not model and copy.get_params() == model.get_params()
