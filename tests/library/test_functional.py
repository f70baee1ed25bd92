"""The functional API (logreg.functional): values against independent formulas, gradients against
finite differences, in the (n_classes, n_features) layout of W."""

import numpy as np
import pytest

from logreg import (
    binary_cross_entropy,
    binary_cross_entropy_and_grad,
    l2_penalty,
    logistic_loss,
    logistic_loss_and_grad,
    logistic_loss_hessian,
    one_hot,
    sigmoid,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
)

pytestmark = pytest.mark.usefixtures("strict_floating_point")


def make_problem(n_samples=7, n_features=4, n_classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = rng.integers(0, n_classes, size=n_samples)
    y[:n_classes] = np.arange(n_classes)  # every class present
    W = rng.normal(size=(n_classes, n_features))
    b = rng.normal(size=n_classes)
    return X, y, W, b


def central_difference(f, x, h=1e-6):
    """Gradient of scalar f at x (any shape) by central differences.

    Truncation error is O(h^2 * f''') ~ 1e-12 and rounding error is
    O(eps * |f| / h) ~ 1e-10 for the O(1) losses used here, so agreement to
    1e-7 is a strict test while leaving room for both.
    """
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        g[idx] = (f(x + e) - f(x - e)) / (2 * h)
    return g


FD_TOL = 1e-7


@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_softmax_cross_entropy_gradient(alpha):
    X, y, W, b = make_problem()
    Y = one_hot(y, 3)
    loss, gW, gb = softmax_cross_entropy_and_grad(W, b, X, Y, alpha)
    assert loss == pytest.approx(softmax_cross_entropy(W, b, X, Y, alpha), rel=1e-14)
    np.testing.assert_allclose(
        gW, central_difference(lambda V: softmax_cross_entropy(V, b, X, Y, alpha), W), atol=FD_TOL
    )
    np.testing.assert_allclose(
        gb, central_difference(lambda c: softmax_cross_entropy(W, c, X, Y, alpha), b), atol=FD_TOL
    )


def test_softmax_cross_entropy_gradient_with_soft_targets():
    X, _, W, b = make_problem(seed=1)
    Y = softmax(np.random.default_rng(2).normal(size=(X.shape[0], 3)))
    _, gW, gb = softmax_cross_entropy_and_grad(W, b, X, Y)
    np.testing.assert_allclose(
        gW, central_difference(lambda V: softmax_cross_entropy(V, b, X, Y), W), atol=FD_TOL
    )


def test_softmax_cross_entropy_value_against_direct_formula():
    X, y, W, b = make_problem()
    P = np.exp(X @ W.T + b)
    P /= P.sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(P[np.arange(len(y)), y])) + 0.5 * 0.2 * np.sum(W**2)
    assert softmax_cross_entropy(W, b, X, one_hot(y, 3), alpha=0.2) == pytest.approx(
        expected, rel=1e-13
    )


@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize(
    ("loss", "loss_and_grad", "labels"),
    [
        (logistic_loss, logistic_loss_and_grad, (-1.0, 1.0)),
        (binary_cross_entropy, binary_cross_entropy_and_grad, (0.0, 1.0)),
    ],
)
def test_binary_gradients(loss, loss_and_grad, labels, alpha):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(9, 3))
    y = np.where(rng.random(9) < 0.5, *labels)
    w, b = rng.normal(size=3), 0.4
    value, gw, gb = loss_and_grad(w, b, X, y, alpha)
    assert value == pytest.approx(loss(w, b, X, y, alpha), rel=1e-14)
    np.testing.assert_allclose(
        gw, central_difference(lambda v: loss(v, b, X, y, alpha), w), atol=FD_TOL
    )
    assert gb == pytest.approx(
        central_difference(lambda c: loss(w, float(c), X, y, alpha), b), abs=FD_TOL
    )


def test_binary_losses_against_direct_formulas():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(8, 2))
    y01 = (rng.random(8) < 0.5).astype(float)
    w, b = rng.normal(size=2), -0.2
    q = 1 / (1 + np.exp(-(X @ w + b)))
    bce = -np.mean(y01 * np.log(q) + (1 - y01) * np.log(1 - q))
    assert binary_cross_entropy(w, b, X, y01) == pytest.approx(bce, rel=1e-13)
    ypm = 2 * y01 - 1
    logistic = np.mean(np.log(1 + np.exp(-ypm * (X @ w + b))))
    assert logistic_loss(w, b, X, ypm) == pytest.approx(logistic, rel=1e-13)


def test_logistic_loss_equals_binary_cross_entropy():
    # The loss-equivalence theorem: labels y in {-1,+1} and p = 1[y = +1].
    rng = np.random.default_rng(5)
    X = rng.normal(size=(50, 3)) * 10
    y01 = (rng.random(50) < 0.5).astype(float)
    w, b = rng.normal(size=3), 1.5
    assert logistic_loss(w, b, X, 2 * y01 - 1) == pytest.approx(
        binary_cross_entropy(w, b, X, y01), rel=1e-14
    )


def test_two_class_softmax_cross_entropy_is_binary_cross_entropy():
    # With rows w1, w2 of W and b = [b1, b2], the 2-class softmax loss is the binary
    # cross-entropy with weights w1 - w2 and label 1 for class 0.
    rng = np.random.default_rng(6)
    X = rng.normal(size=(20, 3))
    y = rng.integers(0, 2, size=20)
    W, b = rng.normal(size=(2, 3)), rng.normal(size=2)
    softmax_loss = softmax_cross_entropy(W, b, X, one_hot(y, 2))
    binary = binary_cross_entropy(W[0] - W[1], b[0] - b[1], X, (y == 0).astype(float))
    assert softmax_loss == pytest.approx(binary, rel=1e-13)


@pytest.mark.parametrize("scale", [1e4, 1e6, 1e150])
def test_extreme_logits_give_finite_exact_losses(scale):
    X = np.array([[1.0], [-1.0]])
    # Logits +/- scale: one sample right with full confidence, one wrong.
    W = np.array([[scale], [-scale]])
    b = np.zeros(2)
    Y = one_hot([0, 0], 2)
    loss, gW, gb = softmax_cross_entropy_and_grad(W, b, X, Y)
    # Sample 1 costs 0, sample 2 costs 2*scale (the logit gap): mean = scale.
    assert loss == pytest.approx(scale, rel=1e-15)
    assert np.all(np.isfinite(gW)) and np.all(np.isfinite(gb))
    np.testing.assert_allclose(gW, [[0.5], [-0.5]], rtol=1e-15)

    w = np.array([scale])
    y01 = np.array([1.0, 1.0])
    assert binary_cross_entropy(w, 0.0, X, y01) == pytest.approx(scale / 2, rel=1e-15)
    assert logistic_loss(w, 0.0, X, 2 * y01 - 1) == pytest.approx(scale / 2, rel=1e-15)
    for fn, labels in ((binary_cross_entropy_and_grad, y01), (logistic_loss_and_grad, 2 * y01 - 1)):
        _, gw, gb = fn(w, 0.0, X, labels)
        np.testing.assert_allclose(gw, [0.5], rtol=1e-15)
        assert gb == pytest.approx(-0.5, rel=1e-15)


def test_predictions_from_extreme_logits_are_exact():
    X = np.array([[1.0]])
    assert sigmoid(X @ np.array([1e4]))[0] == 1.0
    np.testing.assert_array_equal(softmax(X @ np.array([[1e4], [-1e4]]).T), [[1.0, 0.0]])


def test_l2_penalty_excludes_intercepts_and_matches_formula():
    X, y, W, b = make_problem()
    Y = one_hot(y, 3)
    diff = softmax_cross_entropy(W, b, X, Y, alpha=2.0) - softmax_cross_entropy(W, b, X, Y)
    assert diff == pytest.approx(np.sum(W**2), rel=1e-12)
    _, _, gb0 = softmax_cross_entropy_and_grad(W, b, X, Y)
    _, _, gb2 = softmax_cross_entropy_and_grad(W, b, X, Y, alpha=2.0)
    np.testing.assert_array_equal(gb0, gb2)
    value, grad = l2_penalty(W, 0.5)
    assert value == pytest.approx(0.25 * np.sum(W**2))
    np.testing.assert_array_equal(grad, 0.5 * W)


def test_float32_inputs_give_float32_gradients():
    X, y, W, b = make_problem()
    _, gW, gb = softmax_cross_entropy_and_grad(
        W.astype(np.float32), b.astype(np.float32), X.astype(np.float32), one_hot(y, 3)
    )
    assert gW.dtype == np.float32 and gb.dtype == np.float32
    _, gW64, _ = softmax_cross_entropy_and_grad(W, b, X, one_hot(y, 3))
    np.testing.assert_allclose(gW, gW64, rtol=1e-4, atol=1e-6)


def test_inputs_are_not_modified():
    X, y, W, b = make_problem()
    Y = one_hot(y, 3)
    copies = [a.copy() for a in (X, W, b, Y)]
    softmax_cross_entropy_and_grad(W, b, X, Y, alpha=0.1)
    for before, after in zip(copies, (X, W, b, Y), strict=True):
        np.testing.assert_array_equal(before, after)


X0, y0, W0, b0 = make_problem()
Y0 = one_hot(y0, 3)


@pytest.mark.parametrize(
    ("args", "exc", "match"),
    [
        ((W0, b0, X0[0], Y0), ValueError, "X must be a 2-D array; received 1-D"),
        ((W0, b0, X0[:0], Y0[:0]), ValueError, "X has no samples"),
        ((W0, b0, np.where(X0 > 1, np.nan, X0), Y0), ValueError, "X contains NaN"),
        ((W0, b0, X0.astype(str), Y0), TypeError, "X must be numeric"),
        ((W0[:, :2], b0, X0, Y0), ValueError, "W has 2 columns but X has 4 features"),
        ((W0, b0[:2], X0, Y0), ValueError, "b has 2 entries but W has 3 rows"),
        ((W0, b0, X0, Y0[:5]), ValueError, r"Y has shape \(5, 3\); expected .* \(7, 3\)"),
        ((W0, b0, X0, 2 * Y0), ValueError, "each row summing to 1"),
        ((W0, b0, X0, Y0, -1.0), ValueError, "alpha must be a finite number >= 0; received -1"),
        ((W0, b0, X0, Y0, "big"), TypeError, "alpha must be a real number"),
    ],
)
def test_softmax_loss_bad_input(args, exc, match):
    with pytest.raises(exc, match=match):
        softmax_cross_entropy_and_grad(*args)


@pytest.mark.parametrize(
    ("fn", "y", "match"),
    [
        (
            logistic_loss,
            np.array([0.0, 1.0, 1.0]),
            r"labels in \{-1, 1\}; received 0 at position 0",
        ),
        (binary_cross_entropy, np.array([1.0, -1.0, 1.0]), r"labels in \{0, 1\}; received -1"),
        (logistic_loss, np.array([1.0, -1.0]), "y has 2 samples but X has 3"),
    ],
)
def test_binary_loss_bad_labels(fn, y, match):
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match=match):
        fn(np.zeros(2), 0.0, X, y)


def test_binary_loss_weight_shape_mismatch():
    with pytest.raises(ValueError, match="w has 3 entries but X has 2 features"):
        logistic_loss(np.zeros(3), 0.0, np.ones((2, 2)), np.ones(2))


def test_logistic_hessian_bounded_by_a_quarter_gram_and_attained_at_zero():
    # prop-logistic-step, item 1 (book/logistic/logistic_loss.ipynb): the bound M behind lr="auto"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    Xa = np.c_[X, np.ones(50)]
    M = np.linalg.eigvalsh(Xa.T @ Xa).max() / (4 * 50)
    for _ in range(20):
        w, b = rng.normal(scale=3, size=3), rng.normal()
        assert np.linalg.eigvalsh(logistic_loss_hessian(w, b, X)).max() <= M * (1 + 1e-12)
    assert np.isclose(np.linalg.eigvalsh(logistic_loss_hessian(np.zeros(3), 0.0, X)).max(), M)
