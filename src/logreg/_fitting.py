"""What the estimators of ``logreg.models`` do around a solver call.

The parameter checks, the weights ``omega`` of the objective, the warm start, how a solver's flat
float64 ``theta`` becomes ``coef_`` and ``intercept_`` (in the dtype of X, as scikit-learn keeps
float32 coefficients for float32 X) and the warnings that say why a fit did not converge.
"""

import numbers
import warnings

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_sample_weight

from ._validation import real_param
from .exceptions import ConvergenceWarning, SeparationWarning

# scikit-learn's LogisticRegression stores n_iter_ as an int32 array of shape (1,).
N_ITER_DTYPE = np.int32

# Solvers that standardizing the features speeds up, so a warning about them suggests it. gd and
# sgd take steps of 1/L, which a badly conditioned X makes tiny (after 1000 gd iterations at
# alpha=1e-3 the scaled gradient is 10 to 200 times smaller on standardized iris, wine, breast
# cancer and digits than on the raw data). lbfgs starts from a diagonal model of the curvature,
# which rescaling cannot fool but uncentred, correlated columns can: at tol=1e-6 it needs 103, 365,
# >1000 and >1000 iterations on those raw data and 35, 39, 44 and 81 standardized. Newton's method
# is invariant to a linear change of the features and newton-cg's outer iterations inherit that
# (7 to 10 iterations either way): there, scaling the data is not the fix.
SCALE_SENSITIVE = ("lbfgs", "gd", "sgd")


def n_iter_array(n_iter):
    """``n_iter_`` as scikit-learn's LogisticRegression gives it: an int32 array of shape (1,)."""
    return np.array([n_iter], dtype=N_ITER_DTYPE)


def check_params(est, solvers):
    """Validate the estimator's parameters at fit time; return ``(alpha, tol)`` as floats."""
    if est.solver not in solvers:
        raise ValueError(
            f"solver must be one of {', '.join(repr(s) for s in solvers)}; received {est.solver!r}"
        )
    if not (isinstance(est.lr, str) and est.lr == "auto"):
        lr = real_param(est.lr, "lr", "'auto' or a real number > 0")
        if not lr > 0:
            raise ValueError(f"lr must be 'auto' or a finite number > 0; received {est.lr!r}")
    alpha = real_param(est.alpha, "alpha", "a real number >= 0")
    if alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0; received {est.alpha!r}")
    tol = real_param(est.tol, "tol", "a real number >= 0")
    if tol < 0:
        raise ValueError(f"tol must be a finite number >= 0; received {est.tol!r}")
    # max_iter=0 is scikit-learn's way to look at the starting point (test_zero_max_iter).
    for name, least in (("max_iter", 0), ("batch_size", 1)):
        value = getattr(est, name)
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < least:
            raise ValueError(f"{name} must be an int >= {least}; received {value!r}")
    for name in ("fit_intercept", "warm_start"):
        if not isinstance(getattr(est, name), (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False; received {getattr(est, name)!r}")
    if est.callback is not None and not callable(est.callback):
        raise TypeError(f"callback must be callable or None; received {est.callback!r}")
    return alpha, tol


def sample_weights(class_weight, X, y, classes, y_index, sample_weight):
    """``omega_i = s_i c_i / sum_j s_j`` (logreg.models), as float64.

    The class weights are scikit-learn's ``compute_class_weight`` given the sample weights, so that
    "balanced" counts a sample of weight k as k samples, as repeating its row would. A class whose
    samples all have weight 0 contributes nothing whatever its weight, and "balanced" would give it
    1/0: it gets 0 instead of inf (whose product with the zero weights is NaN).
    """
    s = _check_sample_weight(sample_weight, X, dtype=np.float64)
    if np.any(s < 0) or not np.all(np.isfinite(s)):
        raise ValueError("sample_weight must be finite and non-negative; received other values")
    total = s.sum()
    if total <= 0:
        raise ValueError("sample_weight sums to 0; expected at least one positive weight")
    if class_weight is None:
        return s / total
    with np.errstate(divide="ignore"):
        c = compute_class_weight(class_weight, classes=classes, y=y, sample_weight=s)
    c = np.asarray(c, dtype=np.float64)
    if isinstance(class_weight, str):  # "balanced": inf only for classes of total weight 0
        c[~np.isfinite(c)] = 0.0
    elif np.any(c < 0) or not np.all(np.isfinite(c)):
        raise ValueError(
            f"class_weight must map classes to finite weights >= 0; received {class_weight!r}"
        )
    return s * c[y_index] / total


def warm_theta(est, obj, classes):
    """The previous fit's parameters as a flat float64 vector, or None to start from zero.

    A warm start is only a starting point, so a fit on another set of classes or features, where
    the old coefficients mean nothing, starts from zero instead (scikit-learn raises there).
    """
    if not hasattr(est, "coef_") or not np.array_equal(getattr(est, "classes_", None), classes):
        return None
    if est.coef_.shape != (obj.n_outputs, obj.n_features):
        return None
    theta = np.empty(obj.size)
    theta[: obj.n_weights] = est.coef_.ravel()
    if obj.fit_intercept:
        theta[obj.n_weights :] = est.intercept_
    return theta


def set_theta(est, obj, theta, dtype):
    """``coef_`` and ``intercept_`` from the solver's float64 ``theta``, in ``dtype`` (X's)."""
    W, b = obj.split(theta)
    est.coef_ = W.astype(dtype)
    est.intercept_ = b.astype(dtype) if b is not None else np.zeros(obj.n_outputs, dtype=dtype)


def warn_if_separated(est, obj, theta, X, y_index, weights):
    """With alpha = 0, separated classes leave the loss without a minimizer: say so.

    The fitted parameters (the solver's float64 ``theta``, not the possibly float32 ``coef_``) are
    tried first as the certificate of complete separation, so separable data cost nothing more;
    otherwise logreg.separation solves a linear program.
    Returns True when it warned.
    """
    from .separation import check_separation

    W, b = obj.split(theta)
    candidate = np.column_stack([W, b]) if est.fit_intercept else W
    if candidate.shape[0] == 1:  # binary: the logit is z_1 - z_0 with d_0 = 0
        candidate = np.vstack([np.zeros_like(candidate), candidate])
    found = check_separation(X, y_index, weights, est.fit_intercept, candidate=candidate)
    if found.kind == "overlap":
        return False
    case = (
        "completely separated: some hyperplanes put every training sample strictly on its "
        "own class's side"
        if found.kind == "complete"
        else "quasi-completely separated: some hyperplanes put every training sample on its "
        "own class's side or on a boundary, and some strictly on its side"
    )
    norm = float(np.linalg.norm(est.coef_))
    warnings.warn(
        f"The classes are {case}. With alpha=0 the loss then has no minimizer: it keeps "
        "falling as the weights grow along that direction, so these weights (norm "
        f"{norm:.3g}) are set by tol={est.tol:g} and max_iter={est.max_iter}, not by the "
        "data. Set alpha > 0 for a unique, bounded answer "
        "(book/practice/separable_data.ipynb).",
        SeparationWarning,
        stacklevel=3,
    )
    return True


def warn_not_converged(est, obj, result, tol):
    """A ConvergenceWarning that says where the solver stopped, why, and what to change."""
    from .solvers._common import Stopping

    name = f"{type(est).__name__}(solver={est.solver!r})"
    measure = Stopping(obj, tol).measure(obj.loss_grad(result.theta)[1])
    if result.note:  # the line search found no lower objective before tol was met
        message = (
            f"{name} stopped after {result.n_iter} iterations: no step lowers the objective at "
            f"{np.dtype(obj.dtype).name} precision, yet the scaled gradient is {measure:.2e} > "
            f"tol={tol:g}; this tol is below what rounding allows on this problem: use a larger "
            "tol, or standardize the features."
        )
    elif est.max_iter == 0:
        message = (
            f"{name} ran no iteration (max_iter=0): coef_ and intercept_ are the starting point, "
            f"where the scaled gradient is {measure:.2e} > tol={tol:g}."
        )
    else:
        fixes = ["increase max_iter"]
        if est.solver in SCALE_SENSITIVE:
            fixes.append("scale the data (sklearn.preprocessing.StandardScaler)")
        if est.solver in ("gd", "sgd"):
            fixes.append("tune lr, or use solver='newton-cg' or 'lbfgs'")
        state = (
            f"scaled gradient {measure:.2e} > tol={tol:g}"
            if measure > tol  # else lbfgs: its model's step to the optimum is not yet within tol
            else f"scaled gradient {measure:.2e} <= tol={tol:g}, but the step still > tol"
        )
        message = (
            f"{name} did not converge in max_iter={est.max_iter} iterations ({state}); "
            f"{', or '.join(fixes)}."
        )
    warnings.warn(message, ConvergenceWarning, stacklevel=3)
