"""The library's warnings and errors.

``ConvergenceWarning`` and ``NotFittedError`` are scikit-learn's own (subclassed or reused), so
that scikit-learn's tools filter and catch them as they do for its estimators.
"""

from sklearn.exceptions import ConvergenceWarning as _SkConvergenceWarning
from sklearn.exceptions import NotFittedError

__all__ = ["ConvergenceWarning", "DivergenceError", "NotFittedError", "SeparationWarning"]


class ConvergenceWarning(_SkConvergenceWarning):
    """The solver stopped at ``max_iter`` before meeting ``tol``."""


class SeparationWarning(ConvergenceWarning):
    """``alpha`` is 0 and the classes are (quasi-)completely separated: the loss has no
    minimizer, so the fitted weights are set by ``tol`` and ``max_iter`` (logreg.separation)."""


class DivergenceError(FloatingPointError):
    """The iterates grow without bound (``lr * alpha > 2``) or became non-finite."""
