"""logreg: the NumPy library behind the book *Logistic Regression: From Binary to Multi-Class*.

``logreg.functions`` holds the sigmoid/softmax family, ``logreg.objective`` the objective (loss,
gradient, Hessian-vector products, Hessian, preconditioner) that every solver minimizes,
``logreg.functional`` the book's losses, gradients and Hessians as functions of ``(W, b)``,
``logreg.solvers`` the solvers (one module each) and ``logreg.models`` the scikit-learn estimators
``LogisticRegression`` and ``SoftmaxRegression``. Importing the package has no side effects: it
does not touch matplotlib, warning filters or any random state. The estimators (and the warnings
and errors they raise) are loaded on first use, because they import scikit-learn, whose own import
adds a warning filter for its modules.
"""

from .functional import (
    binary_cross_entropy,
    binary_cross_entropy_and_grad,
    l2_penalty,
    logistic_loss,
    logistic_loss_and_grad,
    logistic_loss_hessian,
    softmax_cross_entropy,
    softmax_cross_entropy_and_grad,
    softmax_cross_entropy_hessian,
)
from .functions import log_sigmoid, log_softmax, logsumexp, one_hot, sigmoid, softmax

__version__ = "0.2.0"

_LAZY = {
    "ConvergenceWarning": "exceptions",
    "DivergenceError": "exceptions",
    "NotFittedError": "exceptions",
    "SeparationWarning": "exceptions",
    "check_separation": "separation",
    "LogisticRegression": "models",
    "SoftmaxRegression": "models",
    "LogisticRegressionCV": "path",
    "SoftmaxRegressionCV": "path",
    "regularization_path": "path",
}

__all__ = [
    *_LAZY,
    "binary_cross_entropy",
    "binary_cross_entropy_and_grad",
    "l2_penalty",
    "log_sigmoid",
    "log_softmax",
    "logistic_loss",
    "logistic_loss_and_grad",
    "logistic_loss_hessian",
    "logsumexp",
    "one_hot",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_and_grad",
    "softmax_cross_entropy_hessian",
]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'logreg' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
