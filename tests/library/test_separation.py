"""logreg.separation: complete and quasi-complete separation, checked against what they imply.

The independent reference is the loss itself: where the linear programs find a direction, the
unpenalized fit has no minimizer and its weights grow as the tolerance shrinks; where they find
none, the fit converges to weights that do not depend on the tolerance.
"""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.datasets import load_iris

from logreg import (
    ConvergenceWarning,
    LogisticRegression,
    SeparationWarning,
    SoftmaxRegression,
    check_separation,
    datasets,
)


def _gaps(X, y, D):
    """z_{y_i} - z_k along the direction D (rows d_k, intercept last), for every k != y_i."""
    Z = np.c_[X, np.ones(len(X))] @ D.T
    classes, index = np.unique(y, return_inverse=True)
    own = Z[np.arange(len(y)), index]
    return (own[:, None] - Z)[np.arange(len(classes)) != index[:, None]]


def _norm_growth(Model, X, y):
    """||W|| at tol 1e-10 over ||W|| at tol 1e-4, unpenalized (about 1 when a minimizer exists)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        loose, tight = (Model(alpha=0.0, tol=tol, max_iter=500).fit(X, y) for tol in (1e-4, 1e-10))
    return np.linalg.norm(tight.coef_) / np.linalg.norm(loose.coef_)


def test_the_three_cases_in_one_dimension():
    x = np.array([[-1.0], [0.0], [0.0], [1.0]])
    assert check_separation(x, [0, 0, 1, 1]).kind == "quasi-complete"  # the two 0s tie
    assert check_separation(x + [[0], [0], [1], [1]], [0, 0, 1, 1]).kind == "complete"
    assert check_separation(np.array([[-1.0], [1.0], [0.0], [2.0]]), [0, 0, 1, 1]).kind == "overlap"


@pytest.mark.parametrize("seed", range(12))
def test_the_direction_is_a_certificate_and_the_fit_agrees(seed):
    rng = np.random.default_rng(seed)
    n_classes = 2 + seed % 3
    X = rng.normal(size=(12 + 3 * n_classes, 2))
    y = rng.integers(n_classes, size=len(X))
    y[:n_classes] = np.arange(n_classes)
    if seed % 2:  # make half of them separable: label by the largest of random linear scores
        y = np.argmax(X @ rng.normal(size=(2, n_classes)) + rng.normal(size=n_classes), axis=1)
        if len(np.unique(y)) < 2:
            y[0] = 1 - y[0]
    found = check_separation(X, y)
    Model = LogisticRegression if len(np.unique(y)) == 2 else SoftmaxRegression
    growth = _norm_growth(Model, X, y)
    if found.kind == "overlap":
        assert found.direction is None and growth < 1.01
        return
    gaps = _gaps(X, y, found.direction)
    assert gaps.min() > -1e-9 and gaps.max() > 1e-6  # lowers no gap, raises one
    if found.kind == "complete":
        assert gaps.min() > 0
    assert growth > 1.2  # no minimizer: a tighter tolerance walks further along the direction


def test_answers_do_not_depend_on_units_labels_weights_or_format():
    X, y = datasets.make_blobs(20, 3, spread=0.3, random_state=4)
    assert check_separation(X, y).kind == "complete"
    assert check_separation(X * [1e6, 1e-6], np.array(["c", "a", "b"])[y]).kind == "complete"
    assert check_separation(sparse.csr_matrix(X), y).kind == "complete"
    X_mixed = np.r_[X, X[y == 0][:1]]
    y_mixed = np.r_[y, 1]  # a copy of a class-0 point labelled 1: the classes now overlap
    assert check_separation(X_mixed, y_mixed).kind != "complete"
    weights = np.r_[np.ones(len(y)), 0.0]  # ... unless that copy has weight 0
    assert check_separation(X_mixed, y_mixed, sample_weight=weights).kind == "complete"


def test_iris_has_no_unpenalized_softmax_estimate():
    # Setosa is separable from the rest, the other two overlap: quasi-complete separation for the
    # multinomial model, although no hyperplane separates all three classes.
    X, y = load_iris(return_X_y=True)
    assert check_separation(X, y).kind == "quasi-complete"
    assert _norm_growth(SoftmaxRegression, X, y) > 1.2
    assert check_separation(X[50:], y[50:]).kind == "overlap"
    assert _norm_growth(LogisticRegression, X[50:], y[50:]) < 1.01


def test_the_estimators_warn_with_the_case_and_the_remedy():
    x, y = np.array([[-1.0], [0.0], [0.0], [1.0]]), np.array([0, 0, 1, 1])
    with pytest.warns(SeparationWarning, match=r"quasi-completely separated.*Set alpha > 0"):
        LogisticRegression(alpha=0.0).fit(x, y)
    X3, y3 = datasets.make_blobs(20, 3, spread=0.3, random_state=4)
    with pytest.warns(SeparationWarning, match=r"completely separated.*tol=1e-06"):
        SoftmaxRegression(alpha=0.0).fit(X3, y3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # overlapping classes, or any penalty: nothing to say
        LogisticRegression(alpha=0.0).fit(np.array([[-1.0], [1.0], [0.0], [2.0]]), y)
        SoftmaxRegression(alpha=1e-3).fit(X3, y3)
    assert issubclass(SeparationWarning, ConvergenceWarning)


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match=r"y of shape \(n_samples,\); received X of shape"):
        check_separation(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="at least 2 classes"):
        check_separation(np.zeros((3, 2)), [1, 1, 1])
    with pytest.raises(ValueError, match=r"candidate must have shape \(2, 3\)"):
        check_separation(np.eye(2), [0, 1], candidate=np.zeros((1, 3)))
