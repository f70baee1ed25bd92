"""Binary and softmax regression as scikit-learn estimators.

Both inherit scikit-learn's ``BaseEstimator`` and ``ClassifierMixin`` and pass its
``parametrize_with_checks`` (tests/library/test_sklearn_compat.py): the constructor only stores its
keyword arguments, ``fit`` validates (``validate_data``: dense or CSR sparse X, float32 kept
float32, feature names remembered and checked), learned attributes end in ``_``, labels may be
any values, and ``predict_proba`` columns follow ``classes_``. They work inside Pipeline,
GridSearchCV, cross_val_score, CalibratedClassifierCV, OneVsRestClassifier and the rest.

The objective (``logreg.objective``) is, exactly,

    sum_i omega_i * loss_i + (alpha / 2) * ||W||_F^2,   omega_i = s_i c_i / sum_j s_j

with sample weights ``s`` and class weights ``c`` (all 1 by default, giving the mean loss) and
intercepts never penalized, so ``alpha`` is scikit-learn's ``1 / (C * sum_j s_j)``. The solvers
live in ``logreg.solvers``, one module each.
"""

import numbers
import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._validation import count_classes as _count
from ._validation import real_param as _real
from ._validation import seed_for_generator as _seed
from ._validation import show_values as _show
from .exceptions import ConvergenceWarning, DivergenceError, NotFittedError, SeparationWarning
from .functions import log_sigmoid, log_softmax, sigmoid, softmax
from .objective import BinaryObjective, SoftmaxObjective
from .solvers import SOLVERS as _SOLVER_FUNCS

__all__ = [
    "SOLVERS",
    "ConvergenceWarning",
    "DivergenceError",
    "LogisticRegression",
    "NotFittedError",
    "SeparationWarning",
    "SoftmaxRegression",
]

#: The names the ``solver`` parameter accepts (the solvers are in logreg.solvers). SAG and SAGA
#: are not among them yet: with the estimators' batch_size=32 (sgd's) they make n/32 steps per
#: epoch and miss scikit-learn's sample-weight and class-weight checks in max_iter=100 epochs.
SOLVERS = tuple(s for s in _SOLVER_FUNCS if s not in ("sag", "saga"))
_DTYPES = [np.float64, np.float32]


class _LinearClassifier(ClassifierMixin, BaseEstimator):
    def __init__(
        self,
        *,
        solver="newton-cg",
        lr="auto",
        batch_size=32,
        max_iter=100,
        tol=1e-6,
        alpha=1e-4,
        fit_intercept=True,
        class_weight=None,
        warm_start=False,
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
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.random_state = random_state
        self.callback = callback

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_class = self._multi_class
        return tags

    # -- fitting -------------------------------------------------------------

    def _check_params(self):
        if self.solver not in SOLVERS:
            raise ValueError(
                f"solver must be one of {', '.join(repr(s) for s in SOLVERS)}; "
                f"received {self.solver!r}"
            )
        if not (isinstance(self.lr, str) and self.lr == "auto"):
            lr = _real(self.lr, "lr", "'auto' or a real number > 0")
            if not lr > 0:
                raise ValueError(f"lr must be 'auto' or a finite number > 0; received {self.lr!r}")
        alpha = _real(self.alpha, "alpha", "a real number >= 0")
        if alpha < 0:
            raise ValueError(f"alpha must be a finite number >= 0; received {self.alpha!r}")
        tol = _real(self.tol, "tol", "a real number >= 0")
        if tol < 0:
            raise ValueError(f"tol must be a finite number >= 0; received {self.tol!r}")
        for name in ("max_iter", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be an int >= 1; received {value!r}")
        for name in ("fit_intercept", "warm_start"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False; received {getattr(self, name)!r}")
        if self.callback is not None and not callable(self.callback):
            raise TypeError(f"callback must be callable or None; received {self.callback!r}")
        return alpha, tol

    def fit(self, X, y, sample_weight=None):
        """Fit the model to ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        ``sample_weight`` (n_samples,), non-negative: weight ``k`` counts a sample ``k`` times.

        Returns
        -------
        self
        """
        alpha, tol = self._check_params()
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=_DTYPES)
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        self._check_classes(classes)
        weights = self._sample_weights(X, y, classes, y_index, sample_weight)
        obj = self._objective(X, y_index, len(classes), alpha, weights)

        previous = self._warm_theta(obj, classes) if self.warm_start else None
        self.classes_ = classes
        self.loss_history_ = []
        theta = np.zeros(obj.size) if previous is None else previous
        if self.callback is not None:
            self._set_theta(obj, theta)

        def step_done(theta, loss):
            self.loss_history_.append(float(loss))
            if self.callback is None:
                return False
            self._set_theta(obj, theta)
            self.n_iter_ = len(self.loss_history_)
            return bool(self.callback(self))

        self.n_iter_ = 0
        self.work_ = obj.work  # live during the callbacks; a copy once fitted
        lr = self._learning_rate(obj)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            result = _SOLVER_FUNCS[self.solver](
                obj,
                theta,
                lr=lr,
                max_iter=self.max_iter,
                tol=tol,
                step_done=step_done,
                batch_size=self.batch_size,
                rng=np.random.default_rng(_seed(self.random_state)),
            )
        self._set_theta(obj, result.theta)
        self.n_iter_ = result.n_iter
        self.work_ = dict(obj.work)
        if alpha == 0 and self._warn_if_separated(X, y_index, weights):
            return self  # the separation warning says why the solver cannot converge
        if not result.converged:
            self._warn_not_converged(obj, result, tol)
        return self

    def _warn_if_separated(self, X, y_index, weights):
        """With alpha = 0, separated classes leave the loss without a minimizer: say so.

        The fitted parameters are tried first as the certificate of complete separation, so
        separable data cost nothing more; otherwise logreg.separation solves a linear program.
        """
        from .separation import check_separation

        candidate = (
            np.column_stack([self.coef_, self.intercept_]) if self.fit_intercept else self.coef_
        )
        if candidate.shape[0] == 1:  # binary: the logit is z_1 - z_0 with d_0 = 0
            candidate = np.vstack([np.zeros_like(candidate), candidate])
        found = check_separation(X, y_index, weights, self.fit_intercept, candidate=candidate)
        if found.kind == "overlap":
            return False
        case = (
            "completely separated: some hyperplanes put every training sample strictly on its "
            "own class's side"
            if found.kind == "complete"
            else "quasi-completely separated: some hyperplanes put every training sample on its "
            "own class's side or on a boundary, and some strictly on its side"
        )
        norm = float(np.linalg.norm(self.coef_))
        warnings.warn(
            f"The classes are {case}. With alpha=0 the loss then has no minimizer: it keeps "
            "falling as the weights grow along that direction, so these weights (norm "
            f"{norm:.3g}) are set by tol={self.tol:g} and max_iter={self.max_iter}, not by the "
            "data. Set alpha > 0 for a unique, bounded answer "
            "(book/practice/separable_data.ipynb).",
            SeparationWarning,
            stacklevel=3,
        )
        return True

    def _sample_weights(self, X, y, classes, y_index, sample_weight):
        """omega_i = s_i c_i / sum_j s_j (module docstring), as float64."""
        s = _check_sample_weight(sample_weight, X, dtype=np.float64)
        if np.any(s < 0) or not np.all(np.isfinite(s)):
            raise ValueError("sample_weight must be finite and non-negative; received other values")
        total = s.sum()
        if total <= 0:
            raise ValueError("sample_weight sums to 0; expected at least one positive weight")
        if self.class_weight is not None:
            c = compute_class_weight(self.class_weight, classes=classes, y=y)
            s = s * c[y_index]
        return s / total

    def _learning_rate(self, obj):
        """'auto': 1/L with L Böhning's bound on the curvature (prop-bohning)."""
        if not (isinstance(self.lr, str) and self.lr == "auto"):
            return float(self.lr)
        if self.solver not in ("gd", "sgd"):
            return 1.0
        return 1.0 / obj.lipschitz()  # exact when D is small, else power iterations at O(nnz)

    def _warm_theta(self, obj, classes):
        if not hasattr(self, "coef_") or not np.array_equal(
            getattr(self, "classes_", None), classes
        ):
            return None
        if self.coef_.shape != (obj.n_outputs, obj.n_features):
            return None
        theta = np.empty(obj.size)
        theta[: obj.n_weights] = self.coef_.ravel()
        if obj.fit_intercept:
            theta[obj.n_weights :] = self.intercept_
        return theta

    def _set_theta(self, obj, theta):
        W, b = obj.split(theta)
        self.coef_ = W.copy()
        self.intercept_ = b.copy() if b is not None else np.zeros(obj.n_outputs)

    def _warn_not_converged(self, obj, result, tol):
        from .solvers._common import Stopping

        measure = Stopping(obj, tol).measure(obj.loss_grad(result.theta)[1])
        if result.note:  # the line search found no lower objective before tol was met
            message = (
                f"{type(self).__name__}(solver={self.solver!r}) stopped after {result.n_iter} "
                f"iterations: no step lowers the objective at float64 precision, yet the scaled "
                f"gradient is {measure:.2e} > tol={tol:g}; this tol is below what rounding "
                "allows on this problem: use a larger tol, or standardize the features."
            )
        else:
            fix = (
                "increase max_iter"
                if self.solver in ("lbfgs", "newton", "newton-cg")
                else "increase max_iter, tune lr, or use solver='lbfgs'"
            )
            message = (
                f"{type(self).__name__}(solver={self.solver!r}) did not converge in "
                f"max_iter={self.max_iter} iterations (scaled gradient {measure:.2e} > "
                f"tol={tol:g}); {fix}."
            )
        warnings.warn(message, ConvergenceWarning, stacklevel=3)

    # -- prediction ------------------------------------------------------------

    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr", dtype=_DTYPES)
        Z = np.asarray(X @ self.coef_.T.astype(X.dtype, copy=False), dtype=np.float64)
        return Z + self.intercept_

    def predict(self, X):
        """Predicted labels, taken from ``classes_``: shape (n_samples,)."""
        probs = self.predict_proba(X)  # checks that the model is fitted
        return self.classes_[np.argmax(probs, axis=1)]


class LogisticRegression(_LinearClassifier):
    """Binary logistic regression.

    Minimizes ``sum_i omega_i ln(1 + exp(-y_i (w.x_i + b))) + (alpha/2) ||w||^2`` with
    ``y_i = +1`` for ``classes_[1]`` and ``-1`` for ``classes_[0]`` (scikit-learn's convention;
    the lecture's positive class is the first: see book/notation.md).

    Parameters
    ----------
    solver : {"newton-cg", "lbfgs", "newton", "gd", "sgd"}, default "newton-cg"
        Truncated Newton on Hessian-vector products (preconditioned CG); L-BFGS with a
        strong-Wolfe line search; Newton's method with the exact Hessian (IRLS); full-batch
        gradient descent; mini-batch SGD (one iteration is one epoch). See ``logreg.solvers``
        and ``benchmarks/run.py``: newton-cg converges in a handful of iterations on every
        problem there and is the fastest on large ones; lbfgs is fastest on small ones.
    lr : "auto" or float > 0, default "auto"
        Step size of "gd" and "sgd". "auto" is 1/L with L Böhning's bound on the curvature
        (prop-bohning), which lowers the objective at every step of "gd". Only
        ``lr * alpha > 2`` makes the weights blow up, which raises DivergenceError
        (prop-l2-blowup, book/training/softmax_from_scratch.ipynb).
    batch_size : int >= 1, default 32
        Mini-batch size of "sgd", clipped to the number of samples.
    max_iter : int >= 1, default 100
    tol : float >= 0, default 1e-6
        Stop when every gradient entry divided by the square root of its curvature scale (the
        diagonal of Böhning's bound) is at most ``tol``: a test that rescaling a feature does not
        change.
    alpha : float >= 0, default 1e-4
        L2 strength; scikit-learn's ``C = 1 / (alpha * sum(sample_weight))``.
    fit_intercept : bool, default True
    class_weight : dict, "balanced" or None, default None
        Weights per class, multiplying the sample weights (scikit-learn's convention).
    warm_start : bool, default False
        Start from the previous fit's coefficients when classes and features match.
    random_state : None, int, numpy Generator or RandomState
        Seeds the shuffling of "sgd".
    callback : callable or None
        Called as ``callback(model)`` after every iteration, with ``coef_``, ``intercept_``,
        ``n_iter_`` and ``loss_history_`` already updated. Returning True stops training.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    n_iter_ : int
    loss_history_ : list of float
        The objective after each iteration.
    work_ : dict
        What the solver asked of the objective: ``"gradient"``, evaluations of the objective and
        its gradient (a mini-batch counts as its share of one); ``"hessian"``, Hessians formed
        (solver "newton"); ``"hess_vec"``, Hessian-vector products ("newton-cg"). Unlike a time,
        a count does not depend on the machine (book/training/second_order.ipynb compares the
        solvers by it). Callbacks see it as it grows.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has feature names (a DataFrame).
    """

    _multi_class = False

    def _check_classes(self, classes):
        if len(classes) != 2:
            raise ValueError(
                "Only binary classification is supported. LogisticRegression needs exactly 2 "
                f"classes; received {_count(classes)} ({_show(classes)}). Use SoftmaxRegression "
                "for more than two."
            )

    def _objective(self, X, y_index, n_classes, alpha, weights):
        return BinaryObjective(X, 2.0 * y_index - 1.0, alpha, self.fit_intercept, weights)

    def decision_function(self, X):
        """Logits ``X @ coef_[0] + intercept_[0]`` for ``classes_[1]``: shape (n_samples,)."""
        return self._logits(X)[:, 0]

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

    Minimizes ``sum_i omega_i (-log softmax(W^T x_i + b)_{y_i}) + (alpha/2) ||W||_F^2``.
    Parameters are those of :class:`LogisticRegression`.

    Because of shift-invariance, the intercepts are identified only up to a common shift; the
    solvers start at zero and never move along that direction, so the fitted intercepts sum to
    zero. With ``alpha > 0`` the weights sum to zero over the classes as well (cor-shift-l2).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (n_classes, n_features)
    intercept_ : ndarray of shape (n_classes,)
    n_iter_ : int
    loss_history_ : list of float
    work_ : dict
        See :class:`LogisticRegression`.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    _multi_class = True

    def _check_classes(self, classes):
        if len(classes) < 2:
            raise ValueError(
                f"SoftmaxRegression needs at least 2 classes; received {_count(classes)}"
                f" ({_show(classes)})"
            )

    def _objective(self, X, y_index, n_classes, alpha, weights):
        return SoftmaxObjective(X, y_index, n_classes, alpha, self.fit_intercept, weights)

    def decision_function(self, X):
        """Logits ``X @ coef_.T + intercept_``: shape (n_samples, n_classes).

        For two classes, scikit-learn's convention: the logit of ``classes_[1]`` against
        ``classes_[0]``, shape (n_samples,).
        """
        Z = self._logits(X)
        return Z[:, 1] - Z[:, 0] if Z.shape[1] == 2 else Z

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_``."""
        return softmax(self._logits(X))

    def predict_log_proba(self, X):
        """Log-probabilities ``z_k - lse(z)`` from the logits: shape (n_samples, n_classes)."""
        return log_softmax(self._logits(X))
