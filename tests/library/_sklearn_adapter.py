"""scikit-learn's ``LogisticRegression`` signature over logreg, for scikit-learn's own tests.

``test_sklearn_logistic.py`` puts this class in place of ``sklearn.linear_model.LogisticRegression``
in scikit-learn's ``test_logistic.py`` and runs the tests there. The adapter translates arguments
and nothing else: binary ``y`` is fitted by ``logreg.LogisticRegression`` and three or more classes
by ``logreg.SoftmaxRegression``, and every fitted attribute (``coef_``, ``intercept_``,
``n_iter_``, ``classes_``, ...) is the inner estimator's own object, read and written through, so
a test sees logreg's dtypes, shapes and values and never a converted copy.

The translation:

* ``C`` -> ``alpha = 1 / (C * sum(sample_weight))`` (``n_samples`` without weights), ``C=inf`` ->
  ``alpha = 0``. scikit-learn minimizes ``C * sum_i s_i c_i loss_i + ||w||^2 / 2``; logreg
  minimizes ``sum_i s_i c_i loss_i / sum_j s_j + alpha ||w||^2 / 2`` (``logreg.models``), which is
  the former divided by ``C * sum_j s_j``: the same minimizer. The class weights ``c`` do not enter
  ``alpha``: both libraries multiply them into the per-sample weights of the loss.
* ``solver``: lbfgs -> lbfgs, newton-cg -> newton-cg, newton-cholesky -> newton (both: Newton's
  method on the exact Hessian, solved by a dense factorization), sag -> sag, saga -> saga.
  liblinear has no counterpart: the adapter raises ``NotApplicable``.
* ``tol``, ``max_iter``, ``fit_intercept``, ``class_weight``, ``warm_start`` and ``random_state``
  are passed on unchanged (logreg's ``tol`` is its own stopping test, not scikit-learn's).
* ``penalty`` ("deprecated" or "l2"), ``l1_ratio=0`` and ``dual=False`` describe the only model
  logreg fits; any other value raises ``NotApplicable``. ``intercept_scaling`` (used by liblinear
  only), ``verbose`` and ``n_jobs`` (deprecated, no effect in scikit-learn) are accepted and
  ignored.
"""

import os

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

import logreg

#: scikit-learn's solvers that have a counterpart in logreg: all but liblinear.
APPLICABLE_SOLVERS = ("lbfgs", "newton-cg", "newton-cholesky", "sag", "saga")


class NotApplicable(ValueError):
    """An option of scikit-learn's LogisticRegression that logreg does not have."""


def _seeds():
    """scikit-learn's rule for SKLEARN_TESTS_GLOBAL_RANDOM_SEED: unset 42, "all" 0-99, "a-b" or
    one seed."""
    value = os.environ.get("SKLEARN_TESTS_GLOBAL_RANDOM_SEED")
    if value is None:
        return [42]
    if value == "all":
        return list(range(100))
    first, _, last = value.partition("-")
    return list(range(int(first), int(last or first) + 1))


@pytest.fixture(params=_seeds())
def global_random_seed(request):
    """The seed fixture of scikit-learn's conftest.py, which these tests ask for."""
    return request.param


def logreg_solver(name):
    """logreg's solver for scikit-learn's solver ``name`` (module docstring)."""
    if name == "liblinear":
        raise NotApplicable("solver='liblinear' has no counterpart in logreg")
    table = {"lbfgs": "lbfgs", "newton-cg": "newton-cg", "newton-cholesky": "newton"}
    table.update(sag="sag", saga="saga")
    if name in table:
        return table[name]
    raise ValueError(
        f"solver must be one of 'lbfgs', 'newton-cg', 'newton-cholesky', 'sag', 'saga' (or "
        f"'liblinear', which logreg lacks); received {name!r}"
    )


def _through(name):
    """A fitted attribute that is the inner estimator's own object, for reading and writing."""

    def get(self):
        check_is_fitted(self, "estimator_")
        return getattr(self.estimator_, name)

    def set_(self, value):
        setattr(self.estimator_, name, value)

    return property(get, set_, doc=f"The inner logreg estimator's ``{name}``.")


class SklearnLogisticRegression(ClassifierMixin, BaseEstimator):
    """scikit-learn 1.9's ``LogisticRegression(...)`` signature, fitted by logreg."""

    def __init__(
        self,
        penalty="deprecated",
        *,
        C=1.0,
        l1_ratio=0.0,
        dual=False,
        tol=1e-4,
        fit_intercept=True,
        intercept_scaling=1,
        class_weight=None,
        random_state=None,
        solver="lbfgs",
        max_iter=100,
        verbose=0,
        warm_start=False,
        n_jobs=None,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    coef_ = _through("coef_")
    intercept_ = _through("intercept_")
    classes_ = _through("classes_")
    n_iter_ = _through("n_iter_")
    n_features_in_ = _through("n_features_in_")
    feature_names_in_ = _through("feature_names_in_")

    def _check_model(self):
        if self.penalty not in ("deprecated", "l2"):
            raise NotApplicable(f"logreg fits the L2 penalty only; received {self.penalty!r}")
        if self.l1_ratio not in (0, 0.0):
            raise NotApplicable(f"logreg has no L1 term; received l1_ratio={self.l1_ratio!r}")
        if self.dual:
            raise NotApplicable("logreg solves the primal problem only; received dual=True")

    def _alpha(self, y, sample_weight):
        if np.isinf(self.C):
            return 0.0
        total = len(y) if sample_weight is None else float(np.sum(sample_weight))
        return 1.0 / (self.C * total)

    def fit(self, X, y, sample_weight=None):
        self._check_model()
        n_classes = len(np.unique(np.asarray(y)))
        kind = logreg.SoftmaxRegression if n_classes >= 3 else logreg.LogisticRegression
        params = dict(
            solver=logreg_solver(self.solver),
            alpha=self._alpha(y, sample_weight),
            tol=self.tol,
            max_iter=self.max_iter,
            fit_intercept=self.fit_intercept,
            class_weight=self.class_weight,
            warm_start=self.warm_start,
            random_state=self.random_state,
        )
        previous = getattr(self, "estimator_", None)
        if self.warm_start and type(previous) is kind:
            inner = previous.set_params(**params)  # logreg starts from its own last fit
        else:
            inner = kind(**params)
        inner.fit(X, y, sample_weight=sample_weight)
        self.estimator_ = inner
        return self

    def decision_function(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def predict(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def predict_proba(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(X)

    def predict_log_proba(self, X):
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_log_proba(X)

    def _predict_proba_lr(self, X):
        """One-vs-rest probabilities from the logits (scikit-learn's private helper of the same
        name, which test_logreg_predict_proba_multinomial compares with predict_proba): each
        class's sigmoid, normalized to sum to 1."""
        z = self.decision_function(X)
        if z.ndim == 1:
            return np.column_stack([logreg.sigmoid(-z), logreg.sigmoid(z)])
        p = logreg.sigmoid(z)
        return p / p.sum(axis=1, keepdims=True)
