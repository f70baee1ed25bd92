"""Choosing alpha: the regularization path with warm starts, and cross-validation along it.

``regularization_path`` fits one estimator for a grid of penalties, from the largest alpha to the
smallest, each fit starting from the previous one's weights. ``SoftmaxRegressionCV`` and
``LogisticRegressionCV`` run that path on every cross-validation fold, score each fit on the
fold's held-out samples and refit on all the data at the alpha with the best mean score, as
scikit-learn's ``LogisticRegressionCV`` does with ``C``. book/practice/evaluation.ipynb uses them.

Why the path starts at the largest alpha: the minimizer ``theta(alpha)`` of the strongly convex
objective is a continuous function of ``alpha > 0`` (implicit function theorem applied to the
gradient, whose Jacobian, the Hessian, is positive definite there), so the solution for one alpha
is close to the solution for the next one on a fine grid. A large alpha has small weights near
the cold start at zero; each smaller alpha then starts near its own answer, where Newton's method
converges quadratically (Nocedal and Wright, *Numerical Optimization*, Theorem 3.5). This is the
warm-start strategy of glmnet (Friedman, Hastie and Tibshirani, *Regularization paths for
generalized linear models via coordinate descent*, J. Stat. Softw. 2010) and of scikit-learn's
``LogisticRegressionCV``. What it saves is outer iterations: on the data sets of
tests/library/test_path.py, "newton" and "newton-cg" take fewer gradient evaluations (and
"newton" fewer Hessians) along the path than the same fits started from zero. newton-cg's
Hessian-vector products are not always fewer, since its inner solve is asked for more accuracy
near the optimum, and "lbfgs", which starts each fit without curvature pairs, sometimes needs a
few more evaluations.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from .models import LogisticRegression, SoftmaxRegression

__all__ = [
    "LogisticRegressionCV",
    "RegularizationPath",
    "SoftmaxRegressionCV",
    "alpha_grid",
    "neg_log_loss",
    "regularization_path",
]


@dataclass
class RegularizationPath:
    """The fits of a regularization path, one row per alpha, largest alpha first.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The penalties, sorted from the largest to the smallest, duplicates dropped.
    coefs : ndarray of shape (n_alphas, n_outputs, n_features)
        ``coef_`` of the fit at each alpha (``n_outputs`` is 1 for ``LogisticRegression``).
    intercepts : ndarray of shape (n_alphas, n_outputs)
    n_iter : ndarray of int of shape (n_alphas,)
        Iterations of each fit; a warm start that is already optimal makes 0.
    objectives : ndarray of shape (n_alphas,)
        The objective (weighted mean loss plus ``alpha/2 ||W||^2``) at each fit; NaN only when
        the first fit made no iteration (``max_iter=0``), which records no objective.
    work : list of dict
        ``work_`` of each fit: the objective's evaluations, Hessians and Hessian-vector products.
    classes : ndarray of shape (n_classes,)
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    n_iter: np.ndarray
    objectives: np.ndarray
    work: list
    classes: np.ndarray

    def __repr__(self):
        return (
            f"RegularizationPath({len(self.alphas)} alphas from {self.alphas[0]:g} to "
            f"{self.alphas[-1]:g}, {int(self.n_iter.sum())} iterations in all)"
        )


def alpha_grid(alphas, total_weight=None):
    """The grid of penalties ``alphas`` stands for, sorted from the largest to the smallest.

    Parameters
    ----------
    alphas : int >= 1 or array-like of float >= 0
        An int ``m`` stands for scikit-learn's default grid of ``LogisticRegressionCV``,
        ``C = logspace(-4, 4, m)``, in the book's terms: ``alpha = 1 / (C * total_weight)``.
        Otherwise the values themselves, with duplicates dropped.
    total_weight : float > 0, optional
        The sum of the sample weights (the number of samples when unweighted); needed for an int.

    Returns
    -------
    ndarray of shape (n_alphas,)
    """
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, (bool, np.bool_)):
        if alphas < 1:
            raise ValueError(f"alphas as an int must be >= 1 (the grid's size); received {alphas}")
        if total_weight is None or not total_weight > 0:
            raise ValueError(
                f"an int alphas needs the total sample weight > 0; received {total_weight!r}"
            )
        return 1.0 / (np.logspace(-4, 4, int(alphas)) * total_weight)
    try:
        grid = np.asarray(alphas, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"alphas must be an int or a 1-D list of numbers >= 0; received {alphas!r}"
        ) from None
    if grid.ndim != 1 or grid.size == 0:
        raise ValueError(
            "alphas must be an int >= 1 or a non-empty 1-D list of numbers >= 0; received "
            f"{'an empty list' if grid.size == 0 else f'an array of shape {grid.shape}'}"
        )
    bad = grid[~(np.isfinite(grid) & (grid >= 0))]
    if bad.size:
        raise ValueError(
            f"alphas must be finite numbers >= 0; received {', '.join(f'{a:g}' for a in bad)}"
        )
    return np.unique(grid)[::-1]


def neg_log_loss(estimator, X, y):
    """The default score: minus the mean log loss of ``estimator`` on ``(X, y)``.

    Computed from ``predict_log_proba``, which works from the logits (log-sum-exp), so it is
    exact where scikit-learn's ``"neg_log_loss"`` clips probabilities at machine epsilon; the two
    agree whenever every probability of a true class exceeds it. It also accepts a test split
    that holds only some of the classes the estimator knows.

    Returns
    -------
    float
    """
    classes, y = estimator.classes_, np.asarray(y)
    index = np.searchsorted(classes, y)
    index[index == len(classes)] = 0
    if not np.array_equal(classes[index], y):
        unknown = np.setdiff1d(y, classes)
        raise ValueError(
            f"y holds labels the estimator was not fitted to ({unknown[:5]}); expected labels "
            f"among classes_ = {classes[:10]}"
        )
    log_probs = estimator.predict_log_proba(X)
    return float(np.mean(log_probs[np.arange(len(index)), index]))


def _check_template(estimator):
    if estimator is None:
        return SoftmaxRegression()
    if type(estimator) not in (LogisticRegression, SoftmaxRegression):
        raise TypeError(
            "estimator must be a logreg LogisticRegression or SoftmaxRegression (its alpha and "
            f"warm_start are set along the path); received {estimator!r}"
        )
    return estimator


def _walk(template, X, y, alphas, sample_weight):
    """Yield the same estimator fitted at each alpha in turn, warm-started from the last fit.

    Also yields the objective at each fit: the last entry of ``loss_history_``, or, when the
    warm start was already optimal (no iteration, no history), the previous objective plus the
    change of the penalty, ``(alpha - previous alpha) / 2 ||W||^2``: the data term does not depend
    on alpha, so this is exact.
    """
    model = clone(template).set_params(warm_start=True)
    objective, previous = np.nan, None
    for alpha in alphas:
        model.set_params(alpha=float(alpha))
        model.fit(X, y, sample_weight=sample_weight)
        if model.loss_history_:
            objective = model.loss_history_[-1]
        elif previous is not None:
            objective += 0.5 * (alpha - previous) * float(np.sum(model.coef_.astype(float) ** 2))
        # else a first fit without an iteration (max_iter=0): its objective is not recorded
        previous = alpha
        yield model, float(objective)


def regularization_path(X, y, alphas, *, estimator=None, sample_weight=None):
    """Fit ``estimator`` at every alpha, largest first, each fit warm-started from the last.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Class labels, any values.
    alphas : int >= 1 or array-like of float >= 0
        The penalties (see :func:`alpha_grid`); they are fitted from the largest to the smallest.
    estimator : LogisticRegression or SoftmaxRegression, optional
        The settings of every fit (solver, tol, max_iter, class_weight, ...); its ``alpha`` and
        ``warm_start`` are ignored, and it is not modified. Default ``SoftmaxRegression()``.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    RegularizationPath
        The coefficients, intercepts, iterations, objectives and work of each fit.

    The fits equal cold fits at each alpha to the solver's tolerance; the warm starts only save
    work (tests/library/test_path.py checks both).
    """
    template = _check_template(estimator)
    n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
    total = n_samples if sample_weight is None else float(np.sum(sample_weight))
    grid = alpha_grid(alphas, total)
    coefs, intercepts, n_iter, objectives, work = [], [], [], [], []
    for model, objective in _walk(template, X, y, grid, sample_weight):
        coefs.append(model.coef_.copy())
        intercepts.append(np.asarray(model.intercept_).copy())
        n_iter.append(int(np.asarray(model.n_iter_).sum()))
        objectives.append(objective)
        work.append(dict(model.work_))
    return RegularizationPath(
        alphas=grid,
        coefs=np.array(coefs),
        intercepts=np.array(intercepts),
        n_iter=np.array(n_iter),
        objectives=np.array(objectives),
        work=work,
        classes=model.classes_,
    )


class _CrossValidated:
    """fit, parameters and attributes shared by the two cross-validated estimators."""

    def __init__(
        self,
        *,
        alphas=10,
        cv=None,
        scoring=None,
        solver="newton-cg",
        lr="auto",
        batch_size=32,
        max_iter=100,
        tol=1e-6,
        fit_intercept=True,
        class_weight=None,
        random_state=None,
    ):
        self.alphas = alphas
        self.cv = cv
        self.scoring = scoring
        self.solver = solver
        self.lr = lr
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.class_weight = class_weight
        self.random_state = random_state

    def _template(self):
        names = ("solver", "lr", "batch_size", "max_iter", "tol", "fit_intercept")
        names += ("class_weight", "random_state")
        return self._estimator_class(**{name: getattr(self, name) for name in names})

    def fit(self, X, y, sample_weight=None):
        """Score the path on every fold, then refit on all of ``X`` at the best alpha.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
            Weights of the fits (the scorer is called without them, as scikit-learn's
            ``LogisticRegressionCV`` does without metadata routing).

        Returns
        -------
        self
        """
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32])
        check_classification_targets(y)
        self._check_classes(np.unique(y))
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64)
        total = len(y) if sample_weight is None else float(sample_weight.sum())
        grid = alpha_grid(self.alphas, total)
        template = self._template()
        scoring = "neg_log_loss" if self.scoring is None else self.scoring
        scorer = neg_log_loss if self.scoring is None else check_scoring(template, self.scoring)
        folds = list(check_cv(self.cv, y, classifier=True).split(X, y))
        scores = np.empty((len(folds), len(grid)))
        n_iter = np.zeros((len(folds), len(grid)), dtype=int)
        for f, (train, test) in enumerate(folds):
            weights = None if sample_weight is None else sample_weight[train]
            for j, (model, _) in enumerate(_walk(template, X[train], y[train], grid, weights)):
                score = scorer(model, X[test], y[test])
                if not np.isfinite(score):
                    raise ValueError(
                        f"the score ({scoring}) of fold {f} at "
                        f"alpha={grid[j]:g} is {score}; expected a finite number: a NaN or "
                        "infinite score cannot rank the alphas (does the fold's test split hold "
                        "every class the scorer needs?)"
                    )
                scores[f, j] = score
                n_iter[f, j] = int(np.asarray(model.n_iter_).sum())
        best = int(np.argmax(scores.mean(axis=0)))  # the first of ties: the largest alpha
        final = clone(template).set_params(alpha=float(grid[best]))
        final.fit(X, y, sample_weight=sample_weight)
        self.alphas_, self.scores_, self.n_iter_ = grid, scores, n_iter
        self.alpha_ = float(grid[best])
        self.classes_, self.coef_, self.intercept_ = final.classes_, final.coef_, final.intercept_
        self.loss_history_, self.work_ = final.loss_history_, final.work_
        return self


_CV_ATTRIBUTES = """
    Parameters
    ----------
    alphas : int >= 1 or array-like of float >= 0, default 10
        The grid (``logreg.path.alpha_grid``): an int ``m`` gives scikit-learn's default grid of
        ``LogisticRegressionCV``, ``C = logspace(-4, 4, m)``, as ``alpha = 1 / (C * n_samples)``
        (``sum(sample_weight)`` when weighted).
    cv : int, cross-validation splitter or iterable, default None
        As in scikit-learn (``check_cv``): None is 5 folds, an int that many folds, stratified by
        class.
    scoring : str, callable or None, default None
        A scikit-learn scorer (greater is better). None is :func:`neg_log_loss`: minus the mean
        cross-entropy, the loss the estimator minimizes, computed exactly from the logits. A
        fold whose score is NaN or infinite raises ValueError instead of being averaged.
    solver, lr, batch_size, max_iter, tol, fit_intercept, class_weight, random_state
        Those of every fit along the path and of the final fit: see ``logreg.models``.

    Attributes
    ----------
    alpha_ : float
        The alpha with the best mean score over the folds (the largest of ties).
    alphas_ : ndarray of shape (n_alphas,)
        The grid, from the largest alpha to the smallest.
    scores_ : ndarray of shape (n_folds, n_alphas)
        The score of each fold's fit at each alpha on the fold's held-out samples.
    n_iter_ : ndarray of int of shape (n_folds, n_alphas)
        The iterations of each fit along each fold's path (not of the final fit).
    classes_, coef_, intercept_, loss_history_, work_
        Those of the final fit, on all the data at ``alpha_``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has feature names (a DataFrame).
"""


class SoftmaxRegressionCV(_CrossValidated, SoftmaxRegression):
    __doc__ = (
        """Softmax regression with alpha chosen by cross-validation along a warm-started path.

    On each fold, :func:`regularization_path` fits the fold's training samples at every alpha,
    largest first, and the scorer scores each fit on the fold's held-out samples; the model is
    then refitted on all the data at ``alpha_``, the alpha with the best mean score (the manner
    of scikit-learn's ``LogisticRegressionCV``, with alpha in place of C). It predicts as
    :class:`~logreg.models.SoftmaxRegression` does.
"""
        + _CV_ATTRIBUTES
    )

    _estimator_class = SoftmaxRegression


class LogisticRegressionCV(_CrossValidated, LogisticRegression):
    __doc__ = (
        """Binary logistic regression with alpha chosen by cross-validation along a warm path.

    As :class:`SoftmaxRegressionCV`, for two classes; it predicts as
    :class:`~logreg.models.LogisticRegression` does.
"""
        + _CV_ATTRIBUTES
    )

    _estimator_class = LogisticRegression
