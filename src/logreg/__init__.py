"""logreg: the NumPy library behind the book *Logistic Regression: From Binary to Multi-Class*.

``logreg.functions`` holds the sigmoid/softmax family, ``logreg.losses`` the
losses with their gradients and Hessians, ``logreg.models`` the trainers
``LogisticRegression`` and ``SoftmaxRegression``. Importing the package has no side effects: it does
not touch matplotlib, warning filters or any random state.
"""

from .functions import log_sigmoid, log_softmax, logsumexp, one_hot, sigmoid, softmax
from .losses import (
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
from .models import (
    ConvergenceWarning,
    DivergenceError,
    LogisticRegression,
    NotFittedError,
    SoftmaxRegression,
)

__version__ = "0.1.0"

__all__ = [
    "ConvergenceWarning",
    "DivergenceError",
    "LogisticRegression",
    "NotFittedError",
    "SoftmaxRegression",
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
