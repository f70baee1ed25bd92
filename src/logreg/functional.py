"""The book's functional API: losses of binary and softmax regression, their gradients and
Hessians, as functions of the weights ``W``, the intercepts ``b`` and the data.

Notation (the book's and scikit-learn's): ``X`` of shape (n_samples, n_features); weights ``w`` of
shape (n_features,) for the binary models and ``W`` of shape (n_classes, n_features) for softmax
regression, a row ``w_k^T`` per class (``coef_``); intercepts ``b`` (a float, or shape
(n_classes,)); logits ``z = X @ w + b`` or ``Z = X @ W.T + b``.

Every loss is a **mean** over samples plus the L2 term ``(alpha/2) * ||W||^2``, which never
penalizes the intercepts. Each function is a thin adapter over :class:`logreg.objective.Objective`,
which computes them all (from logits, with log-sum-exp). The ``*_and_grad`` functions return
``(loss, grad_W, grad_b)``; pass ``check_input=False`` only when the inputs were validated already.
"""

import numpy as np

from ._validation import as_float_array

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
    W : ndarray of shape (n_features,) or (n_classes, n_features)
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


# Theorem thm-loss-equivalence (book/logistic/logistic_loss.ipynb) proves that the logistic loss
# (labels y in {-1, +1}) and the binary cross-entropy (labels in {0, 1}) are the same function of
# (w, b) once the labels are matched, y_pm = 2 y01 - 1: both are one Binomial objective.


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
    if check_input:
        w, b, X, y, alpha = _check_binary(w, b, X, y, alpha, labels=(-1.0, 1.0))
    return _binary(X, y, alpha).loss(_theta(w, b))


def logistic_loss_and_grad(w, b, X, y, alpha=0.0, *, check_input=True):
    """Mean logistic loss (labels in {-1, +1}) and its gradient.

    With ``z_i = w.x_i + b``, ``d/dz_i ln(1 + exp(-y_i z_i)) = -y_i * sigmoid(-y_i z_i)``.

    Returns
    -------
    loss : float
    grad_w : ndarray of shape (n_features,), in X's dtype
    grad_b : float
    """
    if check_input:
        w, b, X, y, alpha = _check_binary(w, b, X, y, alpha, labels=(-1.0, 1.0))
    loss, grad = _binary(X, y, alpha).loss_grad(_theta(w, b))
    return loss, grad[:-1].astype(X.dtype), float(grad[-1])


def binary_cross_entropy(w, b, X, y, alpha=0.0, *, check_input=True):
    """Mean binary cross-entropy with labels in {0, 1}, from logits, + L2.

    ``(1/n) sum_i -[y_i log s(z_i) + (1 - y_i) log(1 - s(z_i))]`` with ``z_i = w.x_i + b`` and
    ``s`` the sigmoid.

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
    if check_input:
        w, b, X, y, alpha = _check_binary(w, b, X, y, alpha, labels=(0.0, 1.0))
    return logistic_loss(w, b, X, 2.0 * y - 1.0, alpha, check_input=False)


def binary_cross_entropy_and_grad(w, b, X, y, alpha=0.0, *, check_input=True):
    """Mean binary cross-entropy (labels in {0, 1}) and its gradient.

    The per-sample loss is ``ln(1 + e^z) - y z`` (never a log of a probability), whose
    derivative in ``z`` is ``s(z) - y`` (theorems ``thm-bce-mle`` and ``thm-bce-gradient``,
    book/logistic/logistic_loss.ipynb).

    Returns
    -------
    loss : float
    grad_w : ndarray of shape (n_features,), in X's dtype
    grad_b : float
    """
    if check_input:
        w, b, X, y, alpha = _check_binary(w, b, X, y, alpha, labels=(0.0, 1.0))
    return logistic_loss_and_grad(w, b, X, 2.0 * y - 1.0, alpha, check_input=False)


def softmax_cross_entropy(W, b, X, Y, alpha=0.0, *, check_input=True):
    """Mean softmax cross-entropy ``(1/n) sum_i -sum_k Y_ik log softmax(z_i)_k`` + L2.

    Parameters
    ----------
    W : array_like of shape (n_classes, n_features)
    b : array_like of shape (n_classes,)
    X : array_like of shape (n_samples, n_features)
    Y : array_like of shape (n_samples, n_classes)
        One-hot labels (see :func:`logreg.one_hot`), or any target distributions: non-negative
        rows that sum to 1.
    alpha : float >= 0, default 0

    Returns
    -------
    loss : float
    """
    if check_input:
        W, b, X, Y, alpha = _check_softmax(W, b, X, Y, alpha)
    return _softmax(X, Y, alpha).loss(_theta(W, b))


def softmax_cross_entropy_and_grad(W, b, X, Y, alpha=0.0, *, check_input=True):
    """Mean softmax cross-entropy and its gradient ``(P - Y)^T X / n + alpha W``.

    Theorem ``thm-ce-gradient`` (book/softmax/cross_entropy.ipynb) proves ``dL/dZ = (P - Y) / n``
    for ``P = softmax(Z)``; then ``dL/dW = (dL/dZ)^T X`` and ``dL/db`` is its column sum.

    Returns
    -------
    loss : float
    grad_W : ndarray of shape (n_classes, n_features), in X's dtype
    grad_b : ndarray of shape (n_classes,), in X's dtype
    """
    if check_input:
        W, b, X, Y, alpha = _check_softmax(W, b, X, Y, alpha)
    obj = _softmax(X, Y, alpha)
    loss, grad = obj.loss_grad(_theta(W, b))
    grad_W, grad_b = obj.split(grad.astype(X.dtype))
    return loss, grad_W, grad_b


def logistic_loss_hessian(w, b, X, alpha=0.0, *, fit_intercept=True):
    """Hessian of the mean logistic loss + L2 in the parameters ``(w, b)``.

    The labels do not appear: with ``s = sigmoid(z)``, each sample contributes ``s (1 - s) x~ x~^T``
    with ``x~ = (x, 1)``, whatever its label.

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
    H : ndarray of shape (n_features + 1, n_features + 1), or (n_features, n_features)
        without intercept; float64.
    """
    X = _check_X(X)
    w = as_float_array(w, "w", ndim=1)
    obj = _binary(X, np.ones(X.shape[0]), _check_alpha(alpha))
    H = obj.hessian(_theta(w, as_float_array(b, "b", ndim=0)))
    return H if fit_intercept else H[:-1, :-1]


def softmax_cross_entropy_hessian(W, b, X, alpha=0.0, *, fit_intercept=True):
    """Hessian of the mean softmax cross-entropy + L2.

    The parameters are ordered class by class, ``theta = (w_1, b_1, ..., w_K, b_K)``: the rows of
    ``[W | b]`` (``[coef_ | intercept_]``) flattened. In Kronecker form, with ``x~_i = (x_i, 1)``,
    ``H = (1/n) sum_i (diag(p_i) - p_i p_i^T) (x) x~_i x~_i^T``, plus ``alpha`` on the diagonal
    entries of weights (thm-ce-hessian). It is positive semi-definite, and singular along every
    equal shift of all the class parameters (thm-shift-invariance).

    Parameters
    ----------
    W : array_like of shape (n_classes, n_features)
    b : array_like of shape (n_classes,)
    X : array_like of shape (n_samples, n_features)
    alpha : float >= 0, default 0
    fit_intercept : bool, default True
        Whether ``b`` is a parameter; the probabilities use ``b`` either way.

    Returns
    -------
    H : ndarray of shape (n_classes * D, n_classes * D) with ``D = n_features + 1`` (or
        ``n_features`` without intercept); float64.
    """
    X = _check_X(X)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b", ndim=1)
    K, d = W.shape
    obj = _softmax(X, np.zeros(X.shape[0], dtype=np.intp), _check_alpha(alpha), K)
    H = obj.hessian(_theta(W, b))
    # theta's order is all of W, then b; the book's is class by class, the rows of [W | b].
    order = np.column_stack([np.arange(K * d).reshape(K, d), K * d + np.arange(K)])
    order = (order if fit_intercept else order[:, :d]).ravel()
    return H[np.ix_(order, order)]


# ---------------------------------------------------------------------------
# The objectives behind them, and the input checks.
# ---------------------------------------------------------------------------


def _theta(W, b):
    """The objective's flat float64 parameters: ``W`` row by row, then ``b``."""
    return np.concatenate([np.ravel(W), np.ravel(b)]).astype(np.float64)


def _binary(X, y_pm, alpha):
    # Imported here, not at the top: logreg.objective imports scipy.sparse, whose import adds
    # warning filters, and importing logreg must change nothing (tests/book/test_hygiene.py).
    from .objective import BinaryObjective

    return BinaryObjective(X, y_pm, alpha, True, np.full(X.shape[0], 1.0 / X.shape[0]))


def _softmax(X, Y, alpha, n_classes=None):
    """Softmax regression's mean objective; ``Y`` one-hot (n, K) or class indices (n,)."""
    from .objective import SoftmaxObjective

    n = X.shape[0]
    if Y.ndim == 2:
        Y, n_classes = Y.T, Y.shape[1]
    return SoftmaxObjective(X, Y, n_classes, alpha, True, np.full(n, 1.0 / n))


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
    if W.shape[1] != X.shape[1]:
        raise ValueError(
            f"W has {W.shape[1]} columns but X has {X.shape[1]} features; "
            "expected W of shape (n_classes, n_features), a row per class"
        )
    n_classes = W.shape[0]
    b = as_float_array(b, "b", ndim=1).astype(X.dtype, copy=False)
    if b.shape[0] != n_classes:
        raise ValueError(
            f"b has {b.shape[0]} entries but W has {n_classes} rows; "
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
