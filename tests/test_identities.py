"""The book's key identities as plain tests: they fail fast without a notebook run.

Each test mirrors a theorem of the proof chapters (label in the comment).
"""

import numpy as np
import pytest
import sympy as sp

from logreg import SoftmaxRegression, binary_cross_entropy, logistic_loss, one_hot
from logreg import sigmoid as np_sigmoid
from logreg import softmax as np_softmax
from logreg.symbolic import (
    assert_identity,
    assert_not_identity,
    is_zero,
    logsumexp,
    sigmoid,
    softmax,
)

t = sp.Symbol("t", real=True)


def test_checker_rejects_false_identities():
    # The checker itself must be able to fail.
    with pytest.raises(AssertionError):
        assert_identity(sigmoid(-t), sigmoid(t))
    with pytest.raises(AssertionError):
        assert_not_identity(sigmoid(-t), 1 - sigmoid(t), {t: 0.3})
    with pytest.raises(ValueError, match="missing"):
        assert_not_identity(t, 2 * t, {})
    assert not is_zero(sp.log(t**2) - 2 * sp.log(t))  # false for negative t


def test_sigmoid_facts():  # thm-sigmoid-facts
    assert_identity(sigmoid(-t), 1 - sigmoid(t))
    assert_identity(sp.diff(sigmoid(t), t), sigmoid(t) * (1 - sigmoid(t)))
    p = sp.Symbol("p", positive=True)
    logit = sp.log(p / (1 - p))
    assert_identity(sigmoid(logit), p)


def test_bernoulli_exponential_family():  # thm-bernoulli-expfam
    eta = sp.Symbol("eta", real=True)
    a = sp.log(1 + sp.exp(eta))
    assert_identity(sp.diff(a, eta), sigmoid(eta))
    assert_identity(sp.diff(a, eta, 2), sigmoid(eta) * (1 - sigmoid(eta)))
    phi = sigmoid(eta)
    for y in (0, 1):
        assert_identity(phi**y * (1 - phi) ** (1 - y), sp.exp(eta * y - a))


@pytest.mark.parametrize("K", [2, 3, 4])
def test_multinomial_link_inverts_to_softmax(K):  # thm-multinomial-expfam
    eta = list(sp.symbols(f"eta1:{K}", real=True)) + [sp.Integer(0)]
    phi = softmax(eta)
    for i in range(K):
        assert_identity(sp.log(phi[i] / phi[-1]), eta[i])


@pytest.mark.parametrize("K", [2, 3, 4])
def test_shift_invariance(K):  # thm-shift-invariance
    z = sp.symbols(f"z1:{K + 1}", real=True)
    c = sp.Symbol("c", real=True)
    for a, b in zip(softmax([zk - c for zk in z]), softmax(z), strict=True):
        assert_identity(a, b)


def test_two_class_softmax_is_sigmoid():  # thm-softmax-sigmoid
    z1, z2 = sp.symbols("z1 z2", real=True)
    p1, p2 = softmax([z1, z2])
    assert_identity(p1, sigmoid(z1 - z2))
    assert_identity(p2, 1 - sigmoid(z1 - z2))
    # The lecture notes' slip: w_i - w_2 with i = 2 gives 0, a constant 1/2.
    assert_not_identity(p1, sigmoid(z2 - z2), {z1: 1.0, z2: 0.0})


@pytest.mark.parametrize("K", [2, 3])
def test_cross_entropy_gradient(K):  # thm-ce-gradient
    d = 2
    x = sp.symbols(f"x1:{d + 1}", real=True)
    W = sp.Matrix(K, d, lambda k, j: sp.Symbol(f"w{k + 1}{j + 1}", real=True))
    z = [sum(W[k, j] * x[j] for j in range(d)) for k in range(K)]
    p = softmax(z)
    for c in range(K):  # true class c
        loss = logsumexp(z) - z[c]
        for k in range(K):
            for j in range(d):
                y_k = 1 if k == c else 0
                assert_identity(sp.diff(loss, W[k, j]), (p[k] - y_k) * x[j])


def test_logistic_loss_equals_cross_entropy_term_by_term():  # thm-loss-equivalence
    s = sp.Symbol("s", real=True)  # s = w.x
    q = sigmoid(s)
    assert_identity(sp.log(1 + sp.exp(-s)), -sp.log(q))  # y = +1, p = 1
    assert_identity(sp.log(1 + sp.exp(s)), -sp.log(1 - q))  # y = -1, p = 0


def test_log_sum_exp_is_not_translation_invariant():  # common mistakes
    z1, z2, c = sp.symbols("z1 z2 c", real=True)
    assert_identity(logsumexp([z1 + c, z2 + c]), logsumexp([z1, z2]) + c)
    assert_not_identity(logsumexp([z1 + c, z2 + c]), logsumexp([z1, z2]), {z1: 0, z2: 1, c: 2})


def test_tanh_and_sigmoid():  # common mistakes
    assert_identity(sp.tanh(t), 2 * sigmoid(2 * t) - 1)
    assert_not_identity(sp.tanh(t), 2 * sigmoid(t) - 1, {t: 1})


def test_numeric_loss_equivalence_and_binary_as_softmax():  # thm-binary-is-softmax
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y01 = (X @ [1.0, -2.0, 0.5] + rng.normal(size=40) > 0).astype(int)
    w, b = rng.normal(size=3) * 50, 3.0  # large weights: extreme logits
    assert logistic_loss(w, b, X, 2.0 * y01 - 1) == pytest.approx(
        binary_cross_entropy(w, b, X, y01), rel=1e-13
    )
    z = rng.normal(size=50) * 100
    np.testing.assert_allclose(
        np_softmax(np.column_stack([z, np.zeros_like(z)]))[:, 0], np_sigmoid(z), rtol=1e-14
    )
    model = SoftmaxRegression(alpha=1e-2).fit(X, y01)
    P = model.predict_proba(X)
    logit = model.decision_function(X)  # two classes: z_1 - z_0, shape (n,) (scikit-learn's)
    np.testing.assert_allclose(P[:, 1], np_sigmoid(logit), rtol=1e-12)
    assert one_hot(y01, 2).sum() == 40
