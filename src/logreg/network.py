"""A two-layer network: softmax regression on learned features.

Chapter "Toward deep learning" (``book/training/learning_features.ipynb``)
derives the backward pass below by hand; ``tests/library/test_network.py`` checks it
against finite differences.

Notation: each layer's weights hold a row per output, as ``coef_`` does:
``H = tanh(X @ W1.T + b1)`` (the hidden representation, one row per sample),
``Z = H @ W2.T + b2`` (the logits), ``P = softmax(Z)``. The objective is the mean
cross-entropy plus ``(alpha/2) * (||W1||^2 + ||W2||^2)``.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .exceptions import DivergenceError
from .functional import softmax_cross_entropy_and_grad
from .functions import softmax

__all__ = ["TwoLayerClassifier", "network_loss_and_grad"]


def network_loss_and_grad(params, X, Y, alpha=0.0):
    """Objective and gradient of the two-layer network.

    Parameters
    ----------
    params : dict with "W1" (n_hidden, n_features), "b1" (n_hidden,),
        "W2" (n_classes, n_hidden), "b2" (n_classes,)
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_classes), one-hot
    alpha : float >= 0

    Returns
    -------
    loss : float
    grads : dict with the same keys and shapes as ``params``
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    H = np.tanh(X @ W1.T + b1)
    # The output layer is softmax regression on H: reuse its loss and gradient.
    loss, gW2, gb2 = softmax_cross_entropy_and_grad(W2, b2, H, Y, alpha, check_input=False)
    # Backward pass. dL/dZ = (P - Y)/n, so dL/dH = dL/dZ @ W2; tanh' = 1 - tanh^2.
    G_Z = (softmax(H @ W2.T + b2) - Y) / X.shape[0]
    G_pre = (G_Z @ W2) * (1.0 - H**2)
    gW1 = G_pre.T @ X + alpha * W1
    gb1 = G_pre.sum(axis=0)
    loss += 0.5 * alpha * float(np.vdot(W1, W1))
    return loss, {"W1": gW1, "b1": gb1, "W2": gW2, "b2": gb2}


class TwoLayerClassifier(ClassifierMixin, BaseEstimator):
    """One hidden tanh layer followed by softmax regression, trained by gradient descent.

    Parameters
    ----------
    n_hidden : int >= 1, default 8
    lr : float > 0, default 0.5
    max_iter : int >= 1, default 2000
        Full-batch gradient-descent steps.
    alpha : float >= 0, default 1e-4
    random_state : None or int
        Seeds the initial weights (scaled normal, so that tanh starts in its
        linear range).

    Attributes
    ----------
    classes_, params_ (dict of W1, b1, W2, b2), loss_history_, n_iter_, n_features_in_
    """

    def __init__(self, *, n_hidden=8, lr=0.5, max_iter=2000, alpha=1e-4, random_state=None):
        self.n_hidden = n_hidden
        self.lr = lr
        self.max_iter = max_iter
        self.alpha = alpha
        self.random_state = random_state

    def fit(self, X, y):
        """Train by full-batch gradient descent; returns ``self``."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"TwoLayerClassifier needs at least 2 classes; received {len(classes)} class"
                f" ({classes[0]!r})"
            )
        lr, alpha = _real(self.lr, "lr"), _real(self.alpha, "alpha")
        if not lr > 0:
            raise ValueError(f"lr must be a finite number > 0; received {self.lr!r}")
        if alpha < 0:
            raise ValueError(f"alpha must be a finite number >= 0; received {self.alpha!r}")
        for name in ("n_hidden", "max_iter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be an int >= 1; received {value!r}")
        rng = np.random.default_rng(self.random_state)
        n_features, K = X.shape[1], len(classes)
        # Drawn column by column (then transposed), so that a seed gives the same network as
        # when the weights were stored with a column per output.
        W1 = rng.normal(scale=1.0 / np.sqrt(n_features), size=(n_features, self.n_hidden))
        W2 = rng.normal(scale=1.0 / np.sqrt(self.n_hidden), size=(self.n_hidden, K))
        params = {
            "W1": W1.T.copy(),
            "b1": np.zeros(self.n_hidden),
            "W2": W2.T.copy(),
            "b2": np.zeros(K),
        }
        Y = np.zeros((X.shape[0], K))
        Y[np.arange(X.shape[0]), y_index] = 1.0
        self.loss_history_ = []
        for _ in range(self.max_iter):
            loss, grads = network_loss_and_grad(params, X, Y, alpha)
            if not np.isfinite(loss):
                raise DivergenceError(
                    f"the objective became non-finite; the learning rate lr={lr:g} "
                    "is likely too large"
                )
            self.loss_history_.append(loss)
            for key in params:
                params[key] = params[key] - lr * grads[key]
        self.classes_ = classes
        self.params_ = params
        self.n_iter_ = self.max_iter
        return self

    def hidden(self, X):
        """The learned representation ``tanh(X @ W1.T + b1)``: shape (n_samples, n_hidden)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.tanh(X @ self.params_["W1"].T + self.params_["b1"])

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        H = self.hidden(X)
        return softmax(H @ self.params_["W2"].T + self.params_["b2"])

    def predict(self, X):
        """Predicted labels, taken from ``classes_``."""
        probs = self.predict_proba(X)
        return self.classes_[np.argmax(probs, axis=1)]


def _real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number; received {value!r}")
    return float(value)
