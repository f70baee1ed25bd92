"""The two-layer network: its hand-derived backward pass and what it learns."""

import numpy as np
import pytest

from logreg import NotFittedError, SoftmaxRegression, one_hot
from logreg.network import TwoLayerClassifier, network_loss_and_grad


def xor_data(n_per_blob=40, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    X = np.vstack([c + 0.3 * rng.standard_normal((n_per_blob, 2)) for c in centres])
    return X, np.repeat([0, 0, 1, 1], n_per_blob)


def test_backward_pass_matches_finite_differences():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(15, 3))
    Y = one_hot(rng.integers(0, 4, 15), 4)
    params = {
        "W1": rng.normal(size=(5, 3)),
        "b1": rng.normal(size=5),
        "W2": rng.normal(size=(4, 5)),
        "b2": rng.normal(size=4),
    }
    alpha = 0.1
    _, grads = network_loss_and_grad(params, X, Y, alpha)
    h = 1e-6
    for key, value in params.items():
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += h
            minus[key][idx] -= h
            numeric[idx] = (
                network_loss_and_grad(plus, X, Y, alpha)[0]
                - network_loss_and_grad(minus, X, Y, alpha)[0]
            ) / (2 * h)
        # O(1) objective: central differences are good to ~1e-9 here
        np.testing.assert_allclose(grads[key], numeric, atol=1e-7, err_msg=key)


def test_learns_xor_that_a_linear_model_cannot():
    X, y = xor_data()
    linear = SoftmaxRegression(alpha=1e-3).fit(X, y)
    assert linear.score(X, y) < 0.7
    net = TwoLayerClassifier(n_hidden=4, lr=0.5, max_iter=1500, random_state=0).fit(X, y)
    assert net.score(X, y) > 0.97
    assert net.loss_history_[-1] < net.loss_history_[0]
    # In the learned representation the classes are linearly separable.
    H = net.hidden(X)
    assert SoftmaxRegression(alpha=1e-4).fit(H, y).score(H, y) == 1.0


def test_equal_seeds_give_identical_networks():
    X, y = xor_data()
    a = TwoLayerClassifier(max_iter=50, random_state=3).fit(X, y)
    b = TwoLayerClassifier(max_iter=50, random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.params_["W1"], b.params_["W1"])


def test_network_bad_input():
    X, y = xor_data()
    with pytest.raises(NotFittedError, match="Call 'fit'"):
        TwoLayerClassifier().predict(X)
    with pytest.raises(ValueError, match="n_hidden must be an int >= 1; received 0"):
        TwoLayerClassifier(n_hidden=0).fit(X, y)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        TwoLayerClassifier(lr=-1.0).fit(X, y)
    net = TwoLayerClassifier(max_iter=5).fit(X, y)
    with pytest.raises(
        ValueError, match="X has 3 features, but TwoLayerClassifier is expecting 2 features"
    ):
        net.predict(np.ones((2, 3)))
