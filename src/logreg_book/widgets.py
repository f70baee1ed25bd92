"""Thin ipywidgets front ends for the demos in :mod:`logreg_book.plotting`.

Each function returns a :class:`DemoWidget`: controls above a figure. Moving a
control calls the demo's plotting function again and shows the new figure as a
PNG image, rendered with matplotlib's Agg canvas, so the widget works in any
Jupyter front end and never touches pyplot's global state. The widgets need a
running kernel; where none runs (the book's website), the same output shows a
kernel-free animation instead (:meth:`DemoWidget.with_animation`, :mod:`logreg_book.player`).

A panel is at most 5 in wide (360 CSS px): a phone's 342-px column shrinks its frames by at
most 5%, so their 10-pt text stays above 9 CSS px.
"""

from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from logreg import calibration
from logreg.datasets import load_iris_2d, make_blobs, make_moons
from logreg.functions import log_softmax

from . import figures, plotting, training
from .demo_widget import DemoWidget

__all__ = [
    "DemoWidget",
    "calibration_widget",
    "landscape_widget",
    "regions_widget",
    "shift_widget",
    "sigmoid_widget",
    "softmax_sigmoid_widget",
    "temperature_widget",
    "training_widget",
]


def _slider(description, value, lo, hi, step, log=False):
    cls = widgets.FloatLogSlider if log else widgets.FloatSlider
    kwargs = {"base": 10, "min": lo, "max": hi} if log else {"min": lo, "max": hi}
    return cls(
        value=value,
        step=step,
        description=description,
        continuous_update=True,
        style={"description_width": "initial"},
        **kwargs,
    )


# 1 -------------------------------------------------------------------------


def sigmoid_widget(X, y, w=1.0, b=0.0):
    """Weight and bias sliders for 1-D data, or two weights and a bias for 2-D data."""
    X = np.asarray(X, float)
    names = ["w"] if X.shape[1] == 1 else ["w1", "w2"]
    w0 = np.broadcast_to(np.asarray(w, float), (len(names),))
    controls = {n: _slider(n, float(v), -5, 5, 0.1) for n, v in zip(names, w0, strict=True)}
    controls["b"] = _slider("b", float(b), -5, 5, 0.1)

    def draw(axes, b, **weights):
        w_vec = np.array([weights[n] for n in names])
        info = plotting.plot_sigmoid_demo(axes[0], X, y, w_vec, b)
        info["readout"] = f"mean log-likelihood: <b>{info['log_likelihood']:.4f}</b>"
        return info

    return DemoWidget(controls, draw, figsize=(5, 3.2))


# 2 -------------------------------------------------------------------------


def temperature_widget(logits=(2.0, 1.0, 0.5, -1.0), temperature=1.0):
    """Editable logits (comma-separated) and a temperature slider on a log scale."""
    controls = {
        "logits": widgets.Text(value=", ".join(f"{v:g}" for v in logits), description="logits"),
        "temperature": _slider("temperature", temperature, -3, 2, 0.05, log=True),
    }

    def draw(axes, logits, temperature):
        try:
            values = [float(v) for v in logits.split(",") if v.strip()]
        except ValueError:
            values = []
        if len(values) < 2:
            axes[0].text(
                0.5,
                0.5,
                "enter at least two numbers, separated by commas",
                ha="center",
                va="center",
                transform=axes[0].transAxes,
            )
            return {
                "readout": f"expected at least two comma-separated numbers; received {logits!r}",
                "probs": None,
            }
        info = plotting.plot_softmax_temperature(axes[0], values, temperature)
        info["readout"] = "probabilities: " + ", ".join(f"{p:.3f}" for p in info["probs"])
        return info

    return DemoWidget(controls, draw, figsize=(5, 3))


# 3 -------------------------------------------------------------------------


def shift_widget(X, y, W, b):
    """Sliders for the shift u = (u1, u2) subtracted from every weight vector (every row of
    ``W``, of shape (n_classes, 2))."""
    X, W, b = np.asarray(X, float), np.asarray(W, float), np.asarray(b, float)
    controls = {"u1": _slider("u1", 0.0, -3, 3, 0.1), "u2": _slider("u2", 0.0, -3, 3, 0.1)}

    reach = (np.abs(W).max() + 3.0) * 1.1  # covers every slider position

    def draw(axes, u1, u2):
        info = plotting.plot_shift_invariance(axes, X, y, W, b, [u1, u2], reach=reach)
        info["readout"] = f"max |change in any probability| = <b>{info['max_difference']:.2e}</b>"
        return info

    return DemoWidget(controls, draw, figsize=(8, 3.6), ncols=2)


# 4 -------------------------------------------------------------------------


def softmax_sigmoid_widget(w1=1.5, w2=-0.5):
    """Sliders for the two class weights of a 1-D, two-class softmax model."""
    controls = {"w1": _slider("w1", w1, -4, 4, 0.1), "w2": _slider("w2", w2, -4, 4, 0.1)}

    def draw(axes, w1, w2):
        info = plotting.plot_softmax_vs_sigmoid(axes[0], w1, w2)
        info["readout"] = (
            f"w1 - w2 = <b>{w1 - w2:.2f}</b>; max |difference| = {info['max_difference']:.1e}"
        )
        return info

    return DemoWidget(controls, draw, figsize=(5, 3.2))


# 5 -------------------------------------------------------------------------

DATASETS = {
    "blobs, K=2": lambda: make_blobs(40, 2, spread=1.3),
    "blobs, K=3": lambda: make_blobs(40, 3, spread=1.3),
    "blobs, K=4": lambda: make_blobs(40, 4, spread=1.3),
    "blobs, K=5": lambda: make_blobs(40, 5, spread=1.3),
    "iris (petals)": load_iris_2d,
    "two moons": lambda: make_moons(200, noise=0.15),
}


# The controls each solver reads (SoftmaxRegression's docstring): newton takes its step from the
# Hessian, not from lr, and only sgd splits the data into batches.
SOLVER_USES = {"gd": {"lr"}, "sgd": {"lr", "batch_size"}, "newton": set()}
UNUSED_NOTE = {
    "gd": "batch is off: gd takes every sample at each step; only sgd uses mini-batches.",
    "sgd": "",
    "newton": "lr and batch are off: newton's step comes from the Hessian, on every sample.",
}
TRAINING_DEFAULTS = {"lr": 0.5, "batch_size": 16}


@lru_cache(maxsize=32)
def _training_run(dataset, solver, lr, batch_size, alpha, n_iter):
    # Cached per setting: scrubbing and revisiting a setting cost only a redraw.
    X, y = DATASETS[dataset]()
    history = training.record_training(
        X, y, solver=solver, lr=lr, batch_size=batch_size, alpha=alpha, n_iter=n_iter
    )
    probs = plotting.grid_probabilities(X, history) if len(history["losses"]) else None
    return X, y, history, probs


def training_widget(
    dataset="blobs, K=3", solver="gd", lr=0.5, batch_size=16, alpha=1e-3, n_iter=60
):
    """Data set, solver, learning rate, batch size, alpha and iterations; a scrubber
    replays the recorded training. A control the chosen solver does not read is disabled, and
    a note under the controls says why."""
    controls = {
        "dataset": widgets.Dropdown(options=list(DATASETS), value=dataset, description="data"),
        "solver": widgets.Dropdown(options=list(SOLVER_USES), value=solver, description="solver"),
        "lr": _slider("lr", lr, -3, 1.5, 0.1, log=True),
        "batch_size": widgets.IntSlider(value=batch_size, min=1, max=64, description="batch"),
        "alpha": _slider("alpha", alpha, -5, 0, 0.1, log=True),
        "n_iter": widgets.IntSlider(value=n_iter, min=1, max=200, description="iterations"),
        "iteration": widgets.IntSlider(value=n_iter, min=1, max=n_iter, description="iteration"),
    }
    note = widgets.HTML()
    rows = [
        [controls[k] for k in ("dataset", "solver", "n_iter")],
        [controls[k] for k in ("lr", "batch_size", "alpha")],
        [note],
        [controls["iteration"]],
    ]
    scrubber = controls["iteration"]
    last_run = {}

    def show_used(change=None):
        chosen = controls["solver"].value
        for name in TRAINING_DEFAULTS:
            controls[name].disabled = name not in SOLVER_USES[chosen]
        note.value = UNUSED_NOTE[chosen]

    controls["solver"].observe(show_used, names="value")
    show_used()

    def draw(axes, dataset, solver, lr, batch_size, alpha, n_iter, iteration):
        # A control the solver does not read leaves the run as it is: no retraining.
        used = SOLVER_USES[solver]
        lr = lr if "lr" in used else TRAINING_DEFAULTS["lr"]
        batch_size = batch_size if "batch_size" in used else TRAINING_DEFAULTS["batch_size"]
        key = (dataset, solver, round(lr, 6), batch_size, round(alpha, 8), n_iter)
        X, y, history, probs = _training_run(*key)
        n_done = len(history["losses"])
        if last_run.get("key") != key:  # new training run: the scrubber jumps to its end
            last_run["key"] = key
            scrubber.max = max(n_done, 1)
            scrubber.value = iteration = max(n_done, 1)
        if n_done == 0:
            return {"readout": history["error"] or "no iterations were run"}
        info = plotting.plot_training_state(axes, X, y, history, iteration, grid_probs=probs)
        status = history["error"] or f"final objective {history['losses'][-1]:.4f}"
        info["readout"] = f"{n_done} iterations recorded; {status}"
        info["history"] = history
        return info

    return DemoWidget(controls, draw, figsize=(9, 3.6), ncols=2, layout_controls=rows)


# 6 -------------------------------------------------------------------------


def landscape_widget(x, y, lr=0.5, n_iter=30):
    """A learning-rate slider over the logistic-loss landscape of 1-D data."""
    controls = {"lr": _slider("lr", lr, -1, 1.5, 0.05, log=True)}

    def draw(axes, lr):
        info = plotting.plot_loss_landscape(axes[0], x, y, lr, n_iter=n_iter)
        info["readout"] = f"learning rate {lr:.3g}: <b>{info['status']}</b>"
        return info

    return DemoWidget(controls, draw, figsize=(5, 4))


# 6 -------------------------------------------------------------------------


def regions_widget(W, b, X=None, y=None, lim=4.0):
    """The decision regions of a linear K-class model (``W`` of shape (n_classes, 2), a row per
    class), with sliders for the last class's weight vector (angle in degrees and length) and
    intercept."""
    W, b = np.array(W, float), np.array(b, float)
    last = W[-1]
    controls = {
        "angle": _slider("angle", float(np.degrees(np.arctan2(last[1], last[0]))), -180, 180, 5),
        "length": _slider("length", float(np.hypot(*last)), 0, 4, 0.1),
        "bias": _slider("bias", float(b[-1]), -4, 4, 0.1),
    }
    K = W.shape[0]

    def draw(axes, angle, length, bias):
        moved = W.copy()
        moved[-1] = length * np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
        intercepts = np.r_[b[:-1], bias]
        info = figures.plot_decision_regions(axes[0], moved, intercepts, X, y, lim=lim, n=160)
        wins, margin = (K - 1) in info["winners"], info["margins"][K - 1]
        info["readout"] = (
            f"class {K} {'wins somewhere' if wins else 'never wins'}: its best margin over the "
            f"other classes is <b>{margin + 0.0:.2f}</b>"  # + 0.0: no "-0.00"
        )
        return info

    return DemoWidget(controls, draw, figsize=(4.5, 4.5))


# 7 -------------------------------------------------------------------------


def calibration_widget(logits, y, temperature=1.0, n_bins=10):
    """A temperature slider (log scale, 0.1 to 10) over fixed logits: the reliability diagram
    of ``softmax(logits / T)`` with its ECE and log loss, and the accuracy, which no T changes
    (prop-temperature-scaling, book/practice/evaluation.ipynb)."""
    logits, y = np.asarray(logits, float), np.asarray(y)
    calibration.reliability_bins(calibration.temperature_scaled(logits, 1.0), y, n_bins)  # checks
    rows = np.arange(len(y))
    controls = {"temperature": _slider("temperature", temperature, -1, 1, 0.02, log=True)}

    def draw(axes, temperature):
        probs = calibration.temperature_scaled(logits, temperature)
        info = figures.plot_reliability(axes[0], probs, y, n_bins)
        info["log_loss"] = float(-np.mean(log_softmax(logits / temperature)[rows, y]))
        axes[0].set_title(f"T = {temperature:.2f}: ECE {info['ece']:.3f}")
        info["readout"] = (
            f"ECE <b>{info['ece']:.3f}</b>, log loss <b>{info['log_loss']:.3f}</b>, accuracy "
            f"{info['accuracy']:.1%} (the same at every T)"
        )
        return info

    return DemoWidget(controls, draw, figsize=(5, 4))
