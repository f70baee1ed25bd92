"""Does the maximum-likelihood estimate exist? Complete and quasi-complete separation.

Explained in book/practice/separable_data.ipynb. Write ``x~_i = (x_i, 1)`` (the intercept as a
weight on a constant feature) and let a *direction* ``D`` have one row ``d_k`` per class. Along
``theta + t D`` the logit gap ``z_{y_i} - z_k`` of sample ``i`` against class ``k`` changes by
``t (d_{y_i} - d_k) . x~_i``. If some direction keeps every such gap from falling and raises at
least one, the loss falls strictly along it for ever and no finite parameters minimize it:

- **complete separation**: some ``D`` raises every gap (every sample is strictly on its own
  class's side of the hyperplanes ``D`` defines);
- **quasi-complete separation**: no ``D`` does, but one raises some gaps and lowers none (some
  samples lie on a separating boundary).

Otherwise the data *overlap* and, when ``[X 1]`` has full column rank, a minimizer exists
(Albert and Anderson, 1984, for two classes; the argument is the same for K). Both questions are
linear programs; for two classes they are the usual conditions on the margins ``s_i w . x~_i``
with ``w = d_1 - d_0``, since the softmax with two classes is the sigmoid of ``z_1 - z_0``.
"""

from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

__all__ = ["Separation", "check_separation"]

# The programs are solved on features scaled to [-1, 1] and a direction in the unit box, so a
# gap of this size is far above HiGHS's feasibility tolerance (1e-7) and far below any margin a
# real separation leaves.
_GAP = 1e-6


class Separation(NamedTuple):
    """The answer of :func:`check_separation`.

    Attributes
    ----------
    kind : {"complete", "quasi-complete", "overlap"}
    direction : ndarray of shape (n_classes, n_features + fit_intercept) or None
        A direction ``D`` (row ``k`` is ``d_k``, its intercept last) along which the loss falls
        for ever; None when the data overlap.
    """

    kind: str
    direction: np.ndarray | None


def check_separation(X, y, sample_weight=None, fit_intercept=True, candidate=None):
    """Whether the classes of ``(X, y)`` are completely, quasi-completely or not separated.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Labels, any values; two or more classes.
    sample_weight : ndarray of shape (n_samples,), optional
        Samples of weight 0 are left out: they do not enter the loss.
    fit_intercept : bool, default True
    candidate : ndarray of shape (n_classes, n_features + fit_intercept), optional
        Parameters to try first, for example a fitted model's (rows ``(w_k, b_k)``): if they put
        every sample strictly on its own class's side, the separation is complete and no linear
        program is solved. This is how the estimators call it, at no cost on separable data.

    Returns
    -------
    Separation

    Notes
    -----
    The first program has one row per sample and other class; on the 1,797 digits (10 classes,
    64 pixels) it takes about 2 s.
    """
    X = sparse.csr_matrix(X, dtype=np.float64) if sparse.issparse(X) else np.asarray(X, float)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(
            "expected X of shape (n_samples, n_features) and y of shape (n_samples,); "
            f"received X of shape {X.shape} and y of shape {y.shape}"
        )
    if sample_weight is not None:
        keep = np.asarray(sample_weight, float) > 0
        X, y = X[keep], y[keep]
    classes, y_index = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise ValueError(f"expected at least 2 classes with positive weight; received {classes!r}")
    features = sparse.csr_matrix(X)
    if fit_intercept:
        features = sparse.hstack([features, np.ones((X.shape[0], 1))], format="csr")
    rows = _gap_rows(features, y_index, len(classes))
    if candidate is not None:
        candidate = np.asarray(candidate, float)
        if candidate.shape != (len(classes), features.shape[1]):
            raise ValueError(
                f"candidate must have shape ({len(classes)}, {features.shape[1]}); "
                f"received {candidate.shape}"
            )
        if np.all(np.isfinite(candidate)) and (rows @ candidate.ravel()).min() > 0:
            return Separation("complete", candidate)

    # Rescaling a column by a positive number changes no sign, so no answer: scale to [-1, 1].
    scale = np.asarray(abs(features).max(axis=0).todense()).ravel()
    scale[scale == 0] = 1.0
    rows = rows @ sparse.diags(np.tile(1.0 / scale, len(classes)))
    n_vars = rows.shape[1]

    def unscaled(flat):
        return flat.reshape(len(classes), -1) / scale

    # Some direction that lowers no gap and raises one: maximize the sum of the gaps subject to
    # every gap >= 0, D in the unit box. Zero means the data overlap.
    lp = linprog(
        -np.asarray(rows.sum(axis=0)).ravel(),
        A_ub=-rows,
        b_ub=np.zeros(rows.shape[0]),
        bounds=[(-1, 1)] * n_vars,
        method="highs",
    )
    _solved(lp, "quasi-complete")
    gaps = rows @ lp.x
    if not (gaps.max() > _GAP and gaps.min() > -_GAP):
        return Separation("overlap", None)
    quasi = unscaled(lp.x)
    if gaps.min() > _GAP:
        return Separation("complete", quasi)
    # Is there one that raises every gap? Maximize t subject to every gap >= t.
    lp = linprog(
        np.r_[np.zeros(n_vars), -1.0],
        A_ub=sparse.hstack([-rows, np.ones((rows.shape[0], 1))], format="csr"),
        b_ub=np.zeros(rows.shape[0]),
        bounds=[(-1, 1)] * n_vars + [(None, 1)],
        method="highs",
    )
    _solved(lp, "complete")
    if -lp.fun > _GAP and (rows @ lp.x[:-1]).min() > 0:
        return Separation("complete", unscaled(lp.x[:-1]))
    return Separation("quasi-complete", quasi)


def _gap_rows(features, y_index, n_classes):
    """One row per (sample i, class k != y_i): the coefficients of (d_{y_i} - d_k) . x~_i in D,
    which is flattened class by class (the coefficient of d_k . x~_i in columns k p .. k p + p - 1).
    """
    samples = np.repeat(np.arange(len(y_index)), n_classes - 1)
    others = np.concatenate([np.delete(np.arange(n_classes), k) for k in y_index])
    block = features[samples].tocoo()
    p = features.shape[1]

    def placed(classes):  # rows e_k (x) x~_i for the class k of each row
        return sparse.csr_matrix(
            (block.data, (block.row, classes[block.row] * p + block.col)),
            shape=(len(samples), n_classes * p),
        )

    return placed(y_index[samples]) - placed(others)


def _solved(lp, which):
    if lp.status != 0:
        raise RuntimeError(f"the linear program for {which} separation failed: {lp.message}")
