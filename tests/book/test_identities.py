"""The book's key identities as plain tests: they fail fast without a notebook run.

Each test mirrors a theorem of the proof chapters (label in the comment). The checker itself
(that it can fail) is tested in test_symbolic.py.
"""

import numpy as np
import pytest
import sympy as sp

from logreg import (
    LogisticRegression,
    SoftmaxRegression,
    binary_cross_entropy,
    logistic_loss,
    one_hot,
)
from logreg import sigmoid as np_sigmoid
from logreg import softmax as np_softmax
from logreg_book.symbolic import (
    assert_identity,
    assert_not_identity,
    is_zero,
    logsumexp,
    sigmoid,
    softmax,
)

t = sp.Symbol("t", real=True)


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


@pytest.mark.parametrize("K", [2, 3, 4])
def test_cross_entropy_is_entropy_plus_kl(K):  # thm-ce-kl
    ps, qs = sp.symbols(f"p1:{K}", positive=True), sp.symbols(f"q1:{K}", positive=True)
    p, q = [*ps, 1 - sum(ps)], [*qs, 1 - sum(qs)]
    cross = -sum(pk * sp.log(qk) for pk, qk in zip(p, q, strict=True))
    entropy = -sum(pk * sp.log(pk) for pk in p)
    kl = sum(pk * (sp.log(pk) - sp.log(qk)) for pk, qk in zip(p, q, strict=True))
    assert_identity(cross, entropy + kl)
    values = {
        **dict.fromkeys(ps, sp.Rational(1, 2 * K)),
        **dict.fromkeys(qs, sp.Rational(1, K + 1)),
    }
    assert_not_identity(cross, entropy - kl, values)


def test_gibbs_two_classes():  # thm-gibbs
    p, q = sp.symbols("p q", positive=True)
    kl = p * sp.log(p / q) + (1 - p) * sp.log((1 - p) / (1 - q))
    assert sp.solve(sp.diff(kl, q), q) == [p]
    assert_identity(sp.diff(kl, q, 2).subs(q, p), 1 / (p * (1 - p)))
    rng = np.random.default_rng(0)
    P, Q = rng.dirichlet(np.ones(4), 500), rng.dirichlet(np.ones(4), 500)
    assert np.all(np.sum(P * np.log(P / Q), axis=1) > 0)


def test_squared_error_through_the_sigmoid():  # prop-squared-sigmoid
    s = (1 - sigmoid(t)) ** 2
    assert_identity(sp.diff(s, t), -2 * sigmoid(t) * (1 - sigmoid(t)) ** 2)
    assert_identity(
        sp.diff(s, t, 2), -2 * sigmoid(t) * (1 - sigmoid(t)) ** 2 * (1 - 3 * sigmoid(t))
    )
    assert_identity(sp.diff(-sp.log(sigmoid(t)), t, 2), sigmoid(t) * (1 - sigmoid(t)))
    assert sp.limit(sp.diff(s, t), t, -sp.oo) == 0
    assert sp.limit(sp.diff(-sp.log(sigmoid(t)), t), t, -sp.oo) == -1


def test_gaussian_prior_is_the_l2_penalty():  # thm-map-l2, cor-map-centred
    w, s, n = sp.symbols("w sigma n", positive=True)
    gauss = sp.exp(-(w**2) / (2 * s**2)) / sp.sqrt(2 * sp.pi * s**2)
    assert_identity(-sp.log(gauss), w**2 / (2 * s**2) + sp.log(2 * sp.pi * s**2) / 2)
    from scipy.optimize import minimize
    from scipy.special import log_softmax
    from scipy.stats import norm

    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 3)), rng.integers(0, 4, size=60)
    sigma, d, K = 0.8, 3, 4

    def neg_log_posterior(theta):
        W, b = theta[: K * d].reshape(K, d), theta[K * d :]
        return -(
            log_softmax(X @ W.T + b, axis=1)[np.arange(60), y].sum()
            + norm.logpdf(W, scale=sigma).sum()
        )

    W_map = minimize(neg_log_posterior, np.zeros(d * K + K), method="L-BFGS-B",
                     options={"gtol": 1e-10, "ftol": 1e-15}).x[: K * d].reshape(K, d)  # fmt: skip
    model = SoftmaxRegression(alpha=1 / (60 * sigma**2), tol=1e-10).fit(X, y)
    assert np.abs(W_map - model.coef_).max() < 1e-4
    assert np.abs(W_map.sum(axis=0)).max() < 1e-4  # the rows (classes) sum to zero


def test_binary_hessian_and_irls():  # thm-binary-hessian, thm-irls
    from logreg import logistic_loss_hessian

    x1, x2, t1, t2, tb = sp.symbols("x1 x2 theta1 theta2 theta_b", real=True)
    q = sigmoid(t1 * x1 + t2 * x2 + tb)
    for label in (0, 1):
        loss = -(label * sp.log(q) + (1 - label) * sp.log(1 - q))
        expected = q * (1 - q) * sp.Matrix([x1, x2, 1]) * sp.Matrix([[x1, x2, 1]])
        assert all(is_zero(e) for e in sp.hessian(loss, (t1, t2, tb)) - expected)
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(80, 3)), rng.integers(0, 2, size=80)
    alpha, Xt, D = 0.05, np.c_[X, np.ones(80)], np.diag([1.0, 1.0, 1.0, 0.0])
    theta = np.zeros(4)
    for _ in range(25):
        p = np_sigmoid(Xt @ theta)
        r = p * (1 - p)
        z = Xt @ theta - (p - y) / r
        theta = np.linalg.solve(Xt.T @ (r[:, None] * Xt) + 80 * alpha * D, Xt.T @ (r * z))
    model = LogisticRegression(solver="newton", alpha=alpha, tol=1e-12).fit(X, y)
    assert np.allclose(theta, np.r_[model.coef_[0], model.intercept_[0]], atol=1e-8)
    p = np_sigmoid(Xt @ theta)
    H = logistic_loss_hessian(theta[:3], theta[3], X, alpha)
    assert np.allclose(H, Xt.T @ ((p * (1 - p))[:, None] * Xt) / 80 + alpha * D)


def test_bfgs_update_secant_and_positive_definite():  # thm-bfgs
    from logreg.solvers.lbfgs import two_loop

    rng = np.random.default_rng(3)
    A = rng.normal(size=(5, 5))
    B = A @ A.T + np.eye(5)
    pairs = []
    for _ in range(4):
        s = rng.normal(size=5)
        y = (A @ A.T + 0.5 * np.eye(5)) @ s  # a convex quadratic: s.y > 0
        rho = 1 / (y @ s)
        V = np.eye(5) - rho * np.outer(y, s)
        B = V.T @ B @ V + rho * np.outer(s, s)
        assert np.allclose(B @ y, s) and np.linalg.eigvalsh((B + B.T) / 2).min() > 0
        pairs.append((s, y, rho))
    g, B0 = rng.normal(size=5), 0.7
    dense = B0 * np.eye(5)
    for s, y, rho in pairs:
        V = np.eye(5) - rho * np.outer(y, s)
        dense = V.T @ dense @ V + rho * np.outer(s, s)
    assert np.allclose(two_loop(g, pairs, B0, np.ones(5)), dense @ g)


@pytest.mark.parametrize("K", [3, 4])
def test_pairwise_log_odds_and_shifted_boundaries(K):  # thm-pairwise-boundary, cor-regions-shift
    z = sp.symbols(f"z1:{K + 1}", real=True)
    u = sp.Symbol("u", real=True)
    P, P_shifted = softmax(z), softmax([zk - u for zk in z])
    for i in range(K):
        for j in range(K):
            if i != j:
                assert_identity(sp.log(P[i] / P[j]), z[i] - z[j])
                assert_identity(sp.log(P_shifted[i] / P_shifted[j]), z[i] - z[j])


def test_separable_data_have_no_minimizer():  # thm-separable-no-mle, prop-l2-bounded
    t_, m_ = sp.symbols("t m", positive=True)
    assert sp.limit(sp.log(1 + sp.exp(-t_ * m_)), t_, sp.oo) == 0
    rng = np.random.default_rng(4)
    X = np.r_[
        rng.normal(-3, 0.5, (15, 2)), rng.normal(3, 0.5, (15, 2)), rng.normal([3, -9], 0.5, (15, 2))
    ]
    y = np.repeat([0, 1, 2], 15)
    W0 = SoftmaxRegression(alpha=1e-2).fit(X, y)
    assert W0.score(X, y) == 1.0  # separable
    from logreg import softmax_cross_entropy

    Y = np.eye(3)[y]
    W, b = W0.coef_, W0.intercept_
    losses = [softmax_cross_entropy(c * W, c * b, X, Y) for c in (0.25, 0.5, 1.0)]
    assert losses[0] > losses[1] > losses[2] > 0
    for alpha in (1.0, 0.1, 0.01):
        model = SoftmaxRegression(alpha=alpha, tol=1e-10).fit(X, y)
        assert np.linalg.norm(model.coef_) <= np.sqrt(2 * np.log(3) / alpha)


def test_map_intercepts_form_a_line():  # prop-map-line (book/softmax/regularization_map)
    from logreg import softmax_cross_entropy

    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(60, 3)), rng.integers(0, 4, size=60)
    model = SoftmaxRegression(alpha=0.05, tol=1e-10).fit(X, y)
    W, b, Y = model.coef_, model.intercept_, one_hot(y, 4)
    base = softmax_cross_entropy(W, b, X, Y, 0.05)
    for c in (-3.0, 10.0, 1000.0):  # the objective is flat along b + c 1
        assert np.isclose(softmax_cross_entropy(W, b + c, X, Y, 0.05), base, rtol=1e-12)
    assert abs(b.sum()) < 1e-10
    P = np_softmax(X @ W.T + b)  # phi'' along delta = mean variance of delta under p_i
    for delta, flat in ((np.ones(4), True), (np.array([1.0, 0.0, 0.0, 0.0]), False)):
        assert (abs(np.mean(P @ delta**2 - (P @ delta) ** 2)) < 1e-12) == flat


@pytest.mark.parametrize("K", [2, 3, 4])
def test_soft_label_derivative(K):  # ex-ce-soft-labels (book/softmax/cross_entropy)
    z = sp.symbols(f"z1:{K + 1}", real=True)
    y = sp.symbols(f"y1:{K + 1}", positive=True)
    H = -sum(yk * (zk - logsumexp(z)) for yk, zk in zip(y, z, strict=True))
    for k in range(K):
        assert_identity(sp.diff(H, z[k]), sum(y) * softmax(z)[k] - y[k])


def test_bfgs_update_positive_definite_symbolically():  # thm-bfgs (second_order's 2 x 2 check)
    c11, c22 = sp.symbols("c11 c22", positive=True)
    c21, s1, s2, y1, y2 = sp.symbols("c21 s1 s2 y1 y2", real=True)
    C = sp.Matrix([[c11, 0], [c21, c22]])
    B = C * C.T
    s, y = sp.Matrix([s1, s2]), sp.Matrix([y1, y2])
    sy = (s.T * y)[0]
    rho = 1 / sy
    V = sp.eye(2) - rho * y * s.T
    B_plus = V.T * B * V + rho * s * s.T
    assert is_zero(B_plus.det() * sy - B.det() * (s.T * B.inv() * s)[0])
    u = C.T * V * sp.Matrix([1, 0])
    assert is_zero(B_plus[0, 0] - (u.dot(u) + rho * s1**2))
    assert is_zero(B_plus[0, 0].subs(s1, 0) - B[0, 0])


def test_irls_working_response_in_exact_and_floating_point_arithmetic():  # ex-second-separable
    q = sp.Symbol("q", positive=True)
    assert is_zero((q - 1) / (q * (1 - q)) + 1 / q)
    assert is_zero(q / (q * (1 - q)) - 1 / (1 - q))
    q36, q37 = np_sigmoid(np.array([36.0, 37.0]))
    assert q36 < 1.0 and q37 == 1.0


def test_bernoulli_sample_variance_error_factorizes():  # bernoulli_glm's variance check
    m, phi = sp.symbols("m_hat phi", real=True)
    assert sp.expand(m * (1 - m) - phi * (1 - phi) - (m - phi) * (1 - m - phi)) == 0
