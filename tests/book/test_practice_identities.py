"""The key identities of Part V (from the lecture to practice) as plain tests.

Each test mirrors a statement of a Part V chapter (label in the comment); like
tests/book/test_identities.py, they fail fast without a notebook run.
"""

import numpy as np
import pytest
import sympy as sp
from numpy.lib.stride_tricks import sliding_window_view
from scipy.stats import multivariate_normal
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.metrics import roc_auc_score
from sklearn.multiclass import OneVsRestClassifier

from logreg import LogisticRegression, SoftmaxRegression, datasets
from logreg.functions import log_sigmoid, sigmoid, softmax
from logreg_book.symbolic import assert_identity, assert_not_identity
from logreg_book.symbolic import sigmoid as sym_sigmoid
from logreg_book.symbolic import softmax as sym_softmax

# --- one_vs_rest.ipynb -------------------------------------------------------------------------


@pytest.mark.parametrize("K", [3, 4])
def test_ovr_scores_renormalize_to_softmax_of_log_sigmoid(K):  # prop-ovr-scores
    z = sp.symbols(f"z1:{K + 1}", real=True)
    scores = [sym_sigmoid(zk) for zk in z]
    assert_not_identity(sum(scores), 1, {zk: 0 for zk in z}, "OvR scores sum to 1")  # K/2 at 0
    target = sym_softmax([sp.log(s) for s in scores])
    for k in range(K):
        assert_identity(scores[k] / sum(scores), target[k], f"p_{k} = softmax(log sigma(z))_{k}")
    logits = np.random.default_rng(0).normal(scale=3.0, size=(200, K))
    p = sigmoid(logits) / sigmoid(logits).sum(axis=1, keepdims=True)
    assert np.allclose(p, softmax(log_sigmoid(logits)), rtol=0, atol=1e-12)
    assert np.array_equal(np.argmax(p, axis=1), np.argmax(logits, axis=1))


def test_one_vs_rest_classifier_is_k_binary_fits_renormalized():  # def-ovr, prop-ovr-scores
    X, y = datasets.make_blobs(30, 3, spread=2.0, random_state=0)
    models = [LogisticRegression(alpha=1e-2).fit(X, y == k) for k in range(3)]
    Z = np.column_stack([m.decision_function(X) for m in models])
    ovr = OneVsRestClassifier(LogisticRegression(alpha=1e-2)).fit(X, y)
    assert np.allclose(ovr.decision_function(X), Z, rtol=0, atol=1e-12)
    scores = sigmoid(Z)
    assert np.allclose(ovr.predict_proba(X), scores / scores.sum(axis=1, keepdims=True), atol=1e-12)
    assert np.array_equal(ovr.predict(X), np.argmax(Z, axis=1))
    assert scores.sum(axis=1).min() < 1 < scores.sum(axis=1).max()  # raw scores: no distribution


def test_two_class_one_vs_rest_is_the_binary_model():  # prop-ovr-two-classes
    t, z = sp.symbols("t z", real=True)

    def term(t_, z_):
        return -(t_ * sp.log(sym_sigmoid(z_)) + (1 - t_) * sp.log(sym_sigmoid(-z_)))

    assert_identity(term(1 - t, -z), term(t, z), "l(1 - t, -z) = l(t, z)")
    X, y = datasets.make_blobs(40, 2, spread=2.0, random_state=0)
    alpha = 1e-2
    fits = [LogisticRegression(alpha=alpha, tol=1e-10).fit(X, y == k) for k in (0, 1)]
    assert np.allclose(fits[0].coef_, -fits[1].coef_, atol=1e-8)
    assert np.allclose(fits[0].intercept_, -fits[1].intercept_, atol=1e-8)
    scores = np.column_stack([m.predict_proba(X)[:, 1] for m in fits])
    binary = LogisticRegression(alpha=alpha, tol=1e-10).fit(X, y)
    assert np.allclose(scores, binary.predict_proba(X), atol=1e-8)  # already sums to 1
    soft = SoftmaxRegression(alpha=2 * alpha, tol=1e-10).fit(X, y)
    assert np.allclose(soft.predict_proba(X), binary.predict_proba(X), atol=1e-7)


# --- invariant_representations.ipynb -----------------------------------------------------------


def test_dft_shift_phase_and_magnitude_invariance():  # prop-pooling-invariant (3)
    # F(C_s x)[k] = exp(-2 pi i k.s/N) F(x)[k], so |F| does not see cyclic shifts
    x = np.random.default_rng(0).normal(size=(6, 5))
    s = (2, 3)
    k1, k2 = np.meshgrid(np.arange(6), np.arange(5), indexing="ij")
    phase = np.exp(-2j * np.pi * (k1 * s[0] / 6 + k2 * s[1] / 5))
    shifted = np.fft.fft2(np.roll(x, s, axis=(0, 1)))
    np.testing.assert_allclose(shifted, phase * np.fft.fft2(x), atol=1e-12)
    np.testing.assert_allclose(np.abs(shifted), np.abs(np.fft.fft2(x)), atol=1e-12)


def test_orbit_pooling_is_invariant_and_linear_scores_are_not():  # prop-pooling-invariant (1, 2)
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))

    def f(img):  # any nonlinear score
        return np.tanh(np.sum(w * img)) + np.sum(w * img) ** 2

    def pooled(img):
        values = [f(np.roll(img, s, axis=(0, 1))) for s in np.ndindex(5, 5)]
        return max(values), np.mean(values)

    moved = np.roll(x, (1, 3), axis=(0, 1))
    np.testing.assert_allclose(pooled(moved), pooled(x), atol=1e-12)
    assert abs(np.sum(w * moved) - np.sum(w * x)) > 1e-3  # a non-constant w is not invariant
    c = np.full((5, 5), 0.7)  # a constant w is, and reads only the total
    assert np.isclose(np.sum(c * moved), np.sum(c * x))


def test_global_pooling_of_a_convolution_is_translation_invariant():  # def-invariant
    rng = np.random.default_rng(2)
    digit, filters = rng.uniform(size=(8, 8)), rng.normal(size=(4, 3, 3))

    def features(canvas):
        windows = sliding_window_view(np.pad(canvas, 2), (3, 3))
        R = np.maximum(np.einsum("hwij,fij->fhw", windows, filters), 0)
        return np.r_[R.max(axis=(1, 2)), R.sum(axis=(1, 2))], R

    canvas = np.zeros((12, 12))
    canvas[2:10, 2:10] = digit
    moved = np.roll(canvas, (-2, 1), axis=(0, 1))  # the ink stays on the canvas
    (phi, R), (phi_moved, R_moved) = features(canvas), features(moved)
    np.testing.assert_allclose(R_moved, np.roll(R, (-2, 1), axis=(1, 2)), atol=1e-12)  # equivariant
    np.testing.assert_allclose(phi_moved, phi, atol=1e-12)  # invariant


# --- generative_view.ipynb ---------------------------------------------------------------------


def _lda_plugin(means, cov, priors):
    W = np.linalg.solve(cov, means.T)  # column k is w_k = Sigma^{-1} mu_k
    return W, -0.5 * np.sum(means.T * W, axis=0) + np.log(priors)


def test_lda_posterior_is_softmax_of_linear_logits():  # thm-lda-posterior, K = 3
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    cov = A @ A.T + np.eye(3)
    means, priors = rng.normal(size=(3, 3)), np.array([0.5, 0.3, 0.2])
    X = rng.normal(scale=2.0, size=(100, 3))
    joint = np.column_stack([multivariate_normal(m, cov).pdf(X) for m in means]) * priors
    W, b = _lda_plugin(means, cov, priors)
    assert np.allclose(softmax(X @ W + b), joint / joint.sum(axis=1, keepdims=True), atol=1e-12)
    W_wrong, b_wrong = _lda_plugin(means, cov, priors[::-1])  # the check can fail
    assert not np.allclose(softmax(X @ W_wrong + b_wrong), softmax(X @ W + b), atol=1e-3)


def test_lda_two_class_log_ratio_and_sigmoid_symbolic():  # thm-lda-posterior, K = 2
    l11, l22 = sp.symbols("l11 l22", positive=True)
    l21 = sp.symbols("l21", real=True)
    chol = sp.Matrix([[l11, 0], [l21, l22]])
    cov = chol * chol.T  # any 2x2 positive-definite matrix
    inv = cov.inv()
    x = sp.Matrix(sp.symbols("x1:3", real=True))
    mu = [sp.Matrix(sp.symbols(f"mu{k}_1:3", real=True)) for k in (0, 1)]
    pi = sp.symbols("pi0 pi1", positive=True)

    def joint(k):
        r = x - mu[k]
        return pi[k] * sp.exp(-(r.T * inv * r)[0] / 2) / (2 * sp.pi * sp.sqrt(cov.det()))

    w = inv * (mu[1] - mu[0])
    b = -((mu[1].T * inv * mu[1])[0] - (mu[0].T * inv * mu[0])[0]) / 2 + sp.log(pi[1] / pi[0])
    z = (w.T * x)[0] + b
    log_ratio = sp.expand_log(sp.log(joint(1)) - sp.log(joint(0)))
    assert sp.cancel(sp.expand(log_ratio - z)) == 0
    assert sp.cancel(sp.expand(log_ratio - z + sp.log(pi[1]))) != 0  # a wrong b is caught
    posterior = joint(1) / (joint(0) + joint(1))
    assert sp.powsimp(sp.expand((1 / posterior - 1) / (1 / sym_sigmoid(z) - 1))) == 1


def test_sklearn_lda_lsqr_is_the_plugin_estimate():  # the page's check of scikit-learn's LDA
    rng = np.random.default_rng(1)
    sizes = [25, 40, 15]
    X = np.concatenate([2 * rng.normal(size=4) + rng.normal(size=(n, 4)) for n in sizes])
    y = np.repeat(np.arange(3), sizes)
    means = np.array([X[y == k].mean(axis=0) for k in range(3)])
    centred = X - means[y]
    cov = centred.T @ centred / len(X)  # pooled, divided by n (not n - K)
    W, b = _lda_plugin(means, cov, np.bincount(y) / len(y))
    lda = LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    assert np.allclose(lda.covariance_, cov, rtol=1e-10, atol=1e-12)
    assert np.allclose(lda.coef_, W.T, rtol=1e-8, atol=1e-10)
    assert np.allclose(lda.intercept_, b, rtol=1e-8, atol=1e-10)
    assert np.allclose(lda.predict_proba(X), softmax(X @ W + b), atol=1e-12)


# --- evaluation.ipynb --------------------------------------------------------------------------


def test_expected_brier_and_log_loss_decompose():  # thm-proper-scoring
    # E Brier = ||q - p||^2 + 1 - ||p||^2 and E log loss = H(p) + KL(p || q): both least at q = p
    p1, p2, q1, q2 = sp.symbols("p1 p2 q1 q2", positive=True)
    p, q = [p1, p2, 1 - p1 - p2], [q1, q2, 1 - q1 - q2]
    expected_brier = sum(
        p[j] * sum((q[k] - (1 if k == j else 0)) ** 2 for k in range(3)) for j in range(3)
    )
    rhs = sum((qk - pk) ** 2 for pk, qk in zip(p, q, strict=True)) + 1 - sum(pk**2 for pk in p)
    assert sp.expand(expected_brier - rhs) == 0
    assert sp.expand(expected_brier - rhs - (q1 - p1) ** 2) != 0  # the check can fail
    expected_log = -sum(pk * sp.log(qk) for pk, qk in zip(p, q, strict=True))
    entropy = -sum(pk * sp.log(pk) for pk in p)
    kl = sum(pk * (sp.log(pk) - sp.log(qk)) for pk, qk in zip(p, q, strict=True))
    assert_identity(expected_log, entropy + kl, "E log loss = H(p) + KL(p || q)")


def test_temperature_objective_curvature_is_the_logit_variance():  # prop-temperature-scaling
    # d^2/dbeta^2 [lse(beta z) - beta z_y] = the variance of z under softmax(beta z) >= 0
    beta = sp.symbols("beta", real=True)
    z = sp.symbols("z1:4", real=True)
    f = sp.log(sum(sp.exp(beta * zk) for zk in z)) - beta * z[0]
    q = sym_softmax([beta * zk for zk in z])
    mean = sum(qk * zk for qk, zk in zip(q, z, strict=True))
    variance = sum(qk * zk**2 for qk, zk in zip(q, z, strict=True)) - mean**2
    assert_identity(sp.diff(f, beta), mean - z[0], "f'")
    assert_identity(sp.diff(f, beta, 2), variance, "f''")


def test_auc_is_the_fraction_of_correctly_ranked_pairs():  # prop-auc-ranking
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=200)
    scores = np.round(rng.normal(size=200) + y, 1)  # rounded: many ties
    gaps = scores[y == 1][:, None] - scores[y == 0][None, :]
    pairs = (np.sum(gaps > 0) + 0.5 * np.sum(gaps == 0)) / gaps.size
    assert abs(pairs - roc_auc_score(y, scores)) < 1e-12
    assert abs(pairs - np.sum(gaps > 0) / gaps.size) > 1e-3  # the ties matter here


# --- generative_view.ipynb and evaluation.ipynb (added with issue 21) ---------------------------


def test_efron_efficiency_expansion_and_identities():  # prop-efron-efficiency
    from scipy.stats import norm

    b, w1, w2, u, t = sp.symbols("b w1 w2 u t", real=True)
    delta = sp.symbols("Delta", positive=True)

    def cdf(s):
        return (1 + sp.erf(s / sp.sqrt(2))) / 2

    def pdf(s):
        return sp.exp(-(s**2) / 2) / sp.sqrt(2 * sp.pi)

    norm_w = sp.sqrt(w1**2 + w2**2)
    error_rate = (cdf(-(b + delta / 2 * w1) / norm_w) + cdf((b - delta / 2 * w1) / norm_w)) / 2
    truth, variables = {b: 0, w1: delta, w2: 0}, (b, w1, w2)
    assert all(sp.simplify(sp.diff(error_rate, v).subs(truth)) == 0 for v in variables)
    hessian = sp.Matrix(
        3, 3, lambda i, j: sp.diff(error_rate, variables[i], variables[j]).subs(truth)
    )
    entry = pdf(delta / 2) / (2 * delta)
    assert sp.simplify(hessian - sp.diag(entry, 0, entry)) == sp.zeros(3, 3)
    assert_identity(
        sym_sigmoid(t) * sym_sigmoid(-t),
        1 / (4 * sp.cosh(t / 2) ** 2),
        "sigma(t) sigma(-t) = 1 / (4 cosh^2(t/2))",
    )
    mixture = (pdf(u - delta / 2) + pdf(u + delta / 2)) / 2
    assert_identity(
        mixture,
        pdf(u) * sp.exp(-(delta**2) / 8) * sp.cosh(delta * u / 2),
        "the two-class mixture density",
    )
    grid = np.linspace(-12, 12, 4001)

    def eff(d):
        integral = np.trapezoid(norm.pdf(grid) / np.cosh(d * grid / 2), grid)
        return (1 + d**2 / 4) * np.exp(-(d**2) / 8) * integral

    values = [eff(d) for d in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)]
    assert np.allclose(values, [0.995, 0.968, 0.899, 0.786, 0.641, 0.486, 0.343], atol=5e-4)


def test_precision_from_the_rates_and_the_prevalence():  # evaluation: precision and prevalence
    tp, fp, fn, tn = sp.symbols("TP FP FN TN", positive=True)
    prevalence, tpr, fpr = (tp + fn) / (tp + fp + fn + tn), tp / (tp + fn), fp / (fp + tn)
    precision = prevalence * tpr / (prevalence * tpr + (1 - prevalence) * fpr)
    assert_identity(precision, tp / (tp + fp), "Bayes' rule gives the precision")
    pi = sp.symbols("pi", positive=True)
    at = pi * tpr / (pi * tpr + (1 - pi) * fpr)
    derivative = tpr * fpr / (pi * tpr + (1 - pi) * fpr) ** 2  # > 0: rises with the prevalence
    assert sp.simplify(sp.diff(at, pi) - derivative) == 0
