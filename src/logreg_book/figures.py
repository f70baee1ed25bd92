"""Figures of the library's mathematics: decision regions and reliability diagrams.

The computations live in :mod:`logreg.regions` and :mod:`logreg.calibration`; this module only
draws them into the matplotlib ``Axes`` it is given, and holds the class colours every demo uses.
"""

import numpy as np

from logreg import calibration, regions

__all__ = ["CLASS_COLORS", "class_color", "plot_decision_regions", "plot_reliability"]

CLASS_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple")


def class_color(k):
    """The colour of class ``k`` (the palette repeats after five classes)."""
    return CLASS_COLORS[int(k) % len(CLASS_COLORS)]


def plot_decision_regions(ax, W, b, X=None, y=None, lim=4.0, n=240, arrows=True):
    """The plane coloured by the predicted class, the pairwise tie lines, and the weights.

    Parameters
    ----------
    ax : matplotlib Axes
    W : ndarray of shape (n_classes, 2)
        A row ``w_k`` per class (``coef_``).
    b : ndarray of shape (n_classes,)
    X : ndarray of shape (n_samples, 2), optional
        Points to draw, coloured by ``y``.
    y : ndarray of shape (n_samples,), optional
    lim : float
        The view is the square ``[-lim, lim]^2``.
    n : int
        Grid points per side.
    arrows : bool
        Draw each weight vector ``w_k`` from the origin, in its class's colour.

    Returns
    -------
    dict with "predicted" (the grid's predicted classes, shape (n, n)), "margins" (each
    class's :func:`logreg.regions.region_margin`), "winners" (classes whose region has an
    interior, as in :func:`logreg.regions.winning_classes`) and "shown" (classes predicted
    somewhere in the view).
    """
    from matplotlib.colors import to_rgb

    W, b = np.asarray(W, float), np.asarray(b, float)
    twins = regions.duplicate_classes(W, b)  # also checks the shapes, with a clear message
    if W.shape[1] != 2:
        raise ValueError(f"expected 2 features to draw; received W with {W.shape[1]} columns")
    ticks = np.linspace(-lim, lim, n)
    xx, yy = np.meshgrid(ticks, ticks)
    predicted = np.argmax(np.column_stack([xx.ravel(), yy.ravel()]) @ W.T + b, axis=1).reshape(n, n)
    colors = np.array([to_rgb(class_color(k)) for k in range(W.shape[0])])
    ax.imshow(
        1 - 0.45 * (1 - colors[predicted]),
        origin="lower",
        extent=(-lim, lim, -lim, lim),
        interpolation="nearest",
    )
    for i in range(W.shape[0]):
        for j in range(i + 1, W.shape[0]):
            normal, offset = regions.pairwise_boundary(W, b, i, j)
            _line(ax, normal, offset, lim)
    if X is not None:
        ax.scatter(X[:, 0], X[:, 1], c=[class_color(c) for c in y], s=8, linewidths=0)
    if arrows:
        for k in range(W.shape[0]):
            ax.annotate(
                "",
                xy=W[k],
                xytext=(0, 0),
                arrowprops={"arrowstyle": "-|>", "color": class_color(k), "lw": 2},
            )
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    margins = [regions.region_margin(W, b, k) for k in range(W.shape[0])]
    winners = regions.winning_classes(W, b)
    title = f"classes that can win: {', '.join(str(k + 1) for k in winners)}"
    if twins:
        title += " (" + ", ".join(f"{k + 1} ties {j + 1}" for j, k in twins) + " everywhere)"
    ax.set_title(title)
    return {
        "predicted": predicted,
        "margins": margins,
        "winners": winners,
        "shown": sorted(int(k) for k in np.unique(predicted)),
    }


def _line(ax, normal, offset, lim):
    """Draw ``normal . x + offset = 0`` across the square view (nothing if normal is zero)."""
    if np.allclose(normal, 0):
        return
    t = np.linspace(-3 * lim, 3 * lim, 2)
    foot = -offset * normal / (normal @ normal)
    direction = np.array([-normal[1], normal[0]])
    points = foot + np.outer(t, direction / np.linalg.norm(direction))
    ax.plot(points[:, 0], points[:, 1], color="0.25", linestyle=":", linewidth=0.8)


def plot_reliability(ax, probs, y, n_bins=10, color="tab:blue", label=None):
    """Reliability diagram on ``ax``: one marker per non-empty bin at (confidence, accuracy),
    its area proportional to the bin's count, and the diagonal of perfect calibration.

    Returns
    -------
    dict with "ece", "counts", "accuracies", "confidences" and "accuracy" (of the argmax).
    """
    counts, accuracies, confidences = calibration.reliability_bins(probs, y, n_bins)
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
        "ece": calibration.expected_calibration_error(probs, y, n_bins),
        "counts": counts,
        "accuracies": accuracies,
        "confidences": confidences,
        "accuracy": accuracy,
    }
