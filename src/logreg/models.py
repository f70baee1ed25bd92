"""Binary and softmax regression trainers with three solvers.

Both estimators follow scikit-learn's contract: the constructor only stores
its keyword arguments, ``fit`` validates and learns, learned attributes end in
``_``, and ``predict_proba`` columns follow ``classes_``.

The objective is, exactly,

    (1/n_samples) * sum_i loss_i  +  (alpha/2) * ||W||_F^2

with intercepts never penalized, so ``alpha`` is scikit-learn's
``1 / (C * n_samples)``. The training chapters explain the solvers; the proof
chapters explain the gradient and Hessian they use.
"""

import numbers
import warnings

import numpy as np

from ._validation import as_float_array
from .functions import log_sigmoid, log_softmax, sigmoid, softmax
from .losses import (
    _augment,
    _logistic_hessian,
    _softmax_hessian,
    logistic_loss_and_grad,
    softmax_cross_entropy_and_grad,
)

__all__ = [
    "ConvergenceWarning",
    "DivergenceError",
    "LogisticRegression",
    "NotFittedError",
    "SoftmaxRegression",
]

SOLVERS = ("gd", "sgd", "newton")


class ConvergenceWarning(UserWarning):
    """The solver stopped at ``max_iter`` before meeting ``tol``."""


class DivergenceError(FloatingPointError):
    """The iterates grow without bound (``lr * alpha > 2``) or became non-finite."""


class NotFittedError(ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit``."""


# ---------------------------------------------------------------------------
# The objective of one fit, on a flat parameter vector ``theta``.
# ---------------------------------------------------------------------------


class _BinaryObjective:
    """Mean logistic loss (labels +/-1) + L2; theta = (w, b) or (w,)."""

    def __init__(self, X, y_pm, alpha, fit_intercept):
        self.X, self.y, self.alpha, self.fit_intercept = X, y_pm, alpha, fit_intercept
        self.Xa = _augment(X, fit_intercept)
        self.n_features = X.shape[1]
        self.size = self.n_features + int(fit_intercept)
        # |sigmoid - label| <= 1, so a mean of x_i times it has norm <= max_i |x_i|.
        self.grad_bound = float(np.sqrt(np.max(np.einsum("ij,ij->i", X, X))))

    def weight_norm(self, theta):
        return float(np.linalg.norm(theta[: self.n_features]))

    def split(self, theta):
        b = theta[-1] if self.fit_intercept else 0.0
        return theta[: self.n_features], b

    def loss_grad(self, theta, rows=slice(None)):
        w, b = self.split(theta)
        loss, gw, gb = logistic_loss_and_grad(
            w, b, self.X[rows], self.y[rows], self.alpha, check_input=False
        )
        return loss, np.append(gw, gb) if self.fit_intercept else gw

    def hessian(self, theta):
        # IRLS: for the canonical (logit) link, Newton's Hessian equals the
        # expected Hessian of Fisher scoring, because it does not depend on y
        # (book/logistic/logistic_loss.ipynb, "Why Newton's method is IRLS here").
        w, b = self.split(theta)
        return _logistic_hessian(self.X, self.Xa, w, b, self.alpha)

    def null_space(self):
        return None  # the binary model has a single weight vector: no shift symmetry


class _SoftmaxObjective:
    """Mean softmax cross-entropy + L2; theta = rows of [coef_ | intercept_]."""

    def __init__(self, X, Y, alpha, fit_intercept):
        self.X, self.Y, self.alpha, self.fit_intercept = X, Y, alpha, fit_intercept
        self.n_features = X.shape[1]
        self.n_classes = Y.shape[1]
        self.D = self.n_features + int(fit_intercept)
        self.size = self.n_classes * self.D
        self.Xa32 = _augment(X, fit_intercept).astype(np.float32)
        # |p_i - y_i| <= sqrt(2) for two distributions, so |X^T (P - Y) / n| <= sqrt(2) max_i |x_i|.
        self.grad_bound = float(np.sqrt(2.0 * np.max(np.einsum("ij,ij->i", X, X))))

    def weight_norm(self, theta):
        return float(np.linalg.norm(theta.reshape(self.n_classes, self.D)[:, : self.n_features]))

    def split(self, theta):
        T = theta.reshape(self.n_classes, self.D)
        b = T[:, -1] if self.fit_intercept else np.zeros(self.n_classes)
        return T[:, : self.n_features].T, b  # W of shape (n_features, n_classes)

    def loss_grad(self, theta, rows=slice(None)):
        W, b = self.split(theta)
        loss, gW, gb = softmax_cross_entropy_and_grad(
            W, b, self.X[rows], self.Y[rows], self.alpha, check_input=False
        )
        G = np.hstack([gW.T, gb[:, None]]) if self.fit_intercept else gW.T
        return loss, G.ravel()

    def hessian(self, theta):
        # Mixed precision: the Hessian, whose cost dominates a Newton step, is
        # formed in float32; the gradient stays float64. An inexact Hessian
        # only perturbs the step (the line search still guarantees descent);
        # where the iteration converges is decided by the float64 gradient.
        W, b = self.split(theta)
        P = softmax(self.X @ W + b)
        return _softmax_hessian(self.Xa32, P, self.alpha, self.n_features, dtype=np.float32)

    def null_space(self):
        """Orthonormal basis of the directions along which the objective is flat.

        Shift-invariance (thm-shift-invariance, book/softmax/shift_invariance.ipynb):
        adding the same vector to every class's parameters leaves every
        probability unchanged. The L2
        term breaks this for the weights when alpha > 0, but never for the
        unpenalized intercepts.
        """
        K, D = self.n_classes, self.D
        shifted = range(D) if self.alpha == 0 else ([D - 1] if self.fit_intercept else [])
        basis = []
        for j in shifted:
            v = np.zeros((K, D))
            v[:, j] = 1.0 / np.sqrt(K)
            basis.append(v.ravel())
        return np.array(basis).T if basis else None


# ---------------------------------------------------------------------------
# Solvers. Each calls ``step_done(theta, loss)`` after every iteration; a True
# return stops training early. They return (theta, n_iter, converged).
# ---------------------------------------------------------------------------


def _check_progress(obj, theta, loss, lr):
    """Raise DivergenceError when the iterates provably grow without bound.

    The data term's gradient is bounded (``obj.grad_bound``), so a step of size
    ``lr`` moves the weights by a bounded amount and, on its own, can never
    make them explode. The L2 term multiplies the weights by ``1 - lr * alpha``
    at every step: when ``lr * alpha > 2`` that factor exceeds 1 in absolute
    value, and once the weights' norm passes ``lr * G / (lr * alpha - 2)`` it
    grows geometrically for ever (prop-l2-blowup,
    book/training/softmax_from_scratch.ipynb). That is the only blow-up there is.
    """
    if not np.isfinite(loss) or not np.all(np.isfinite(theta)):
        raise DivergenceError(
            f"the objective became non-finite ({loss}) with lr={lr:g}; "
            "try a smaller lr, or standardize the features"
        )
    shrink = lr * obj.alpha
    if shrink > 2:
        radius = lr * obj.grad_bound / (shrink - 2)
        norm = obj.weight_norm(theta)
        if norm > radius:
            raise DivergenceError(
                f"training diverged: lr * alpha = {lr:g} * {obj.alpha:g} = {shrink:.3g} > 2, so "
                f"every step multiplies the weights by 1 - lr * alpha = {1 - shrink:.3g}; their "
                f"norm {norm:.3g} has passed {radius:.3g}, beyond which it grows without bound. "
                f"Use lr < 2 / alpha = {2 / obj.alpha:.3g}"
            )


def _gd(obj, theta, lr, max_iter, tol, step_done, **_):
    _, grad = obj.loss_grad(theta)
    if np.max(np.abs(grad)) <= tol:
        return theta, 0, True
    for it in range(1, max_iter + 1):
        theta = theta - lr * grad
        loss, grad = obj.loss_grad(theta)
        _check_progress(obj, theta, loss, lr)
        if step_done(theta, loss) or np.max(np.abs(grad)) <= tol:
            return theta, it, True
    return theta, max_iter, False


def _sgd(obj, theta, lr, max_iter, tol, step_done, batch_size, rng, n_samples, **_):
    # One iteration is one epoch: a shuffled pass over all samples in batches.
    _, grad = obj.loss_grad(theta)
    if np.max(np.abs(grad)) <= tol:
        return theta, 0, True
    for it in range(1, max_iter + 1):
        order = rng.permutation(n_samples)
        for start in range(0, n_samples, batch_size):
            rows = order[start : start + batch_size]
            theta = theta - lr * obj.loss_grad(theta, rows)[1]
        loss, grad = obj.loss_grad(theta)
        _check_progress(obj, theta, loss, lr)
        if step_done(theta, loss) or np.max(np.abs(grad)) <= tol:
            return theta, it, True
    return theta, max_iter, False


def _newton(obj, theta, max_iter, tol, step_done, **_):
    loss, grad = obj.loss_grad(theta)
    if np.max(np.abs(grad)) <= tol:
        return theta, 0, True
    N = obj.null_space()
    flat = None if N is None else N @ N.T
    for it in range(1, max_iter + 1):
        H = obj.hessian(theta)
        if flat is not None:
            # The Hessian is singular along the shift directions N
            # (thm-shift-invariance, thm-ce-hessian), and the gradient is
            # orthogonal to them. Adding c * N N^T makes the system solvable without
            # changing the Newton step on the rest: it returns the
            # minimum-norm step, which never moves along a flat direction.
            H += (np.trace(H) / H.shape[0] + 1.0) * flat.astype(H.dtype, copy=False)
        rhs = grad.astype(H.dtype)
        try:
            direction = -np.linalg.solve(H, rhs).astype(np.float64)
        except np.linalg.LinAlgError:  # numerically singular: least squares
            direction = -np.linalg.lstsq(H, rhs, rcond=None)[0].astype(np.float64)
        if N is not None:
            # Rounding (float32) leaves a tiny component along the flat
            # directions; remove it so the parameters never drift along them.
            direction -= N @ (N.T @ direction)
        slope = grad @ direction
        if not slope < 0:  # numerically not a descent direction: fall back on the gradient
            direction, slope = -grad, -(grad @ grad)
        # Backtracking (Armijo) line search: the full step 1 is accepted near the optimum.
        step = 1.0
        for _ in range(60):
            new_theta = theta + step * direction
            new_loss, new_grad = obj.loss_grad(new_theta)
            if new_loss <= loss + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            # No decrease is possible at this precision: we are at the optimum.
            return theta, it - 1, np.max(np.abs(grad)) <= max(tol, 1e-10)
        theta, loss, grad = new_theta, new_loss, new_grad
        if step_done(theta, loss) or np.max(np.abs(grad)) <= tol:
            return theta, it, True
    return theta, max_iter, False


_SOLVER_FUNCS = {"gd": _gd, "sgd": _sgd, "newton": _newton}


# ---------------------------------------------------------------------------
# Estimators.
# ---------------------------------------------------------------------------


class _LinearClassifier:
    _param_names = (
        "solver",
        "lr",
        "batch_size",
        "max_iter",
        "tol",
        "alpha",
        "fit_intercept",
        "random_state",
        "callback",
    )

    def __init__(
        self,
        *,
        solver="newton",
        lr=0.1,
        batch_size=32,
        max_iter=100,
        tol=1e-6,
        alpha=1e-4,
        fit_intercept=True,
        random_state=None,
        callback=None,
    ):
        self.solver = solver
        self.lr = lr
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.random_state = random_state
        self.callback = callback

    # -- scikit-learn style parameter handling ------------------------------

    def get_params(self, deep=True):
        """The constructor parameters, as a dict."""
        return {name: getattr(self, name) for name in self._param_names}

    def set_params(self, **params):
        """Set constructor parameters; returns ``self``."""
        for name, value in params.items():
            if name not in self._param_names:
                raise ValueError(
                    f"{type(self).__name__} has no parameter {name!r}; "
                    f"expected one of {', '.join(self._param_names)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self):
        defaults = _LinearClassifier().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults[k])]
        return f"{type(self).__name__}({', '.join(changed)})"

    # -- fitting -------------------------------------------------------------

    def _validate_params(self, n_samples):
        if self.solver not in SOLVERS:
            raise ValueError(
                f"solver must be one of {', '.join(repr(s) for s in SOLVERS)}; "
                f"received {self.solver!r}"
            )
        lr = _real(self.lr, "lr")
        if not lr > 0:
            raise ValueError(f"lr must be a finite number > 0; received {self.lr!r}")
        alpha = _real(self.alpha, "alpha")
        if alpha < 0:
            raise ValueError(f"alpha must be a finite number >= 0; received {self.alpha!r}")
        tol = _real(self.tol, "tol")
        if tol < 0:
            raise ValueError(f"tol must be a finite number >= 0; received {self.tol!r}")
        max_iter = _integer(self.max_iter, "max_iter")
        if max_iter < 1:
            raise ValueError(f"max_iter must be at least 1; received {self.max_iter!r}")
        batch_size = _integer(self.batch_size, "batch_size")
        if self.solver == "sgd" and not 1 <= batch_size <= n_samples:
            raise ValueError(
                f"batch_size must be between 1 and n_samples={n_samples}; "
                f"received {self.batch_size!r}"
            )
        if not isinstance(self.fit_intercept, (bool, np.bool_)):
            raise TypeError(f"fit_intercept must be True or False; received {self.fit_intercept!r}")
        if self.callback is not None and not callable(self.callback):
            raise TypeError(f"callback must be callable or None; received {self.callback!r}")
        rng = _rng(self.random_state)
        return lr, alpha, tol, max_iter, batch_size, rng

    def _validate_data(self, X, y):
        X = as_float_array(X, "X", ndim=2).astype(np.float64, copy=False)
        if X.shape[0] == 0:
            raise ValueError(f"X has no samples (shape {X.shape}); expected at least one row")
        if X.shape[1] == 0:
            raise ValueError(f"X has no features (shape {X.shape}); expected at least one column")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"y must be a 1-D array of labels; received shape {y.shape}")
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y has {y.shape[0]} samples but X has {X.shape[0]}; "
                "expected the same number of rows"
            )
        if y.dtype.kind == "f" and np.isnan(y).any():
            raise ValueError("y contains NaN; expected a label for every sample")
        try:
            classes, y_index = np.unique(y, return_inverse=True)
        except TypeError as exc:
            raise TypeError(
                f"y must hold labels of one comparable type; received {y.dtype}: {exc}"
            ) from None
        return X, classes, y_index

    def fit(self, X, y):
        """Fit the model to ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        Returns
        -------
        self
        """
        X, classes, y_index = self._validate_data(X, y)
        lr, alpha, tol, max_iter, batch_size, rng = self._validate_params(X.shape[0])
        self._check_classes(classes)
        obj = self._objective(X, y_index, len(classes), alpha)

        self.classes_ = classes
        self.n_features_in_ = X.shape[1]
        self.loss_history_ = []
        theta = np.zeros(obj.size)
        self._set_theta(obj, theta)

        def step_done(theta, loss):
            self._set_theta(obj, theta)
            self.loss_history_.append(float(loss))
            self.n_iter_ = len(self.loss_history_)
            return bool(self.callback(self)) if self.callback is not None else False

        self.n_iter_ = 0
        # Overflow or NaN from far too long a step is caught and reported as DivergenceError.
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            theta, n_iter, converged = _SOLVER_FUNCS[self.solver](
                obj,
                theta,
                lr=lr,
                max_iter=max_iter,
                tol=tol,
                step_done=step_done,
                batch_size=batch_size,
                rng=rng,
                n_samples=X.shape[0],
            )
        self._set_theta(obj, theta)
        self.n_iter_ = n_iter
        if not converged:
            fix = (
                "increase max_iter"
                if self.solver == "newton"
                else "increase max_iter, tune lr, or use solver='newton'"
            )
            warnings.warn(
                f"{type(self).__name__}(solver={self.solver!r}) did not converge in "
                f"max_iter={max_iter} iterations (largest gradient entry "
                f"{np.max(np.abs(obj.loss_grad(theta)[1])):.2e} > tol={tol:g}); {fix}",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    # -- prediction ------------------------------------------------------------

    _fitted_attribute = "coef_"  # set by fit; its absence means "not fitted"

    def _check_fitted_X(self, X):
        if not hasattr(self, self._fitted_attribute):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; "
                "call fit(X, y) before using it to predict"
            )
        X = as_float_array(X, "X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} was fitted "
                f"with {self.n_features_in_}; expected the same features as in fit"
            )
        return X

    def predict(self, X):
        """Predicted labels, taken from ``classes_``: shape (n_samples,)."""
        P = self.predict_proba(X)  # checks that the model is fitted
        return self.classes_[np.argmax(P, axis=1)]

    def score(self, X, y):
        """Accuracy: the fraction of samples whose predicted label equals ``y``."""
        y = np.asarray(y)
        pred = self.predict(X)
        if y.shape != pred.shape:
            raise ValueError(f"y has shape {y.shape}; expected {pred.shape}")
        return float(np.mean(pred == y))


class LogisticRegression(_LinearClassifier):
    """Binary logistic regression.

    Minimizes ``(1/n) sum_i ln(1 + exp(-y_i (w.x_i + b))) + (alpha/2) ||w||^2``
    with ``y_i = +1`` for ``classes_[1]`` and ``-1`` for ``classes_[0]``.

    Parameters
    ----------
    solver : {"gd", "sgd", "newton"}, default "newton"
        Full-batch gradient descent, mini-batch SGD (one iteration is one
        epoch), or Newton's method with a line search (IRLS).
    lr : float > 0, default 0.1
        Step size of "gd" and "sgd" (Newton does not use it). Steps below 2/L,
        with L Böhning's curvature bound, lower the objective at every step
        (prop-bohning); longer steps may oscillate, and only ``lr * alpha > 2``
        makes the weights blow up, which raises DivergenceError
        (prop-l2-blowup, book/training/softmax_from_scratch.ipynb).
    batch_size : int, default 32
        Mini-batch size of "sgd".
    max_iter : int >= 1, default 100
    tol : float >= 0, default 1e-6
        Stop when every entry of the objective's gradient is at most ``tol``.
    alpha : float >= 0, default 1e-4
        L2 strength; scikit-learn's ``C = 1 / (alpha * n_samples)``.
    fit_intercept : bool, default True
    random_state : None, int or numpy Generator
        Seeds the shuffling of "sgd".
    callback : callable or None
        Called as ``callback(model)`` after every iteration, with ``coef_``,
        ``intercept_``, ``n_iter_`` and ``loss_history_`` already updated, so the
        model can predict at that stage. Returning True stops training.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_iter_ : int
    loss_history_ : list of float
        The objective after each iteration.
    n_features_in_ : int
    """

    def _check_classes(self, classes):
        if len(classes) != 2:
            raise ValueError(
                f"LogisticRegression needs exactly 2 classes; received {len(classes)}"
                f" ({_show(classes)}). Use SoftmaxRegression for more than two."
            )

    def _objective(self, X, y_index, n_classes, alpha):
        return _BinaryObjective(X, 2.0 * y_index - 1.0, alpha, self.fit_intercept)

    def _set_theta(self, obj, theta):
        w, b = obj.split(theta)
        self.coef_ = w[None, :].copy()
        self.intercept_ = np.array([float(b)])

    def decision_function(self, X):
        """Logits ``X @ coef_[0] + intercept_[0]`` for ``classes_[1]``: shape (n_samples,)."""
        X = self._check_fitted_X(X)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``: shape (n_samples, 2)."""
        z = self.decision_function(X)
        # sigmoid(-z) rather than 1 - sigmoid(z): exact when sigmoid(z) is near 1.
        return np.column_stack([sigmoid(-z), sigmoid(z)])

    def predict_log_proba(self, X):
        """Log-probabilities from the logits: shape (n_samples, 2)."""
        z = self.decision_function(X)
        return np.column_stack([log_sigmoid(-z), log_sigmoid(z)])


class SoftmaxRegression(_LinearClassifier):
    """Multi-class (softmax) logistic regression for K >= 2 classes.

    Minimizes ``(1/n) sum_i -log softmax(W^T x_i + b)_{y_i} + (alpha/2) ||W||_F^2``.
    Parameters are those of :class:`LogisticRegression`.

    Because of shift-invariance, the intercepts are identified only up to a
    common shift; the solvers start at zero and never move along that
    direction, so the fitted intercepts sum to zero. With ``alpha > 0`` the
    weights sum to zero over the classes as well (the L2 term selects that
    representative).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_classes, n_features)
    intercept_ : ndarray of shape (n_classes,)
    n_iter_ : int
    loss_history_ : list of float
    n_features_in_ : int
    """

    def _check_classes(self, classes):
        if len(classes) < 2:
            raise ValueError(
                f"SoftmaxRegression needs at least 2 classes; received {len(classes)}"
                f" ({_show(classes)})"
            )

    def _objective(self, X, y_index, n_classes, alpha):
        Y = np.zeros((X.shape[0], n_classes))
        Y[np.arange(X.shape[0]), y_index] = 1.0
        return _SoftmaxObjective(X, Y, alpha, self.fit_intercept)

    def _set_theta(self, obj, theta):
        W, b = obj.split(theta)
        self.coef_ = W.T.copy()
        self.intercept_ = np.array(b, dtype=float)

    def decision_function(self, X):
        """Logits ``X @ coef_.T + intercept_``: shape (n_samples, n_classes)."""
        X = self._check_fitted_X(X)
        return X @ self.coef_.T + self.intercept_

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        return softmax(self.decision_function(X))

    def predict_log_proba(self, X):
        """Log-probabilities ``z_k - lse(z)`` from the logits: shape (n_samples, n_classes)."""
        return log_softmax(self.decision_function(X))


# ---------------------------------------------------------------------------
# Small helpers.
# ---------------------------------------------------------------------------


def _real(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; received {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; received {value!r}")
    return value


def _integer(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int; received {value!r}")
    return int(value)


def _rng(random_state):
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    raise TypeError(
        f"random_state must be None, an int or a numpy Generator; received {random_state!r}"
    )


def _same(a, b):
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _show(values, limit=5):
    shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")
