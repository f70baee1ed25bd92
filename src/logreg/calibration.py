"""Calibration of predicted probabilities: reliability bins, the expected calibration error,
temperature scaling and the reliability diagram.

Explained in book/practice/evaluation.ipynb (def-ece, prop-temperature-scaling). The
confidence of a forecast is its largest probability, and a bin's accuracy is the fraction of
its samples whose most probable class is the true one (the top-label reliability diagram of
Guo et al., 2017).
"""

import numpy as np
from scipy.optimize import minimize_scalar

from .functions import log_softmax, softmax

__all__ = [
    "expected_calibration_error",
    "fit_temperature",
    "plot_reliability",
    "reliability_bins",
    "temperature_scaled",
]


def _check(scores, y, name):
    scores = np.asarray(scores, float)
    y = np.asarray(y)
    if scores.ndim != 2 or scores.shape[1] < 2:
        raise ValueError(
            f"{name} must have shape (n_samples, n_classes) with n_classes >= 2; "
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
    if int(n_bins) != n_bins or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1; received {n_bins!r}")
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == y).astype(float)
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    filled = counts > 0
    hits = np.bincount(bins, weights=correct, minlength=n_bins)[filled]
    sums = np.bincount(bins, weights=confidence, minlength=n_bins)[filled]
    return counts[filled], hits / counts[filled], sums / counts[filled]


def expected_calibration_error(probs, y, n_bins=10):
    """ECE = sum over bins of (n_b / n) |accuracy_b - confidence_b| (def-ece)."""
    return _ece(*reliability_bins(probs, y, n_bins))


def _ece(counts, accuracies, confidences):
    return float(np.sum(counts / counts.sum() * np.abs(accuracies - confidences)))


def fit_temperature(logits, y, log_beta_bounds=(-5.0, 5.0)):
    """The temperature T > 0 that minimizes the mean log loss of ``softmax(logits / T)``.

    The loss is convex in beta = 1/T (prop-temperature-scaling), so a bounded search over
    log beta finds its minimum; a minimum on the edge of the search raises, because it means
    that no temperature in the range fits (for example, every sample is classified correctly
    and the loss keeps falling as T -> 0).

    Parameters
    ----------
    logits : ndarray of shape (n_samples, n_classes)
        Validation logits of a fitted model (``decision_function``).
    y : ndarray of shape (n_samples,)
        True classes as column indices.
    log_beta_bounds : (float, float), default (-5, 5)

    Returns
    -------
    float
    """
    logits, y = _check(logits, y, "logits")
    rows = np.arange(len(y))

    def objective(log_beta):
        return -np.mean(log_softmax(np.exp(log_beta) * logits)[rows, y])

    lo, hi = log_beta_bounds
    result = minimize_scalar(objective, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
    if min(result.x - lo, hi - result.x) < 1e-3 * (hi - lo):
        raise ValueError(
            f"the log loss is least at the edge of the search, log(1/T) = {result.x:.3g} in "
            f"[{lo}, {hi}]; expected an interior minimum (is every sample classified correctly?)"
        )
    return float(np.exp(-result.x))


def plot_reliability(ax, probs, y, n_bins=10, color="tab:blue", label=None):
    """Reliability diagram on ``ax``: one marker per non-empty bin at (confidence, accuracy),
    its area proportional to the bin's count, and the diagonal of perfect calibration.

    Returns
    -------
    dict with "ece", "counts", "accuracies", "confidences" and "accuracy" (of the argmax).
    """
    counts, accuracies, confidences = reliability_bins(probs, y, n_bins)
    ax.plot([0, 1], [0, 1], "k--", linewidth=1)
    ax.scatter(
        confidences,
        accuracies,
        s=600 * counts / counts.sum() + 8,
        color=color,
        alpha=0.75,
        label=label,
    )
    ax.set_xlim(0, 1.03)
    ax.set_ylim(-0.03, 1.05)
    ax.set_xlabel("mean confidence in the bin")
    ax.set_ylabel("accuracy in the bin")
    accuracy = float(np.mean(np.asarray(probs).argmax(axis=1) == np.asarray(y)))
    return {
        "ece": _ece(counts, accuracies, confidences),
        "counts": counts,
        "accuracies": accuracies,
        "confidences": confidences,
        "accuracy": accuracy,
    }


def temperature_scaled(logits, temperature):
    """``softmax(logits / temperature)`` for a temperature > 0."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0; received {temperature!r}")
    return softmax(np.asarray(logits, float) / temperature)
