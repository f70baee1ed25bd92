"""Decision regions of linear classifiers (logreg.regions) against brute force on a grid."""

import numpy as np
import pytest
from scipy.optimize import linprog

from logreg import SoftmaxRegression, datasets
from logreg.regions import duplicate_classes, pairwise_boundary, region_margin, winning_classes

rng = np.random.default_rng(0)
GRID = rng.uniform(-50, 50, size=(200_000, 2))


def _margin_on_grid(W, b, k):
    Z = GRID @ W.T + b
    return float(np.max(Z[:, k] - np.delete(Z, k, axis=1).max(axis=1)))


@pytest.mark.parametrize("seed", range(6))
def test_region_margin_agrees_with_brute_force(seed):
    r = np.random.default_rng(seed)
    W, b = r.normal(size=(4, 2)), r.normal(size=4)
    for k in range(4):
        lp, grid = region_margin(W, b, k), _margin_on_grid(W, b, k)
        assert min(grid, 1.0) <= lp + 1e-9  # the program finds the best point (capped at 1)
        assert (lp > 1e-6) == (grid > 0)  # and agrees on whether the class can win


def test_a_dominated_class_never_wins_and_a_bias_revives_it():  # prop-never-wins
    W, b = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), np.zeros(3)
    assert region_margin(W, b, 2) == pytest.approx(0.0, abs=1e-9)
    assert winning_classes(W, b) == [0, 1]
    assert _margin_on_grid(W, b, 2) <= 1e-12
    assert region_margin(W, b - [0, 0, 0.3], 2) == pytest.approx(-0.3)
    assert winning_classes(W, b + [0, 0, 0.5], tol=1e-6) == [0, 1, 2]


def test_a_duplicated_class_shares_its_region():
    W, b = np.array([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]]), np.zeros(3)  # class 3 = class 1
    assert winning_classes(W, b) == [0, 1, 2]
    assert duplicate_classes(W, b) == [(0, 2)]
    assert region_margin(W, b, 0) == pytest.approx(region_margin(W, b, 2))
    assert region_margin(W, b, 0) > 0.5


@pytest.mark.parametrize("factor", [1e-12, 1.0, 1e12])
def test_the_answer_does_not_depend_on_the_scale_of_the_logits(factor):
    W, b = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]]), np.array([0.0, 0.0, 0.5])
    assert winning_classes(factor * W, factor * b) == [0, 1, 2]
    assert winning_classes(factor * W, factor * (b - [0, 0, 0.5])) == [0, 1]
    assert region_margin(factor * W, factor * b, 2) == pytest.approx(0.5 * factor)


def test_pairwise_boundary_is_where_the_fitted_model_ties():  # thm-pairwise-boundary
    X, y = datasets.make_blobs(40, 3)
    model = SoftmaxRegression(alpha=1e-2).fit(X, y)
    W, b = model.coef_, model.intercept_
    normal, offset = pairwise_boundary(W, b, 0, 1)
    foot = -offset * normal / (normal @ normal)
    P = model.predict_proba(foot[None, :])[0]
    assert P[0] == pytest.approx(P[1], rel=1e-12)
    side = X @ normal + offset > 0
    probs = model.predict_proba(X)
    assert np.array_equal(side, probs[:, 0] > probs[:, 1])


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match=r"expected W of shape \(n_classes, n_features\)"):
        region_margin(np.zeros((3, 2)), np.zeros(2), 0)
    with pytest.raises(ValueError, match="two different classes"):
        pairwise_boundary(np.eye(2), np.zeros(2), 1, 1)
    with pytest.raises(ValueError, match="at least 2 classes"):
        winning_classes(np.ones((1, 2)), np.zeros(1))


def test_a_class_wins_somewhere_exactly_when_it_is_no_convex_combination():
    # thm-wins-somewhere (book/softmax/decision_geometry.ipynb), by Gordan's alternative: class k
    # has no region with interior iff w_k = sum_j lambda_j w_j and b_k <= sum_j lambda_j b_j for
    # some convex weights lambda over the other classes.
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(100):
        d, K = int(rng.integers(1, 4)), int(rng.integers(3, 7))
        W, b = rng.normal(size=(K, d)), rng.normal(size=K)
        winners = winning_classes(W, b)
        for k in range(K):
            others = np.delete(np.arange(K), k)
            combination = linprog(
                np.zeros(K - 1),
                A_ub=-b[others][None, :],
                b_ub=[-b[k]],
                A_eq=np.vstack([W[others].T, np.ones(K - 1)]),
                b_eq=np.r_[W[k], 1.0],
                bounds=[(0, None)] * (K - 1),
                method="highs",
            )
            assert combination.status in (0, 2)  # solved, or infeasible
            assert (k in winners) == (combination.status == 2)
            seen.add(k in winners)
    assert seen == {True, False}
