"""Training runs for the demos: a fixed budget of steps, recorded step by step.

A demo replays the library's own training loop (the estimator's ``callback``), not a copy of it;
:mod:`logreg_book.plotting` draws what is recorded here and :mod:`logreg_book.widgets` wires it to
controls.
"""

import warnings

import numpy as np

from logreg.models import ConvergenceWarning, DivergenceError, SoftmaxRegression

__all__ = ["fit_fixed_steps", "record_training"]


def fit_fixed_steps(model, X, y):
    """Fit for exactly ``max_iter`` steps (a demo replays a fixed budget, so not
    converging is expected); return the DivergenceError message, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            model.fit(X, y)
        except DivergenceError as exc:
            return str(exc)
    return None


def record_training(
    X, y, *, solver="gd", lr=0.5, batch_size=16, alpha=1e-3, n_iter=50, random_state=0
):
    """Train a SoftmaxRegression and record its state after every iteration.

    The recording uses the trainer's ``callback``, so the demo replays the
    library's own training loop rather than a copy of it.

    Returns
    -------
    dict with "coefs" (n_iter, n_classes, 2), "intercepts", "losses", "classes"
    and "error" (a message if training diverged, else None).
    """
    coefs, intercepts, losses = [], [], []

    def record(model):
        coefs.append(model.coef_.copy())
        intercepts.append(model.intercept_.copy())
        losses.append(model.loss_history_[-1])

    model = SoftmaxRegression(
        solver=solver,
        lr=lr,
        batch_size=batch_size,
        alpha=alpha,
        max_iter=n_iter,
        tol=0.0,
        random_state=random_state,
        callback=record,
    )
    error = fit_fixed_steps(model, X, y)
    return {
        "coefs": np.array(coefs),
        "intercepts": np.array(intercepts),
        "losses": np.array(losses),
        "classes": np.unique(y),
        "error": error,
    }
