"""The geometry of a linear multi-class classifier: pairwise boundaries and decision regions.

The predicted class maximizes the logit ``z_k = w_k . x + b_k``. Classes ``i`` and ``j`` tie on the
hyperplane ``(w_i - w_j) . x + b_i - b_j = 0`` (thm-pairwise-boundary), and the region where class
``k`` wins is the intersection of the ``K - 1`` half-spaces on its side of those hyperplanes, a
convex polyhedron that may be empty (thm-regions-convex). Explained in
book/softmax/decision_geometry.ipynb.
"""

import numpy as np
from scipy.optimize import linprog

__all__ = [
    "duplicate_classes",
    "pairwise_boundary",
    "region_margin",
    "winning_classes",
]


def _check(W, b):
    W, b = np.asarray(W, float), np.asarray(b, float)
    if W.ndim != 2 or b.shape != (W.shape[0],):
        raise ValueError(
            f"expected W of shape (n_classes, n_features) and b of shape (n_classes,); "
            f"received W of shape {W.shape} and b of shape {b.shape}"
        )
    if W.shape[0] < 2:
        raise ValueError(f"expected at least 2 classes; received {W.shape[0]}")
    return W, b


def pairwise_boundary(W, b, i, j):
    """The hyperplane where classes ``i`` and ``j`` have equal logits.

    Parameters
    ----------
    W : ndarray of shape (n_classes, n_features)
        A row ``w_k`` per class (``coef_``).
    b : ndarray of shape (n_classes,)
    i, j : int
        Two different classes.

    Returns
    -------
    normal : ndarray of shape (n_features,)
        ``w_i - w_j``; class ``i`` has the larger logit where ``normal . x + offset > 0``.
    offset : float
        ``b_i - b_j``.
    """
    W, b = _check(W, b)
    if i == j:
        raise ValueError(f"expected two different classes; received i = j = {i}")
    return W[i] - W[j], float(b[i] - b[j])


def region_margin(W, b, k):
    """How far class ``k`` can win: the largest ``t`` (capped at ``s``, the largest absolute
    entry of ``W`` and ``b``) such that some ``x`` has ``z_k(x) - z_j(x) >= t`` for every class
    ``j`` whose logit differs from class ``k``'s.

    A positive value means that class ``k`` attains the largest logit on a region with interior;
    0 that it can at best tie (its region is contained in a boundary); a negative value that
    some other class always beats it. A class with exactly the same weights and intercept as
    ``k`` ties with it everywhere and shares its region, so it is left out of the comparison.
    Solved as a linear program (scipy's HiGHS) on ``W / s`` and ``b / s``, which has the same
    regions, so that the answer does not depend on the units of the logits.

    Parameters
    ----------
    W : ndarray of shape (n_classes, n_features)
        A row ``w_k`` per class (``coef_``).
    b : ndarray of shape (n_classes,)
    k : int

    Returns
    -------
    float
    """
    W, b = _check(W, b)
    n_classes, d = W.shape
    scale = _scale(W, b)
    if scale == 0:
        return 0.0  # every logit is 0 everywhere: every class ties with every other
    W, b = W / scale, b / scale
    others = [j for j in range(n_classes) if j != k and not _same(W, b, j, k)]
    if not others:
        return scale  # every class has class k's logits: its region is the whole space
    # variables (x, t); maximize t subject to (w_j - w_k) . x + t <= b_k - b_j for j != k
    A = np.column_stack([W[others] - W[k], np.ones(len(others))])
    rhs = b[k] - b[others]
    bounds = [(None, None)] * d + [(None, 1.0)]
    result = linprog(np.r_[np.zeros(d), -1.0], A_ub=A, b_ub=rhs, bounds=bounds, method="highs")
    if result.status != 0:
        raise RuntimeError(f"the linear program for class {k} failed: {result.message}")
    return float(result.x[-1]) * scale


def winning_classes(W, b, tol=1e-9):
    """The classes whose decision region has an interior: ``region_margin > tol * s``, with
    ``s`` the largest absolute entry of ``W`` and ``b`` (a tolerance relative to the logits'
    scale). Classes with identical weights and intercepts are listed together."""
    W, b = _check(W, b)
    threshold = tol * _scale(W, b)
    return [k for k in range(W.shape[0]) if region_margin(W, b, k) > threshold]


def duplicate_classes(W, b):
    """Pairs ``(j, k)``, ``j < k``, of classes with the same weights and intercept: they tie
    everywhere, and ``argmax`` (``predict``) always reports ``j``."""
    W, b = _check(W, b)
    n_classes = W.shape[0]
    return [(j, k) for j in range(n_classes) for k in range(j + 1, n_classes) if _same(W, b, j, k)]


def _scale(W, b):
    return float(max(np.abs(W).max(), np.abs(b).max()))


def _same(W, b, j, k):
    return bool(np.array_equal(W[j], W[k]) and b[j] == b[k])
