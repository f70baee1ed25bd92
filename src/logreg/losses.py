"""Losses of binary and softmax regression, with their gradients.

Notation (the book's): ``X`` of shape (n_samples, n_features); weights ``w`` of
shape (n_features,) for the binary models and ``W`` of shape
(n_features, n_classes) for softmax regression; intercepts ``b`` (a float, or
shape (n_classes,)); logits ``z = X @ w + b`` or ``Z = X @ W + b``.

Every loss is a **mean** over samples plus the L2 term ``(alpha/2) * ||W||^2``,
which never penalizes the intercepts. Every loss is computed from logits with
log-sum-exp, never as ``log(p)`` of a probability that may have underflowed.

The ``*_and_grad`` functions return ``(loss, grad_W, grad_b)``; pass
``check_input=False`` only when the inputs were validated already (the trainers
do this once in ``fit`` rather than on every iteration).
"""

import numpy as np

from ._validation import as_float_array
from .functions import log_softmax, softmax

__all__ = [
    "l2_penalty",
    "logistic_loss",
    "logistic_loss_and_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_and_grad",
    "softmax_cross_entropy",
    "softmax_cross_entropy_and_grad",
    "logistic_loss_hessian",
    "softmax_cross_entropy_hessian",
]


def l2_penalty(W, alpha):
    """The ridge term ``(alpha/2) * ||W||_F^2`` and its gradient ``alpha * W``.

    Parameters
    ----------
    W : ndarray of shape (n_features,) or (n_features, n_classes)
        Weights only: intercepts are never penalized.
    alpha : float >= 0

    Returns
    -------
    penalty : float
    grad : ndarray of the same shape as ``W``
    """
    alpha = _check_alpha(alpha)
    W = np.asarray(W)
    return 0.5 * alpha * float(np.vdot(W, W)), alpha * W


# ---------------------------------------------------------------------------
# Binary models. Theorem thm-loss-equivalence (book/logistic/logistic_loss.ipynb)
# proves that the two losses below are the same function of (w, b) once the
# labels are matched (y_pm = 2 * y01 - 1); the tests check it numerically.
# ---------------------------------------------------------------------------


def logistic_loss(w, b, X, y, alpha=0.0, *, check_input=True):
    """Mean logistic loss ``(1/n) sum_i ln(1 + exp(-y_i (w.x_i + b)))`` + L2.

    Parameters
    ----------
    w : array_like of shape (n_features,)
    b : float
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Labels in {-1, +1}.
    alpha : float >= 0, default 0

    Returns
    -------
    loss : float
    """
    return logistic_loss_and_grad(w, b, X, y, alpha, check_input=check_input)[0]


def logistic_loss_and_grad(w, b, X, y, alpha=0.0, *, check_input=True):
    """Mean logistic loss (labels in {-1, +1}) and its gradient.

    With ``z_i = w.x_i + b``, ``d/dz_i ln(1 + exp(-y_i z_i)) =
    -y_i * sigmoid(-y_i z_i)``.

    Returns
    -------
    loss : float
    grad_w : ndarray of shape (n_features,)
    grad_b : float
    """
    if check_input:
        w, b, X, y, alpha = _check_binary(w, b, X, y, alpha, labels=(-1.0, 1.0))
    margins = y * (X @ w + b)
    # ln(1 + e^{-m}) = logaddexp(0, -m): exact for every finite margin.
    loss = float(np.mean(np.logaddexp(0.0, -margins)))
    # -y * sigmoid(-m), with sigmoid(-m) = exp(-logaddexp(0, m)) in (0, 1].
    dz = -y * np.exp(-np.logaddexp(0.0, margins)) / X.shape[0]
    return _with_penalty(loss, X.T @ dz, float(np.sum(dz)), w, alpha)


def binary_cross_entropy(w, b, X, y, alpha=0.0, *, check_input=True):
    """Mean binary cross-entropy with labels in {0, 1}, from logits, + L2.

    ``(1/n) sum_i -[y_i log s(z_i) + (1 - y_i) log(1 - s(z_i))]`` with
    ``z_i = w.x_i + b`` and ``s`` the sigmoid.

    Parameters
    ----------
    w : array_like of shape (n_features,)
    b : float
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Labels in {0, 1}.
    alpha : float >= 0, default 0

    Returns
    -------
    loss : float
    """
    return binary_cross_entropy_and_grad(w, b, X, y, alpha, check_input=check_input)[0]


def binary_cross_entropy_and_grad(w, b, X, y, alpha=0.0, *, check_input=True):
    """Mean binary cross-entropy (labels in {0, 1}) and its gradient.

    The per-sample loss simplifies to ``ln(1 + e^z) - y z`` (never a log of a
    probability), whose derivative in ``z`` is ``s(z) - y`` (theorems
    ``thm-bce-mle`` and ``thm-bce-gradient``, book/logistic/logistic_loss.ipynb).

    Returns
    -------
    loss : float
    grad_w : ndarray of shape (n_features,)
    grad_b : float
    """
    if check_input:
        w, b, X, y, alpha = _check_binary(w, b, X, y, alpha, labels=(0.0, 1.0))
    z = X @ w + b
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    dz = (_sigmoid(z) - y) / X.shape[0]
    return _with_penalty(loss, X.T @ dz, float(np.sum(dz)), w, alpha)


# ---------------------------------------------------------------------------
# Softmax regression.
# ---------------------------------------------------------------------------


def softmax_cross_entropy(W, b, X, Y, alpha=0.0, *, check_input=True):
    """Mean softmax cross-entropy ``(1/n) sum_i -sum_k Y_ik log softmax(Z_i)_k`` + L2.

    Parameters
    ----------
    W : array_like of shape (n_features, n_classes)
    b : array_like of shape (n_classes,)
    X : array_like of shape (n_samples, n_features)
    Y : array_like of shape (n_samples, n_classes)
        One-hot labels (see :func:`logreg.one_hot`), or any target
        distributions: non-negative rows that sum to 1.
    alpha : float >= 0, default 0

    Returns
    -------
    loss : float
    """
    if check_input:
        W, b, X, Y, alpha = _check_softmax(W, b, X, Y, alpha)
    Z = X @ W + b
    loss = -float(np.sum(Y * log_softmax(Z))) / X.shape[0]
    return loss + l2_penalty(W, alpha)[0]


def softmax_cross_entropy_and_grad(W, b, X, Y, alpha=0.0, *, check_input=True):
    """Mean softmax cross-entropy and its gradient ``X^T (P - Y) / n + alpha W``.

    Theorem ``thm-ce-gradient`` (book/softmax/cross_entropy.ipynb) proves
    ``dL/dZ = (P - Y) / n`` for ``P = softmax(Z)``; then ``dL/dW = X^T dL/dZ``
    and ``dL/db`` is its column sum.

    Returns
    -------
    loss : float
    grad_W : ndarray of shape (n_features, n_classes)
    grad_b : ndarray of shape (n_classes,)
    """
    if check_input:
        W, b, X, Y, alpha = _check_softmax(W, b, X, Y, alpha)
    n_samples = X.shape[0]
    # Beyond the two matrix products, every step works in place on the
    # (n_samples, n_classes) logits: the benchmark holds this to <= 15% overhead.
    Z = X @ W
    Z += b
    # One shift serves both the loss and the probabilities (shift-invariance).
    # A running maximum over the K columns is several times faster than
    # Z.max(axis=1), whose inner loop would be only K long.
    row_max = Z[:, 0].copy()
    for k in range(1, Z.shape[1]):
        np.maximum(row_max, Z[:, k], out=row_max)
    Z -= row_max[:, None]
    # -sum_k Y_k (Z_k - lse) = lse * sum_k Y_k - sum_k Y_k Z_k; rows of Y sum to 1.
    YZ = float(np.vdot(Y, Z))
    G = np.exp(Z, out=Z)
    S = G @ np.ones(G.shape[1], dtype=G.dtype)  # row sums, as a fast matrix-vector product
    loss = (float(np.sum(np.log(S))) - YZ) / n_samples
    G /= S[:, None]
    G -= Y  # P - Y
    grad_W = X.T @ G
    grad_W /= n_samples  # scaling the small (n_features, n_classes) result, not G
    grad_b = np.ones(n_samples, dtype=G.dtype) @ G / n_samples  # column sums
    return _with_penalty(loss, grad_W, grad_b, W, alpha)


# ---------------------------------------------------------------------------
# Helpers.
# ---------------------------------------------------------------------------


def _sigmoid(z):
    # Unvalidated twin of functions.sigmoid for the hot path (z is finite).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _with_penalty(loss, grad_W, grad_b, W, alpha):
    if alpha:
        penalty, dpenalty = l2_penalty(W, alpha)
        return loss + penalty, grad_W + dpenalty, grad_b
    return loss, grad_W, grad_b


def _check_alpha(alpha):
    if isinstance(alpha, bool) or not np.isscalar(alpha) or not np.isreal(alpha):
        raise TypeError(f"alpha must be a real number; received {alpha!r}")
    alpha = float(alpha)
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0; received {alpha}")
    return alpha


def _check_X(X):
    X = as_float_array(X, "X", ndim=2)
    if X.shape[0] == 0:
        raise ValueError(f"X has no samples (shape {X.shape}); expected at least one row")
    return X


def _check_binary(w, b, X, y, alpha, labels):
    X = _check_X(X)
    w = as_float_array(w, "w", ndim=1).astype(X.dtype, copy=False)
    if w.shape[0] != X.shape[1]:
        raise ValueError(
            f"w has {w.shape[0]} entries but X has {X.shape[1]} features; "
            "expected one weight per feature"
        )
    b = as_float_array(b, "b", ndim=0)
    y = as_float_array(y, "y", ndim=1).astype(X.dtype, copy=False)
    if y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y has {y.shape[0]} samples but X has {X.shape[0]}; expected the same number of rows"
        )
    bad = ~np.isin(y, labels)
    if bad.any():
        raise ValueError(
            f"y must hold labels in {{{labels[0]:g}, {labels[1]:g}}}; "
            f"received {y[bad][0]:g} at position {int(np.flatnonzero(bad)[0])}"
        )
    return w, float(b), X, y, _check_alpha(alpha)


def _check_softmax(W, b, X, Y, alpha):
    X = _check_X(X)
    W = as_float_array(W, "W", ndim=2).astype(X.dtype, copy=False)
    if W.shape[0] != X.shape[1]:
        raise ValueError(
            f"W has {W.shape[0]} rows but X has {X.shape[1]} features; "
            "expected W of shape (n_features, n_classes)"
        )
    n_classes = W.shape[1]
    b = as_float_array(b, "b", ndim=1).astype(X.dtype, copy=False)
    if b.shape[0] != n_classes:
        raise ValueError(
            f"b has {b.shape[0]} entries but W has {n_classes} columns; "
            "expected one intercept per class"
        )
    Y = as_float_array(Y, "Y", ndim=2).astype(X.dtype, copy=False)
    if Y.shape != (X.shape[0], n_classes):
        raise ValueError(
            f"Y has shape {Y.shape}; expected (n_samples, n_classes) = "
            f"({X.shape[0]}, {n_classes}); encode integer labels with one_hot"
        )
    if (Y < 0).any() or not np.allclose(Y.sum(axis=1), 1.0):
        raise ValueError(
            "Y must hold one-hot rows or distributions (non-negative, each row "
            "summing to 1); received rows that do not"
        )
    return W, b, X, Y, _check_alpha(alpha)


# ---------------------------------------------------------------------------
# Hessians (used by the Newton solver; thm-ce-hessian, book/softmax/cross_entropy.ipynb).
# ---------------------------------------------------------------------------


def logistic_loss_hessian(w, b, X, alpha=0.0, *, fit_intercept=True):
    """Hessian of the mean logistic loss + L2 in the parameters ``(w, b)``.

    The labels do not appear: with ``s = sigmoid(z)``, each sample contributes
    ``s (1 - s) x x^T``, whatever its label.

    Parameters
    ----------
    w : array_like of shape (n_features,)
    b : float
    X : array_like of shape (n_samples, n_features)
    alpha : float >= 0, default 0
    fit_intercept : bool, default True
        Whether ``b`` is a parameter (then the last row and column belong to it).

    Returns
    -------
    H : ndarray of shape (n_features + 1, n_features + 1), or
        (n_features, n_features) without intercept.
    """
    X = _check_X(X)
    w = as_float_array(w, "w", ndim=1)
    alpha = _check_alpha(alpha)
    return _logistic_hessian(X, _augment(X, fit_intercept), w, float(b), alpha)


def _logistic_hessian(X, Xa, w, b, alpha):
    """``X~^T diag(s (1 - s)) X~ / n`` plus ``alpha`` on the weights' diagonal."""
    s = _sigmoid(X @ w + b)
    H = Xa.T @ (Xa * (s * (1.0 - s))[:, None]) / X.shape[0]
    H[np.diag_indices(X.shape[1])] += alpha
    return H


def softmax_cross_entropy_hessian(W, b, X, alpha=0.0, *, fit_intercept=True):
    """Hessian of the mean softmax cross-entropy + L2.

    The parameters are ordered class by class: ``theta = (w_1, b_1, w_2, b_2,
    ..., w_K, b_K)``, that is, the rows of ``[coef_ | intercept_]`` flattened.
    Block ``(k, l)`` is ``(1/n) sum_i (p_ik [k == l] - p_ik p_il) x~_i x~_i^T``
    with ``x~_i = (x_i, 1)``, plus ``alpha`` on the diagonal entries of weights.
    In Kronecker form: ``(1/n) sum_i (diag(p_i) - p_i p_i^T) (x) x~_i x~_i^T``.

    It is positive semi-definite, and singular along every equal shift of all
    the class parameters (``thm-ce-hessian`` and ``thm-shift-invariance``).

    Parameters
    ----------
    W : array_like of shape (n_features, n_classes)
    b : array_like of shape (n_classes,)
    X : array_like of shape (n_samples, n_features)
    alpha : float >= 0, default 0
    fit_intercept : bool, default True

    Returns
    -------
    H : ndarray of shape (n_classes * D, n_classes * D) with
        ``D = n_features + 1`` (or ``n_features`` without intercept).
    """
    X = _check_X(X)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    return _softmax_hessian(
        _augment(X, fit_intercept), softmax(X @ W + b), _check_alpha(alpha), X.shape[1]
    )


def _augment(X, fit_intercept):
    """``X`` with a column of ones appended when the intercept is a parameter."""
    if not fit_intercept:
        return X
    return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])


def _softmax_hessian(Xa, P, alpha, n_features, dtype=np.float64):
    """The Hessian from the augmented inputs and the probabilities, in ``dtype``.

    Only the blocks of the first K - 1 classes are computed: by shift-invariance
    the data part of the Hessian maps every equal shift ``u (x) 1`` to zero, so
    each block row sums to zero and the last block row and column are minus the
    sums of the others. The cost is n_samples * ((K - 1) * D)^2 / 2
    multiply-adds, almost all in one symmetric matrix product; the Newton solver
    passes float32 to halve it again.
    """
    Xa = Xa.astype(dtype, copy=False)
    P = P.astype(dtype, copy=False)
    n_samples, D = Xa.shape
    K = P.shape[1]
    m = (K - 1) * D  # size of the computed top-left part
    # Second term: Q^T Q with Q_i = p_i (x) x~_i over the first K - 1 classes.
    Q = (P[:, : K - 1, None] * Xa[:, None, :]).reshape(n_samples, m)
    top = -(Q.T @ Q)
    # First term: block-diagonal X~^T diag(p_k) X~.
    for k in range(K - 1):
        block = slice(k * D, (k + 1) * D)
        top[block, block] += Xa.T @ (Xa * P[:, k : k + 1])
    # The last block column (and, by symmetry, row) from the zero block-row sums.
    last = -top.reshape(m, K - 1, D).sum(axis=1)
    H = np.empty((K * D, K * D), dtype=dtype)
    H[:m, :m] = top
    H[:m, m:] = last
    H[m:, :m] = last.T
    H[m:, m:] = -last.reshape(K - 1, D, D).sum(axis=0)
    H /= n_samples
    if alpha:
        weights = np.zeros((K, D), dtype=bool)
        weights[:, :n_features] = True
        H[np.diag_indices(K * D)] += alpha * weights.ravel()
    return H
