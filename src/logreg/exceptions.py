"""The library's warnings and errors.

``ConvergenceWarning`` and ``NotFittedError`` are scikit-learn's own (subclassed or reused), so
that scikit-learn's tools filter and catch them as they do for its estimators.
"""

from sklearn.exceptions import ConvergenceWarning as _SkConvergenceWarning
from sklearn.exceptions import NotFittedError

__all__ = ["ConvergenceWarning", "DivergenceError", "NotFittedError", "SeparationWarning"]


class ConvergenceWarning(_SkConvergenceWarning):
    """The fit stopped before meeting ``tol``: at ``max_iter`` (``max_iter=0`` runs no
    iteration), or where rounding left no step that lowers the objective. The message says which,
    and what to change (for the solvers that scaling speeds up, to scale the data)."""


class SeparationWarning(ConvergenceWarning):
    """``alpha`` is 0 and the classes are (quasi-)completely separated: the loss has no
    minimizer, so the fitted weights are set by ``tol`` and ``max_iter`` (logreg.separation)."""


class DivergenceError(FloatingPointError):
    """The iterates grow without bound (``lr * alpha > 2``) or became non-finite."""
