"""The objective (logreg.objective): every quantity against finite differences or its definition,
for the binary and multinomial models, dense, sparse and float32; the functional API against it."""

import numpy as np
import pytest
import scipy.sparse as sp

from logreg import (
    binary_cross_entropy_and_grad,
    logistic_loss_and_grad,
    logistic_loss_hessian,
    one_hot,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
    softmax_cross_entropy_hessian,
)
from logreg.objective import BinaryObjective, SoftmaxObjective

N, D, K = 13, 3, 4
H_STEP = 1e-6
# Central differences of O(1) functions: truncation ~ h^2 and rounding ~ eps / h, both < 1e-9.
FD_TOL = 1e-7


def make(kind, *, alpha=0.3, fit_intercept=True, weights=None, sparse=False, dtype=np.float64):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, D))
    X[rng.random((N, D)) < 0.3] = 0.0  # some zeros, so that the sparse matrix is sparse
    y = rng.integers(0, K, N)
    y[:K] = np.arange(K)
    if weights is None:
        weights = np.full(N, 1.0 / N)
    X = X.astype(dtype)
    X = sp.csr_matrix(X) if sparse else X
    if kind == "softmax":
        obj = SoftmaxObjective(X, y, K, alpha, fit_intercept, weights)
    else:
        obj = BinaryObjective(X, np.where(y % 2 == 0, -1.0, 1.0), alpha, fit_intercept, weights)
    theta = np.random.default_rng(1).normal(size=obj.size)
    return obj, theta


def numeric_gradient(f, theta):
    E = np.eye(theta.size) * H_STEP
    return np.array([(f(theta + e) - f(theta - e)) / (2 * H_STEP) for e in E])


KINDS = ["softmax", "binary"]
CASES = [
    pytest.param(dict(), id="dense"),
    pytest.param(dict(sparse=True), id="sparse"),
    pytest.param(dict(fit_intercept=False), id="no-intercept"),
    pytest.param(dict(alpha=0.0), id="alpha0"),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_gradient_hessp_and_hessian_match_finite_differences(kind, case):
    obj, theta = make(kind, **case)
    loss, grad = obj.loss_grad(theta)
    assert loss == pytest.approx(obj.loss(theta), rel=1e-14)
    np.testing.assert_allclose(grad, numeric_gradient(obj.loss, theta), atol=FD_TOL)
    H = obj.hessian(theta)
    numeric_H = numeric_gradient(lambda t: obj.loss_grad(t)[1], theta)
    np.testing.assert_allclose(H, numeric_H, atol=FD_TOL)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    hessp = obj.hessp(theta)
    V = np.random.default_rng(2).normal(size=(3, obj.size))
    for v in V:
        np.testing.assert_allclose(hessp(v), H @ v, rtol=1e-12, atol=1e-14)
    assert np.linalg.eigvalsh(H).min() > -1e-12  # convex


@pytest.mark.parametrize("kind", KINDS)
def test_float32_data_agrees_with_float64(kind):
    obj64, theta = make(kind)
    obj32, _ = make(kind, dtype=np.float32)
    loss, grad, hessp, precondition = obj32.loss_grad_hessp(theta)
    assert grad.dtype == np.float64  # the solvers' parameters stay float64
    loss64, grad64, hessp64, precondition64 = obj64.loss_grad_hessp(theta)
    assert loss == pytest.approx(loss64, rel=1e-6)
    np.testing.assert_allclose(grad, grad64, rtol=1e-5, atol=1e-6)
    v = np.random.default_rng(3).normal(size=obj32.size)
    np.testing.assert_allclose(hessp(v), hessp64(v), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(precondition(v), precondition64(v), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(obj32.hessian(theta), obj64.hessian(theta), rtol=1e-5, atol=1e-6)


def kronecker_model(obj, theta):
    """``A (x) X~^T diag(omega) X~ + alpha I`` in theta's order, from the definition of A."""
    W, b = obj.split(theta)
    X = obj.X.toarray() if sp.issparse(obj.X) else obj.X
    Z = X @ W.T + (b if b is not None else 0.0)
    omega = obj.weights / obj.weights.sum()
    if obj.n_outputs == 1:
        s = 1 / (1 + np.exp(-Z[:, 0]))
        A = np.array([[omega @ (s * (1 - s))]])
    else:
        P = softmax(Z)
        A = sum(w * (np.diag(p) - np.outer(p, p)) for w, p in zip(omega, P, strict=True))
    Xa = np.column_stack([X, np.ones(N)]) if obj.fit_intercept else X
    M = np.kron(A, Xa.T @ (Xa * obj.weights[:, None]))  # class by class: rows of [W | b]
    M[np.diag_indices_from(M)] += obj.alpha
    order = np.arange(M.shape[0]).reshape(obj.n_outputs, -1)
    order = np.concatenate([order[:, :D].ravel(), order[:, D:].ravel()])
    return M[np.ix_(order, order)]


@pytest.mark.parametrize("case", CASES[:3])
@pytest.mark.parametrize("kind", KINDS)
def test_preconditioner_is_spd_and_inverts_its_kronecker_model(kind, case):
    obj, theta = make(kind, **case)
    precondition = obj.loss_grad_hessp(theta)[3]
    M = kronecker_model(obj, theta)
    Pinv = np.array([precondition(e) for e in np.eye(obj.size)]).T
    np.testing.assert_allclose(Pinv, Pinv.T, atol=1e-10)
    eigenvalues = np.linalg.eigvalsh(Pinv)
    # Positive definite, but for an equal shift of the intercepts in softmax regression, which
    # nothing curves (thm-shift-invariance): there it returns 0.
    flat = kind == "softmax" and obj.fit_intercept
    assert eigenvalues[int(flat) :].min() > 1e-6
    if flat:
        assert abs(eigenvalues[0]) < 1e-10
        np.testing.assert_allclose(
            precondition(np.r_[np.zeros(obj.n_weights), np.ones(K)]), 0.0, atol=1e-12
        )
    v = np.random.default_rng(4).normal(size=obj.size)
    if flat:  # nothing curves the intercepts' equal shift: it is projected out
        v[obj.n_weights :] -= v[obj.n_weights :].mean()
    np.testing.assert_allclose(precondition(M @ v), v, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(obj.preconditioner(theta)(M @ v), v, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kind", KINDS)
def test_closures_are_bound_to_their_point_whatever_the_call_order(kind):
    obj, theta = make(kind)
    other = -2.0 * theta
    _, _, hessp, precondition = obj.loss_grad_hessp(theta)
    v = np.random.default_rng(5).normal(size=obj.size)
    first, first_pre = hessp(v), precondition(v)
    obj.loss_grad_hessp(other)  # another point, evaluated after
    obj.loss_grad(other)
    np.testing.assert_array_equal(hessp(v), first)
    np.testing.assert_array_equal(precondition(v), first_pre)
    np.testing.assert_allclose(first, obj.hessian(theta) @ v, rtol=1e-12, atol=1e-14)
    assert not np.allclose(obj.hessp(other)(v), first)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_integer_sample_weights_equal_repeated_rows(kind, sparse):
    counts = np.random.default_rng(6).integers(1, 4, N)
    weighted, theta = make(kind, weights=counts / counts.sum(), sparse=sparse)
    X = weighted.X[np.repeat(np.arange(N), counts)]
    n = X.shape[0]
    y = np.repeat(weighted.y, counts)
    if kind == "softmax":
        repeated = SoftmaxObjective(X, y, K, 0.3, True, np.full(n, 1 / n))
    else:
        repeated = BinaryObjective(X, y, 0.3, True, np.full(n, 1 / n))
    v = np.random.default_rng(7).normal(size=theta.size)
    a, b = weighted.loss_grad_hessp(theta), repeated.loss_grad_hessp(theta)
    assert a[0] == pytest.approx(b[0], rel=1e-13)
    for x, y in [(a[1], b[1]), (a[2](v), b[2](v)), (a[3](v), b[3](v))]:
        np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(weighted.hessian(theta), repeated.hessian(theta), atol=1e-13)


@pytest.mark.parametrize("kind", KINDS)
def test_a_minibatch_of_every_row_is_the_full_gradient_and_counts_its_share(kind):
    obj, theta = make(kind)
    rows = np.random.default_rng(8).permutation(N)
    np.testing.assert_allclose(obj.loss_grad(theta, rows=rows)[1], obj.loss_grad(theta)[1])
    obj.loss_grad(theta, rows=rows[:3])
    obj.hessp(theta)(theta)
    obj.hessian(theta)
    assert obj.work == {"gradient": 2 + 3 / N, "hessian": 1, "hess_vec": 1}


def test_soft_targets_equal_the_mixture_of_one_hot_objectives():
    obj, theta = make("softmax")
    Y = softmax(np.random.default_rng(9).normal(size=(N, K)))
    soft = SoftmaxObjective(obj.X, Y.T, K, 0.3, True, obj.weights)
    value, grad = soft.loss_grad(theta)
    # The loss is linear in the targets: sum_k Y_ik * (the objective with every label k).
    parts = [
        SoftmaxObjective(obj.X, np.full(N, k), K, 0.0, True, obj.weights * Y[:, k])
        for k in range(K)
    ]
    assert value == pytest.approx(sum(p.loss(theta) for p in parts) + obj._penalty(theta))
    np.testing.assert_allclose(grad, numeric_gradient(soft.loss, theta), atol=FD_TOL)


# ---------------------------------------------------------------------------
# The functional API is a thin adapter over the objective
# ---------------------------------------------------------------------------


def test_softmax_functions_equal_the_objective():
    obj, theta = make("softmax")
    W, b = obj.split(theta)
    Y = one_hot(obj.y, K)
    loss, gW, gb = softmax_cross_entropy_and_grad(W, b, obj.X, Y, 0.3)
    value, grad = obj.loss_grad(theta)
    assert loss == value and softmax_cross_entropy(W, b, obj.X, Y, 0.3) == obj.loss(theta)
    np.testing.assert_array_equal(np.concatenate([gW.ravel(), gb]), grad)
    # The book orders the Hessian class by class (rows of [W | b]); the objective, W then b.
    H = softmax_cross_entropy_hessian(W, b, obj.X, 0.3)
    order = np.concatenate([np.arange(K * D).reshape(K, D), K * D + np.arange(K)[:, None]], axis=1)
    np.testing.assert_array_equal(H, obj.hessian(theta)[np.ix_(order.ravel(), order.ravel())])


def test_binary_functions_equal_the_objective():
    obj, theta = make("binary")
    w, b = theta[:D], theta[D]
    value, grad = obj.loss_grad(theta)
    for fn, labels in [
        (logistic_loss_and_grad, obj.y),
        (binary_cross_entropy_and_grad, (obj.y + 1) / 2),
    ]:
        loss, gw, gb = fn(w, b, obj.X, labels, 0.3)
        assert loss == pytest.approx(value, rel=1e-15)
        np.testing.assert_allclose(np.append(gw, gb), grad, rtol=1e-15)
    np.testing.assert_array_equal(logistic_loss_hessian(w, b, obj.X, 0.3), obj.hessian(theta))


# ---------------------------------------------------------------------------
# The book's Hessians (thm-ce-hessian, thm-binary-hessian), against finite differences
# ---------------------------------------------------------------------------


def test_softmax_hessian_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    Y = one_hot(rng.integers(0, 4, 12), 4)
    W, b, alpha = rng.normal(size=(4, 3)), rng.normal(size=4), 0.3
    H = softmax_cross_entropy_hessian(W, b, X, alpha)

    def grad(theta):  # theta: the rows of [W | b], class by class
        T = theta.reshape(4, 4)
        _, gW, gb = softmax_cross_entropy_and_grad(T[:, :3], T[:, 3], X, Y, alpha)
        return np.column_stack([gW, gb]).ravel()

    theta = np.column_stack([W, b]).ravel()
    np.testing.assert_allclose(H, numeric_gradient(grad, theta), atol=FD_TOL)
    np.testing.assert_allclose(H, H.T)
    H0 = softmax_cross_entropy_hessian(W, b, X)
    assert np.linalg.eigvalsh(H0).min() > -1e-12  # positive semi-definite: the loss is convex
    shift = np.tile(rng.normal(size=4), 4)  # an equal shift of every class's (w_k, b_k)
    np.testing.assert_allclose(H0 @ shift, 0.0, atol=1e-12)
    H_no_b = softmax_cross_entropy_hessian(W, b, X, alpha, fit_intercept=False)
    keep = np.tile(np.arange(4) < 3, 4)
    np.testing.assert_array_equal(H_no_b, H[np.ix_(keep, keep)])


def test_logistic_hessian_matches_finite_differences():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 3))
    y = np.where(rng.random(10) < 0.5, -1.0, 1.0)
    w, b, alpha = rng.normal(size=3), 0.2, 0.1
    H = logistic_loss_hessian(w, b, X, alpha)

    def grad(theta):
        _, gw, gb = logistic_loss_and_grad(theta[:3], theta[3], X, y, alpha)
        return np.append(gw, gb)

    np.testing.assert_allclose(H, numeric_gradient(grad, np.append(w, b)), atol=FD_TOL)
    np.testing.assert_array_equal(
        logistic_loss_hessian(w, b, X, alpha, fit_intercept=False), H[:3, :3]
    )
