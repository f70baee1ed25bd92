"""Calibration of predicted probabilities: reliability bins, the expected calibration error,
and temperature scaling (the reliability diagram is drawn by logreg_book.figures).

Explained in book/practice/evaluation.ipynb (def-ece, prop-temperature-scaling). The
confidence of a forecast is its largest probability, and a bin's accuracy is the fraction of
its samples whose most probable class is the true one (the top-label reliability diagram of
Guo et al., 2017).
"""

import numbers

import numpy as np
from scipy.optimize import brentq

from .functions import softmax

__all__ = [
    "expected_calibration_error",
    "fit_temperature",
    "reliability_bins",
    "temperature_scaled",
]


def _check(scores, y, name):
    scores = np.asarray(scores, float)
    y = np.asarray(y)
    if scores.ndim != 2 or scores.shape[1] < 2 or scores.shape[0] < 1:
        raise ValueError(
            f"{name} must have shape (n_samples, n_classes) with n_samples >= 1 and "
            "n_classes >= 2; "
            f"received shape {scores.shape}"
        )
    if y.shape != (len(scores),):
        raise ValueError(
            f"y must have shape ({len(scores)},), one label per row of {name}; received {y.shape}"
        )
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= scores.shape[1]:
        raise ValueError(
            f"y must hold class indices 0 to {scores.shape[1] - 1} (columns of {name}); "
            f"received values from {y.min()!r} to {y.max()!r} of dtype {y.dtype}"
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{name} must be finite; received {np.sum(~np.isfinite(scores))} NaN/inf")
    return scores, y


def reliability_bins(probs, y, n_bins=10):
    """The non-empty bins of the top-label reliability diagram.

    Bin b (1-based) holds the samples whose confidence lies in ((b - 1)/M, b/M].

    Parameters
    ----------
    probs : ndarray of shape (n_samples, n_classes)
        Rows are probability vectors.
    y : ndarray of shape (n_samples,)
        True classes as column indices of ``probs``.
    n_bins : int >= 1, default 10

    Returns
    -------
    counts, accuracies, confidences : ndarrays of shape (n_filled_bins,)
    """
    probs, y = _check(probs, y, "probs")
    if np.abs(probs.sum(axis=1) - 1).max() > 1e-6 or probs.min() < 0:
        raise ValueError("probs must have rows of non-negative numbers summing to 1")
    if isinstance(n_bins, bool) or not isinstance(n_bins, numbers.Integral) or n_bins < 1:
        raise ValueError(
            f"n_bins must be an int >= 1; received {n_bins!r} of type {type(n_bins).__name__}"
        )
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == y).astype(float)
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    filled = counts > 0
    hits = np.bincount(bins, weights=correct, minlength=n_bins)[filled]
    sums = np.bincount(bins, weights=confidence, minlength=n_bins)[filled]
    return counts[filled], hits / counts[filled], sums / counts[filled]


def expected_calibration_error(probs, y, n_bins=10):
    """ECE = sum over bins of ``(n_b / n) |accuracy_b - confidence_b|`` (def-ece)."""
    return _ece(*reliability_bins(probs, y, n_bins))


def _ece(counts, accuracies, confidences):
    return float(np.sum(counts / counts.sum() * np.abs(accuracies - confidences)))


def fit_temperature(logits, y):
    """The temperature T > 0 that minimizes the mean log loss of ``softmax(logits / T)``.

    With beta = 1/T the loss f(beta) is convex, and its derivative
    ``f'(beta) = mean_i (E_{softmax(beta z_i)}[z_i] - z_{i, y_i})`` rises from
    ``f'(0) = mean_i (mean_k z_ik - z_{i, y_i})`` to ``f'(inf) = mean_i (max_k z_ik - z_{i, y_i})``
    (prop-temperature-scaling). A minimizer exists exactly when ``f'(0) < 0 < f'(inf)``: the true
    classes' logits lie above their rows' means on average, and at least one sample is
    misclassified. Both conditions are checked first, and an error names the one that fails;
    then the root of ``f'`` is found by bisection-safe Brent iterations. Working with ``f'``
    rather than ``f`` keeps the answer exact where the loss itself underflows to 0.

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
        Validation logits of a fitted model (``decision_function`` of a multi-class model).
        For a binary model with decision values ``z`` pass the columns ``(0, z)``, so that
        ``softmax((0, z) / T)`` is ``sigmoid(z / T)``. scikit-learn's
        ``CalibratedClassifierCV(method="temperature")`` uses ``(-z, z)`` instead, so its
        temperature for a binary model is twice this one; the calibrated probabilities agree.
    y : ndarray of shape (n_samples,)
        True classes as column indices.

    Returns
    -------
    float
    """
    logits, y = _check(logits, y, "logits")
    true = logits[np.arange(len(y)), y]

    def slope(beta):
        return float(np.mean(np.sum(softmax(beta * logits) * logits, axis=1) - true))

    if np.all(np.ptp(logits, axis=1) == 0):
        raise ValueError(
            "every row of logits has equal entries, so the log loss is log(n_classes) whatever "
            "T is; expected logits that differ within a row"
        )
    at_zero = float(np.mean(logits.mean(axis=1) - true))
    at_infinity = float(np.mean(logits.max(axis=1) - true))
    if at_infinity <= 0:
        raise ValueError(
            f"every one of the {len(y)} samples has its true class's logit as the largest, so "
            "the log loss keeps falling as T -> 0 and no temperature minimizes it; expected at "
            "least one misclassified sample (use a larger validation split, or keep T = 1)"
        )
    if at_zero >= 0:
        raise ValueError(
            "the true classes' logits are on average no larger than their rows' means "
            f"(mean difference {-at_zero:.3g}), so the log loss keeps falling as T -> infinity; "
            "expected a model that is better than uniform on these samples"
        )
    low, high = 1.0, 1.0
    while slope(low) >= 0:
        low /= 4
        if low < 1e-30:
            raise ValueError("the log loss is least at T > 1e30; expected a finite temperature")
    while slope(high) <= 0:
        high *= 4
        if high > 1e30:
            raise ValueError("the log loss is least at T < 1e-30; expected a positive temperature")
    return float(1.0 / brentq(slope, low, high, xtol=1e-300, rtol=1e-13))


def temperature_scaled(logits, temperature):
    """``softmax(logits / temperature)`` for a temperature > 0."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0; received {temperature!r}")
    return softmax(np.asarray(logits, float) / temperature)
