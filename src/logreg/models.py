"""Binary and softmax regression as scikit-learn estimators.

Both inherit scikit-learn's ``BaseEstimator`` and ``ClassifierMixin`` and pass its
``parametrize_with_checks`` (tests/library/test_sklearn_compat.py): the constructor only stores its
keyword arguments, ``fit`` validates (``validate_data``: dense or CSR sparse X, float32 kept
float32, feature names remembered and checked), learned attributes end in ``_``, labels may be
any values, and ``predict_proba`` columns follow ``classes_``. As in scikit-learn, ``coef_`` and
``intercept_`` have the dtype of the training X (float32 or float64; the solvers work in float64
either way), so do the outputs of ``decision_function`` and ``predict_proba`` for X of that
dtype, and ``n_iter_`` is an int32 array of shape (1,). They work inside Pipeline,
GridSearchCV, cross_val_score, CalibratedClassifierCV, OneVsRestClassifier and the rest.

The objective (``logreg.objective``) is, exactly,

    sum_i omega_i * loss_i + (alpha / 2) * ||W||_F^2,   omega_i = s_i c_i / sum_j s_j

with sample weights ``s`` and class weights ``c`` (all 1 by default, giving the mean loss) and
intercepts never penalized, so ``alpha`` is scikit-learn's ``1 / (C * sum_j s_j)``. The solvers
live in ``logreg.solvers``, one module each.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _fitting
from ._validation import count_classes as _count
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

#: The names the ``solver`` parameter accepts (the solvers are in logreg.solvers).
SOLVERS = tuple(_SOLVER_FUNCS)
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

    def fit(self, X, y, sample_weight=None):
        """Fit the model to ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        ``sample_weight`` (n_samples,), non-negative: weight ``k`` counts a sample ``k`` times.

        Returns
        -------
        self
        """
        alpha, tol = _fitting.check_params(self, SOLVERS)
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=_DTYPES)
        check_classification_targets(y)
        classes, y_index = np.unique(y, return_inverse=True)
        self._check_classes(classes)
        weights = _fitting.sample_weights(self.class_weight, X, y, classes, y_index, sample_weight)
        obj = self._objective(X, y_index, len(classes), alpha, weights)

        previous = _fitting.warm_theta(self, obj, classes) if self.warm_start else None
        self.classes_ = classes
        self.loss_history_ = []
        theta = np.zeros(obj.size) if previous is None else previous
        if self.callback is not None:
            _fitting.set_theta(self, obj, theta, X.dtype)

        def step_done(theta, loss):
            self.loss_history_.append(float(loss))
            if self.callback is None:
                return False
            _fitting.set_theta(self, obj, theta, X.dtype)
            self.n_iter_ = _fitting.n_iter_array(len(self.loss_history_))
            return bool(self.callback(self))

        self.n_iter_ = _fitting.n_iter_array(0)
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
        _fitting.set_theta(self, obj, result.theta, X.dtype)
        self.n_iter_ = _fitting.n_iter_array(result.n_iter)
        self.work_ = dict(obj.work)
        if alpha == 0 and _fitting.warn_if_separated(self, obj, result.theta, X, y_index, weights):
            return self  # the separation warning says why the solver cannot converge
        if not result.converged:
            _fitting.warn_not_converged(self, obj, result, tol)
        return self

    def _learning_rate(self, obj):
        """'auto': 1/L with L Böhning's bound on the curvature (prop-bohning)."""
        if not (isinstance(self.lr, str) and self.lr == "auto"):
            return float(self.lr)
        if self.solver not in ("gd", "sgd"):
            return 1.0
        return 1.0 / obj.lipschitz()  # exact when D is small, else power iterations at O(nnz)

    # -- prediction ------------------------------------------------------------

    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csr", dtype=_DTYPES)
        # The product in X's dtype, so that float32 X is never copied to float64; the logits in
        # the promoted dtype, as scikit-learn's: float32 for float32 X and coefficients.
        Z = np.asarray(X @ self.coef_.T.astype(X.dtype, copy=False))
        return Z.astype(np.result_type(X.dtype, self.coef_.dtype), copy=False) + self.intercept_

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
    solver : {"newton-cg", "lbfgs", "newton", "gd", "sgd", "sag", "saga"}, default "newton-cg"
        Truncated Newton on Hessian-vector products (preconditioned CG); L-BFGS with a
        strong-Wolfe line search; Newton's method with the exact Hessian (IRLS); full-batch
        gradient descent; mini-batch SGD; the stochastic average gradient, SAG or SAGA (for
        these three one iteration is one epoch). See ``logreg.solvers``
        and ``benchmarks/run.py``. The default is newton-cg for every shape of data, because
        its preconditioner follows the shape: Kronecker-factored (Böhning's bound) for dense X
        with at most ``KRONECKER_MAX`` columns or samples (for wide X from the n x n matrix of
        the samples' inner products), diagonal at O(nnz) for sparse X or dense X past it on both
        sides, so no d x d matrix is ever formed from sparse X. It converges at the default
        ``max_iter`` on unscaled data where lbfgs does not (raw wine, breast cancer, digits;
        p > n), and is the fastest of ours on large n and on sparse text-like data; lbfgs is
        faster on small standardized data (P2 in ``benchmarks/run.py``).
    lr : "auto" or float > 0, default "auto"
        Step size of "gd" and "sgd". "auto" is 1/L with L Böhning's bound on the curvature
        (prop-bohning), which lowers the objective at every step of "gd". Only
        ``lr * alpha > 2`` makes the weights blow up, which raises DivergenceError
        (prop-l2-blowup, book/training/softmax_from_scratch.ipynb).
    batch_size : int >= 1, default 32
        Mini-batch size of "sgd", "sag" and "saga", clipped to the number of samples (and, for
        "sag" and "saga", to a sixteenth of it: at least 16 steps per epoch).
    max_iter : int >= 0, default 100
        Iterations of the solver at most (epochs for "sgd"). ``max_iter=0`` runs none: the
        coefficients are the starting point (zero, or the previous fit's with ``warm_start``),
        with a ConvergenceWarning unless that point already meets ``tol``.
    tol : float >= 0, default 1e-6
        Stop when every gradient entry divided by the square root of its curvature scale (the
        diagonal of Böhning's bound) is at most ``tol``: a test that rescaling a feature does not
        change.
    alpha : float >= 0, default 1e-4
        L2 strength; scikit-learn's ``C = 1 / (alpha * sum(sample_weight))``.
    fit_intercept : bool, default True
    class_weight : dict, "balanced" or None, default None
        Weights per class, multiplying the sample weights (scikit-learn's convention). A dict
        maps labels to weights >= 0; classes it omits weigh 1. "balanced" gives class k the
        weight ``sum(s) / (n_classes * sum of s over class k)``, with ``s`` the sample weights,
        as scikit-learn's ``compute_class_weight``: weighting a sample by 2 is the same as
        repeating it.
    warm_start : bool, default False
        Start from the previous fit's coefficients when classes and features match; otherwise
        start from zero (where scikit-learn raises).
    random_state : None, int, numpy Generator or RandomState
        Seeds the shuffling of "sgd".
    callback : callable or None
        Called as ``callback(model)`` after every iteration, with ``coef_``, ``intercept_``,
        ``n_iter_`` and ``loss_history_`` already updated. Returning True stops training.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
    coef_ : ndarray of shape (1, n_features)
        float32 when fitted on float32 X, float64 otherwise.
    intercept_ : ndarray of shape (1,)
        Same dtype as ``coef_``; zeros when ``fit_intercept=False``.
    n_iter_ : ndarray of shape (1,), dtype int32
        Iterations the solver ran (epochs for "sgd"), as scikit-learn's LogisticRegression: one
        entry, because one problem is solved. ``n_iter_[0]`` is the number.
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
        float32 when fitted on float32 X, float64 otherwise.
    intercept_ : ndarray of shape (n_classes,)
    n_iter_ : ndarray of shape (1,), dtype int32
        See :class:`LogisticRegression`.
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
