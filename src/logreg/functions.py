"""The sigmoid and softmax families, computed so that they never overflow.

Chapter "The softmax function" (``book/softmax/softmax_function.ipynb``) derives
each of these and shows what goes wrong with the textbook formulas; the
sigmoid's properties are ``thm-sigmoid-facts`` (``book/logistic/sigmoid_function.ipynb``).
"""

import numpy as np

from ._validation import as_float_array, check_axis

__all__ = ["sigmoid", "log_sigmoid", "logsumexp", "softmax", "log_softmax", "one_hot"]


def sigmoid(t):
    """Logistic sigmoid ``1 / (1 + exp(-t))``, elementwise.

    Parameters
    ----------
    t : array_like of any shape
        Real inputs; +/-inf are allowed and give 1 and 0.

    Returns
    -------
    ndarray of the same shape as ``t``, values in [0, 1].

    Notes
    -----
    ``exp(-t)`` overflows for ``t < -709``. Writing the sigmoid as
    ``exp(t) / (1 + exp(t))`` for negative ``t`` and as ``1 / (1 + exp(-t))``
    for non-negative ``t`` only ever exponentiates a non-positive number.
    """
    t = as_float_array(t, "t", allow_neg_inf=True, allow_pos_inf=True)
    e = np.exp(-np.abs(t))  # in (0, 1]: never overflows
    return np.where(t >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_sigmoid(t):
    """``log(sigmoid(t))`` without forming ``sigmoid(t)``, elementwise.

    Equal to ``-log(1 + exp(-t))``; exact to rounding for very negative ``t``,
    where ``sigmoid(t)`` itself underflows to 0 and its log would be -inf.

    Parameters
    ----------
    t : array_like of any shape

    Returns
    -------
    ndarray of the same shape as ``t``, values <= 0.
    """
    t = as_float_array(t, "t", allow_neg_inf=True, allow_pos_inf=True)
    return -np.logaddexp(0.0, -t)


def logsumexp(Z, axis=-1, keepdims=False):
    """``log(sum(exp(Z), axis))`` computed from the shifted values ``Z - max(Z)``.

    Parameters
    ----------
    Z : array_like of shape (..., n_classes, ...)
        Logits. Entries of -inf are allowed (an impossible class); NaN and +inf
        are rejected.
    axis : int, default -1
        The class axis.
    keepdims : bool, default False

    Returns
    -------
    ndarray
        ``Z`` reduced along ``axis``. A slice whose entries are all -inf gives
        -inf (the log of zero).

    Notes
    -----
    ``lse(z) = m + log(sum(exp(z - m)))`` for any constant ``m``; with
    ``m = max(z)`` every exponent is <= 0 and the largest term is exactly 1,
    so the sum neither overflows nor underflows to 0.
    """
    Z = as_float_array(Z, "Z", allow_neg_inf=True)
    axis = check_axis(Z, axis, "Z")
    m = np.max(Z, axis=axis, keepdims=True)
    # An all -inf slice has no finite shift; any finite one gives exp(-inf) = 0.
    m = np.where(np.isneginf(m), 0.0, m)
    with np.errstate(over="ignore"):
        # Z - m can overflow only to -inf (entries ~1e308 apart), whose exp is 0.
        s = np.sum(np.exp(Z - m), axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        out = np.log(s) + m  # log(0) = -inf for an all -inf slice, as it should be
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(Z, axis=-1):
    """Softmax ``exp(z_k) / sum_j exp(z_j)`` along ``axis``.

    Parameters
    ----------
    Z : array_like of shape (..., n_classes, ...)
        Logits. -inf entries are allowed (probability exactly 0), but each
        slice needs at least one finite entry.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray of the same shape as ``Z``
        Non-negative, summing to 1 along ``axis``.

    Notes
    -----
    Subtracting the maximum of each slice before exponentiating leaves the
    result unchanged: this is the shift-invariance theorem applied to the
    logits (``thm-shift-invariance`` and ``cor-shift-max``,
    ``book/softmax/shift_invariance.ipynb``). It makes every exponent <= 0, so
    nothing overflows, and the largest term is 1, so the sum is >= 1.
    """
    Z = as_float_array(Z, "Z", allow_neg_inf=True)
    axis = check_axis(Z, axis, "Z")
    m = np.max(Z, axis=axis, keepdims=True)
    if np.isneginf(m).any():
        raise ValueError(
            "softmax is undefined for a slice whose logits are all -inf; "
            "expected at least one finite logit per slice"
        )
    with np.errstate(over="ignore"):
        E = np.exp(Z - m)
    return E / np.sum(E, axis=axis, keepdims=True)


def log_softmax(Z, axis=-1):
    """``log(softmax(Z))`` computed as ``Z - logsumexp(Z)``.

    Parameters
    ----------
    Z : array_like of shape (..., n_classes, ...)
        Logits, as for :func:`softmax`.
    axis : int, default -1

    Returns
    -------
    ndarray of the same shape as ``Z``, values <= 0.

    Notes
    -----
    ``log(softmax(Z))`` gives -inf as soon as a probability underflows
    (a logit gap beyond about 745); this form stays finite and exact.
    """
    Z = as_float_array(Z, "Z", allow_neg_inf=True)
    axis = check_axis(Z, axis, "Z")
    lse = logsumexp(Z, axis=axis, keepdims=True)
    if np.isneginf(lse).any():
        raise ValueError(
            "log_softmax is undefined for a slice whose logits are all -inf; "
            "expected at least one finite logit per slice"
        )
    with np.errstate(over="ignore"):
        return Z - lse


def one_hot(y, n_classes):
    """One-hot encode integer labels.

    Parameters
    ----------
    y : array_like of int, shape (n_samples,)
        Class indices in ``0, ..., n_classes - 1``.
    n_classes : int
        The number of classes K (at least 1).

    Returns
    -------
    Y : ndarray of shape (n_samples, n_classes), float64
        ``Y[i, k] = 1`` if ``y[i] == k`` and 0 otherwise; every row sums to 1.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)):
        raise TypeError(f"n_classes must be an int; received {type(n_classes).__name__}")
    if n_classes < 1:
        raise ValueError(f"n_classes must be at least 1; received {n_classes}")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of class indices; received shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.issubdtype(y.dtype, np.floating) or np.any(y != np.round(y)):
            raise TypeError(f"y must hold integer class indices; received dtype {y.dtype}")
    y = y.astype(np.int64)
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        raise ValueError(
            f"y must hold class indices in [0, {n_classes - 1}]; "
            f"received {y[bad][0]} at position {int(np.flatnonzero(bad)[0])}"
        )
    Y = np.zeros((y.size, n_classes))
    Y[np.arange(y.size), y] = 1.0
    return Y
