"""One case of the benchmark: its data, both libraries' fits, the objective computed by neither
library, and the solvers the case cannot run (benchmarks/measure.py times the others)."""

import inspect
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp
from threadpoolctl import threadpool_limits

import logreg
import logreg.models
import logreg.objective
import logreg.solvers

REL_GAP = 1e-6
EXACT_MAX = 2000  # largest number of parameters for which an exact-Hessian solver is run
DENSE_MAX = 1e9  # bytes: the largest dense (d+1)^2 matrix a solver may build from a sparse X
SK_EXACT = {"newton-cholesky"}
OURS_EXACT = {"newton"}


def quiet(fn):
    def wrapped(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return wrapped


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak_memory(fn):
    """Peak bytes allocated through Python and NumPy during ``fn()`` (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class Problem:
    """A case's data, both libraries' fits, and the objective computed independently."""

    def __init__(self, case):
        self.case = case
        self.X, y = case.build()
        self.classes, self.y = np.unique(y, return_inverse=True)
        self.binary = len(self.classes) == 2
        self.alpha, self.n = case.alpha, len(self.y)
        self.n_params = (1 if self.binary else len(self.classes)) * (self.X.shape[1] + 1)
        self._X64 = self.X.astype(np.float64) if self.X.dtype != np.float64 else self.X
        self.f_star = np.inf
        self.target = None

    def objective(self, coef, intercept):
        W, b = np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)
        Z = np.asarray(self._X64 @ W.T) + b
        if self.binary:
            loss = np.logaddexp(0.0, -(2.0 * self.y - 1.0) * Z[:, 0])
        else:
            loss = logsumexp(Z, axis=1) - Z[np.arange(self.n), self.y]
        return float(loss.mean() + 0.5 * self.alpha * np.sum(W * W))

    def reached(self, model):
        value = self.objective(model.coef_, model.intercept_)
        self.f_star = min(self.f_star, value)  # any fit may improve on the reference
        return value <= self.target

    def ours(self, solver, max_iter, tol=0.0, callback=None):
        cls = logreg.LogisticRegression if self.binary else logreg.SoftmaxRegression
        model = cls(
            solver=solver,
            alpha=self.alpha,
            max_iter=max_iter,
            tol=tol,
            random_state=0,
            callback=callback,
        )
        return quiet(model.fit)(self.X, self.y)

    def sklearn(self, solver, max_iter, tol=1e-16):
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(
            C=1.0 / (self.alpha * self.n), solver=solver, max_iter=max_iter, tol=tol, random_state=0
        )
        return quiet(model.fit)(self.X, self.y)

    def set_target(self, skip_ours):
        """f* from the tight fits (a logreg fit only where its newton-cg may run on the case)."""
        # one thread: two oversubscribed threads on a loaded machine made these take minutes
        with threadpool_limits(1):
            if "newton-cg" in logreg.models.SOLVERS and "newton-cg" not in skip_ours:
                self.reached_any(self.ours("newton-cg", 300, tol=1e-10))
            tight = "newton-cholesky" if self.n_params <= EXACT_MAX else "newton-cg"
            # tol is scikit-learn's max |gradient|: the gap left is about |g|^2 / (2 alpha), far
            # below the target's 1e-6 at 1e-9, while 1e-12 took many minutes at 2M parameters
            self.reached_any(self.sklearn(tight, 500, tol=1e-9))
        self.f_ref = self.f_star  # f_star keeps falling if a later fit goes lower: reported
        self.target = self.f_ref * (1 + REL_GAP)

    def reached_any(self, model):
        self.f_star = min(self.f_star, self.objective(model.coef_, model.intercept_))


def default_solver(binary):
    """The estimator's default ``solver``, and what it resolves to when that is "auto"."""
    cls = logreg.LogisticRegression if binary else logreg.SoftmaxRegression
    return cls().solver


def resolve_auto(problem):
    """The solver "auto" picks on this case: ``logreg.solvers.choose_solver`` called with the
    arguments its signature names, else the fitted ``solver_`` of a one-iteration fit."""
    picked = _choose_solver(problem)
    if picked is not None:
        return picked
    if skip_reason(problem, "ours", "auto"):
        return None  # even one iteration would build a matrix too large for the machine
    model = problem.ours("auto", 1)
    for attribute in ("solver_", "chosen_solver_"):
        if isinstance(getattr(model, attribute, None), str):
            return getattr(model, attribute)
    return None


def _choose_solver(problem):
    choose = getattr(logreg.solvers, "choose_solver", None)
    if choose is None:
        return None
    X, K, n = problem.X, len(problem.classes), problem.n
    if problem.binary:
        obj = logreg.objective.BinaryObjective(
            X, 2.0 * problem.y - 1.0, problem.alpha, True, np.full(n, 1 / n)
        )
    else:
        obj = logreg.objective.SoftmaxObjective(
            X, problem.y, K, problem.alpha, True, np.full(n, 1 / n)
        )
    known = {
        "obj": obj,
        "objective": obj,
        "X": X,
        "y": problem.y,
        "n_classes": K,
        "n_outputs": 1 if problem.binary else K,
        "n_samples": X.shape[0],
        "n_features": X.shape[1],
        "sparse": sp.issparse(X),
        "alpha": problem.alpha,
    }
    args = {}
    for name, param in inspect.signature(choose).parameters.items():
        if name in known:
            args[name] = known[name]
        elif param.default is inspect.Parameter.empty and param.kind not in (
            param.VAR_POSITIONAL,
            param.VAR_KEYWORD,
        ):
            return None  # an argument this benchmark does not know how to supply
    picked = choose(**args)
    if isinstance(picked, str):
        return picked
    names = [k for k, fn in logreg.solvers.SOLVERS.items() if fn is picked]  # a solver function
    return names[0] if names else getattr(picked, "__name__", str(picked))


_DENSE_PROBE = {}


def builds_dense_from_sparse(solver):
    """Does a fit build a (d+1) x (d+1) dense matrix from a sparse X? Measured, not assumed: a
    2-iteration fit on a 300 x 2000 CSR matrix with 1200 non-zeros peaks above half of such a
    matrix (16 MB) only if it does."""
    if solver not in _DENSE_PROBE:
        from cases import text_like

        X, y = text_like(300, 2000, 0.002, 3, seed=1)
        model = logreg.SoftmaxRegression(solver=solver, max_iter=2, tol=0.0, random_state=0)
        _DENSE_PROBE[solver] = peak_memory(lambda: quiet(model.fit)(X, y)) > 8 * 2001**2 / 2
    return _DENSE_PROBE[solver]


def skip_reason(problem, side, solver):
    """Why a solver is not run on this case, or ''."""
    if (solver in (OURS_EXACT if side == "ours" else SK_EXACT)) and problem.n_params > EXACT_MAX:
        return f"exact Hessian of {problem.n_params} parameters (> {EXACT_MAX})"
    if side == "sklearn" or not sp.issparse(problem.X):
        return ""
    if solver in ("gd", "sgd") and not hasattr(logreg.objective.Objective, "lipschitz"):
        return "lr='auto' runs eigvalsh on the (d+1)^2 Gram matrix of a sparse X"
    size = 8.0 * (problem.X.shape[1] + 1) ** 2
    if size > DENSE_MAX and builds_dense_from_sparse(solver):
        return f"builds a dense (d+1)^2 matrix from sparse X ({size / 1e9:.1f} GB)"
    return ""
