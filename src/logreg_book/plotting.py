"""The book's demos as ordinary plotting functions.

Each function draws into the matplotlib ``Axes`` it is given and returns a dict
of the artists it made, so that it can be tested headless (Agg backend) and
wired to controls by :mod:`logreg_book.widgets` or replayed as a kernel-free
animation by :mod:`logreg_book.player`. Nothing here changes matplotlib's
settings.
"""

import numpy as np

from logreg.functional import binary_cross_entropy
from logreg.functions import sigmoid, softmax
from logreg.models import (
    LogisticRegression,
)

from .figures import class_color
from .training import fit_fixed_steps

__all__ = [
    "data_artists",
    "remove_data_artists",
    "grid_for",
    "grid_probabilities",
    "plot_loss_landscape",
    "plot_shift_invariance",
    "plot_sigmoid_demo",
    "plot_softmax_temperature",
    "plot_softmax_vs_sigmoid",
    "plot_training_state",
    "shift_difference",
]


# ---------------------------------------------------------------------------
# 1. The sigmoid and the decision boundary
# ---------------------------------------------------------------------------


def plot_sigmoid_demo(ax, X, y, w, b):
    """Binary data, the model ``sigmoid(w.x + b)`` and its decision boundary.

    Parameters
    ----------
    ax : matplotlib Axes
    X : ndarray of shape (n_samples, 1) or (n_samples, 2)
    y : ndarray of shape (n_samples,), labels 0 and 1
    w : array_like of shape (n_features,)
    b : float

    Returns
    -------
    dict with "points", "curve" (1-D) or "contours" (2-D), "boundary" and
    "text"; and "log_likelihood", the mean log-likelihood of the labels.
    """
    X, w = np.asarray(X, float), np.atleast_1d(np.asarray(w, float))
    y = np.asarray(y)
    log_likelihood = -binary_cross_entropy(w, float(b), X, y)
    artists = {"log_likelihood": log_likelihood}
    if X.shape[1] == 1:
        x = X[:, 0]
        artists["points"] = ax.scatter(x, y, c=[class_color(k) for k in y], s=14, zorder=3)
        grid = np.linspace(x.min() - 1.0, x.max() + 1.0, 200)
        (artists["curve"],) = ax.plot(grid, sigmoid(w[0] * grid + b), "k-", lw=2)
        boundary = -b / w[0] if w[0] != 0 else np.nan
        artists["boundary"] = ax.axvline(boundary, color="k", ls="--", lw=1)
        ax.set_xlim(grid[0], grid[-1])
        ax.set_ylim(-0.08, 1.08)
        ax.set_xlabel("x")
        ax.set_ylabel("P(y = 1 | x)")
    else:
        artists["points"] = ax.scatter(X[:, 0], X[:, 1], c=[class_color(k) for k in y], s=14)
        xx, yy, grid = grid_for(X, 60)
        probs = sigmoid(grid @ w + b).reshape(xx.shape)
        artists["contours"] = ax.contourf(
            xx, yy, probs, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.3
        )
        xs = np.array([xx.min(), xx.max()])
        ys = -(b + w[0] * xs) / w[1] if w[1] != 0 else np.full(2, np.nan)
        (artists["boundary"],) = ax.plot(xs, ys, "k-", lw=2)
        ax.set_xlim(xx.min(), xx.max())
        ax.set_ylim(yy.min(), yy.max())
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    artists["text"] = ax.set_title(f"mean log-likelihood = {log_likelihood:.4f}")
    return artists


# ---------------------------------------------------------------------------
# 2. Softmax temperature
# ---------------------------------------------------------------------------


def plot_softmax_temperature(ax, logits, temperature):
    """Bar chart of ``softmax(logits / temperature)``.

    Returns
    -------
    dict with "bars", "probs" (the plotted values) and "text".
    """
    logits = np.asarray(logits, float)
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0; received {temperature!r}")
    probs = softmax(logits / temperature)
    classes = np.arange(1, len(logits) + 1)
    bars = ax.bar(classes, probs, color=[class_color(k) for k in range(len(logits))])
    ax.axhline(1 / len(logits), color="gray", ls=":", lw=1)
    ax.set_ylim(0, 1.05)
    ax.set_xticks(classes)
    ax.set_xlabel("class k")
    ax.set_ylabel("softmax(z / T)$_k$")
    text = ax.set_title(f"T = {temperature:.3g}: max probability {probs.max():.3f}")
    return {"bars": bars, "probs": probs, "text": text}


# ---------------------------------------------------------------------------
# 3. Shift-invariance
# ---------------------------------------------------------------------------


def shift_difference(W, b, u, grid):
    """Largest change in any probability on ``grid`` when every w_k is shifted by ``-u``."""
    W, u = np.asarray(W, float), np.asarray(u, float)
    return float(np.abs(softmax(grid @ (W - u).T + b) - softmax(grid @ W.T + b)).max())


def plot_shift_invariance(axes, X, y, W, b, u, reach=None):
    """Left: the weight vectors before (faint) and after subtracting ``u``.
    Right: the probability surface of the shifted model, and the largest change.

    Parameters
    ----------
    axes : pair of matplotlib Axes
    X : ndarray of shape (n_samples, 2)
    W : ndarray of shape (n_classes, 2)
        A row ``w_k`` per class (``coef_``).
    b : ndarray of shape (n_classes,)
    u : array_like of shape (2,)
    reach : float, optional
        Half-width of the weight panel; by default it fits the arrows.

    Returns
    -------
    dict with "arrows", "surface", "text" and "max_difference".
    """
    ax_w, ax_p = axes
    W, u = np.asarray(W, float), np.asarray(u, float)
    shifted = W - u
    colors = [class_color(k) for k in range(W.shape[0])]
    zeros = np.zeros(W.shape[0])
    arrows = [
        ax_w.quiver(
            zeros,
            zeros,
            W[:, 0],
            W[:, 1],
            color=colors,
            alpha=0.3,
            angles="xy",
            scale_units="xy",
            scale=1,
            width=0.012,
        ),
        ax_w.quiver(
            zeros,
            zeros,
            shifted[:, 0],
            shifted[:, 1],
            color=colors,
            angles="xy",
            scale_units="xy",
            scale=1,
            width=0.02,
        ),
    ]
    if reach is None:  # the widget fixes it, so that the axes stay put while u moves
        reach = max(np.abs(W).max(), np.abs(shifted).max(), 1.0) * 1.15
    ax_w.set_xlim(-reach, reach)
    ax_w.set_ylim(-reach, reach)
    ax_w.set_aspect("equal")
    ax_w.set_title("weights $w_k - u$ (faint: $w_k$)")
    xx, yy, grid = grid_for(X, 60)
    P = softmax(grid @ shifted.T + b)
    surface = ax_p.imshow(
        _class_image(P, xx.shape),
        origin="lower",
        aspect="auto",
        extent=(xx.min(), xx.max(), yy.min(), yy.max()),
    )
    ax_p.scatter(X[:, 0], X[:, 1], c=[class_color(k) for k in y], s=6)
    diff = shift_difference(W, b, u, grid)
    text = ax_p.set_title(f"probabilities; max |change| = {diff:.1e}")
    return {"arrows": arrows, "surface": surface, "text": text, "max_difference": diff}


# ---------------------------------------------------------------------------
# 4. Two-class softmax against the sigmoid
# ---------------------------------------------------------------------------


def plot_softmax_vs_sigmoid(ax, w1, w2, x_range=(-4.0, 4.0)):
    """``softmax(w1 x, w2 x)_1`` and ``sigmoid((w1 - w2) x)`` for scalar x.

    Returns
    -------
    dict with "softmax_curve", "sigmoid_curve", "text" and "max_difference".
    """
    x = np.linspace(*x_range, 200)
    p_softmax = softmax(np.column_stack([w1 * x, w2 * x]))[:, 0]
    p_sigmoid = sigmoid((w1 - w2) * x)
    (soft,) = ax.plot(x, p_softmax, color="tab:blue", lw=4, alpha=0.5)
    (sig,) = ax.plot(x, p_sigmoid, "k--", lw=1.5)
    diff = float(np.abs(p_softmax - p_sigmoid).max())
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("x")
    ax.set_ylabel("P(class 1 | x)")
    # No legend (it is slow to redraw): the title names the two curves.
    text = ax.set_title(
        f"thick: softmax, dashed: sigmoid of (w1 - w2)x = {w1 - w2:.2f}x", fontsize=10
    )
    return {"softmax_curve": soft, "sigmoid_curve": sig, "text": text, "max_difference": diff}


# ---------------------------------------------------------------------------
# 5. Training explorer
# ---------------------------------------------------------------------------


def plot_training_state(axes, X, y, history, iteration, grid_probs=None):
    """Decision regions and probability contours at ``iteration`` (1-based),
    and the loss curve with that iteration marked.

    ``grid_probs`` may hold precomputed probabilities on ``grid_for(X, 80)``
    for every iteration (shape (n_iter, 80 * 80, n_classes)); demos pass it so
    that scrubbing only draws.

    Returns
    -------
    dict with "regions", "contours", "loss_curve", "marker" and "text".
    """
    ax_r, ax_l = axes
    n_done = len(history["losses"])
    if n_done == 0:
        raise ValueError("history holds no iterations; training stopped before the first")
    i = int(np.clip(iteration, 1, n_done)) - 1
    xx, yy, grid = grid_for(X, 80)
    if grid_probs is None:
        P = softmax(grid @ history["coefs"][i].T + history["intercepts"][i])
    else:
        P = grid_probs[i]
    regions = ax_r.imshow(
        _class_image(P, xx.shape),
        origin="lower",
        aspect="auto",
        extent=(xx.min(), xx.max(), yy.min(), yy.max()),
    )
    contours = ax_r.contour(
        xx, yy, P.max(axis=1).reshape(xx.shape), levels=[0.5, 0.75, 0.9], colors="k", linewidths=0.6
    )
    ax_r.scatter(
        X[:, 0],
        X[:, 1],
        c=[class_color(k) for k in np.searchsorted(history["classes"], y)],
        s=8,
        edgecolors="k",
        linewidths=0.3,
    )
    ax_r.set_title(f"iteration {i + 1}")
    iters = np.arange(1, n_done + 1)
    (curve,) = ax_l.plot(iters, history["losses"], "k-")
    (marker,) = ax_l.plot([i + 1], [history["losses"][i]], "o", color="tab:red")
    ax_l.set_xlabel("iteration")
    ax_l.set_ylabel("objective")
    text = ax_l.set_title(f"objective {history['losses'][i]:.4f}")
    return {
        "regions": regions,
        "contours": contours,
        "loss_curve": curve,
        "marker": marker,
        "text": text,
    }


def grid_probabilities(X, history):
    """Probabilities on ``grid_for(X, 80)`` for every recorded iteration."""
    _, _, grid = grid_for(X, 80)
    return softmax(
        np.einsum("gd,tkd->tgk", grid, history["coefs"]) + history["intercepts"][:, None, :]
    )


# ---------------------------------------------------------------------------
# 6. Loss landscape
# ---------------------------------------------------------------------------


def plot_loss_landscape(ax, x, y, lr, n_iter=30, w_range=(-16.0, 16.0), b_range=(-8.0, 8.0)):
    """The mean logistic loss of 1-D data over (w, b), with the gradient-descent path.

    The path comes from ``LogisticRegression(solver="gd", alpha=0)``'s callback,
    starting at (0, 0).

    Returns
    -------
    dict with "contours", "path", "text", "path_points" (the visited (w, b)),
    "losses" (the objective at the start and after every step) and "status":
    "converging" (the objective falls at every step), "oscillating" (it rises
    at some step but ends lower than it started) or "overshooting" (it ends
    higher than it started: the steps jump back and forth across the valley).
    With ``alpha = 0`` the steps are bounded, so none of these blows up
    (prop-l2-blowup, book/training/softmax_from_scratch.ipynb); "diverging" is
    reported only if the trainer raised DivergenceError (non-finite values).
    """
    x = np.asarray(x, float).reshape(-1, 1)
    y = np.asarray(y)
    ws = np.linspace(*w_range, 60)
    bs = np.linspace(*b_range, 60)
    WW, BB = np.meshgrid(ws, bs)
    # mean loss at every grid point in one vectorized pass: logits (grid, n)
    Z = WW.reshape(-1, 1) * x[:, 0] + BB.reshape(-1, 1)
    loss = np.mean(np.logaddexp(0.0, Z) - y * Z, axis=1).reshape(WW.shape)
    # The landscape as an image (cheap to redraw) with a few contour lines.
    contours = ax.imshow(
        np.log(loss),
        origin="lower",
        aspect="auto",
        cmap="viridis",
        extent=(*w_range, *b_range),
        alpha=0.8,
    )
    ax.contour(
        WW,
        BB,
        loss,
        levels=np.geomspace(loss.min() + 1e-2, loss.max(), 6),
        colors="w",
        linewidths=0.6,
    )
    points, losses = [(0.0, 0.0)], [float(np.log(2.0))]  # the start (0, 0) has loss log 2

    def record(model):
        points.append((model.coef_[0, 0], model.intercept_[0]))
        losses.append(model.loss_history_[-1])

    model = LogisticRegression(
        solver="gd", lr=lr, alpha=0.0, max_iter=n_iter, tol=0.0, callback=record
    )
    diverged = fit_fixed_steps(model, x, y) is not None
    path_points = np.array(points)
    if diverged:
        status = "diverging"
    elif losses[-1] > losses[0]:
        status = "overshooting"
    elif np.any(np.diff(losses) > 1e-12):
        status = "oscillating"  # the objective went up at some step but ends lower
    else:
        status = "converging"
    shown = path_points[np.all(np.abs(path_points) < 100, axis=1)]
    (path,) = ax.plot(shown[:, 0], shown[:, 1], "o-", color="tab:red", ms=3, lw=1)
    ax.set_xlim(*w_range)
    ax.set_ylim(*b_range)
    ax.set_xlabel("weight w")
    ax.set_ylabel("intercept b")
    text = ax.set_title(f"lr = {lr:g}: {status}")
    return {
        "contours": contours,
        "path": path,
        "text": text,
        "path_points": path_points,
        "losses": np.array(losses),
        "status": status,
    }


# ---------------------------------------------------------------------------
# Helpers and the kernel-free animation
# ---------------------------------------------------------------------------


def grid_for(X, n=60, margin=0.5):
    """A regular n x n grid covering the 2-D data ``X`` with a margin.

    Returns
    -------
    xx, yy : ndarrays of shape (n, n)
    grid : ndarray of shape (n * n, 2)
    """
    X = np.asarray(X, float)
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def _class_image(P, shape):
    """RGB image: the colour of the most probable class, faded by its probability."""
    from matplotlib.colors import to_rgb

    colors = np.array([to_rgb(class_color(k)) for k in range(P.shape[1])])
    top = P.argmax(axis=1)
    strength = (P.max(axis=1) - 1 / P.shape[1]) / (1 - 1 / P.shape[1])  # 0 = uniform, 1 = certain
    rgb = 1 - (1 - colors[top]) * (0.15 + 0.6 * strength)[:, None]
    return rgb.reshape(*shape, 3)


def data_artists(ax):
    """The artists a plotting function adds to ``ax`` (axes, ticks and labels excluded)."""
    return [*ax.images, *ax.collections, *ax.patches, *ax.lines, *ax.texts]


def remove_data_artists(ax):
    """Remove what a plotting function drew but keep the axes and their cached
    ticks: several times faster than ``ax.clear()`` before a redraw."""
    for artist in data_artists(ax):
        artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.relim()  # forget the removed data, so autoscaling fits only the new drawing
