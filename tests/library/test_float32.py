"""float32 input: the solvers reach the float64 optimum where the problem allows it, and say so
when rounding stops them short of the tol asked for (the reviewer's defects 3 and 4)."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning

from logreg import LogisticRegression, SoftmaxRegression
from logreg.objective import BinaryObjective, SoftmaxObjective
from logreg.solvers import SOLVERS

ALPHA = 1e-6


def _overlapping(seed, n=240, d=4, k=3):
    """Unscaled Gaussian classes that overlap, so the optimum stays finite as alpha -> 0."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, d)) + 1.5 * rng.normal(size=(k, d))[y]
    return X * np.logspace(0, 2, d), y  # columns 1 to 100 apart


def _data_sets():
    X, y = load_iris(return_X_y=True)
    yield "iris", X, y
    for seed in (0, 1, 2):
        yield f"blobs{seed}", *_overlapping(seed)


def _theta(model):
    return np.concatenate([model.coef_.ravel(), model.intercept_])


def _objective(X, y):
    n = len(y)
    return SoftmaxObjective(X, y, len(np.unique(y)), ALPHA, True, np.full(n, 1 / n))


@pytest.mark.parametrize("scale", [1.0, 1e2, 1e4])
@pytest.mark.parametrize("solver", ["newton-cg", "newton"])
@pytest.mark.parametrize("name, X, y", list(_data_sets()), ids=lambda v: str(v)[:6])
def test_float32_unscaled_small_alpha_reaches_the_float64_optimum(name, X, y, solver, scale):
    # In float32 the class sum of the data gradient is rounding (about 1e-3 of it at x 1e4), along
    # the class shift that only alpha curves: divided by alpha = 1e-6 it sent newton-cg to a gap
    # of 27 and newton to 25 on iris x 1e4. The float64 fit at the same tol is the yardstick.
    X = X * scale
    obj = _objective(X, y)
    tight = SoftmaxRegression(solver="newton", alpha=ALPHA, tol=1e-10, max_iter=200).fit(X, y)
    f_star = obj.loss(_theta(tight))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        f64 = SoftmaxRegression(solver=solver, alpha=ALPHA).fit(X, y)
        f32 = SoftmaxRegression(solver=solver, alpha=ALPHA).fit(X.astype(np.float32), y)
    gap64 = obj.loss(_theta(f64)) / f_star - 1
    gap32 = obj.loss(_theta(f32)) / f_star - 1
    assert gap32 <= max(10 * gap64, 1e-5), (gap32, gap64)


def _scaled_gradient(obj, theta):
    return float(np.max(np.abs(obj.loss_grad(theta)[1]) / np.sqrt(obj.curvature_scale())))


def _float32_problems():
    X, y = load_iris(return_X_y=True)
    yield SoftmaxRegression, X, y
    yield LogisticRegression, X, (y == 1).astype(int)
    X, y = load_wine(return_X_y=True)
    yield SoftmaxRegression, (X - X.mean(axis=0)) / X.std(axis=0), y


@pytest.mark.parametrize("solver", ["newton-cg", "newton", "lbfgs"])
@pytest.mark.parametrize(
    "estimator, X, y", list(_float32_problems()), ids=["iris", "iris01", "wine"]
)
def test_below_float32_resolution_solvers_stop_early_and_warn(estimator, X, y, solver):
    # tol = 1e-13 is below what float32 products resolve: no solver may claim it, and newton must
    # stop once its steps make no progress, not run through max_iter Hessians.
    X = X.astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = estimator(solver=solver, alpha=1e-3, tol=1e-13, max_iter=300).fit(X, y)
    n = len(y)
    if estimator is SoftmaxRegression:
        obj = SoftmaxObjective(X, y, len(np.unique(y)), 1e-3, True, np.full(n, 1 / n))
    else:
        obj = BinaryObjective(X, np.where(y == 1, 1.0, -1.0), 1e-3, True, np.full(n, 1 / n))
    measure = _scaled_gradient(obj, _theta(model))
    warned = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert measure > 1e-13  # the premise: float32 cannot get there
    assert len(warned) == 1 and "rounding" in str(warned[0].message)
    if solver != "lbfgs":  # lbfgs's iterations are cheap; the two Newton methods' are not
        assert model.n_iter_ < 40


class _Blurred(SoftmaxObjective):
    """A float32 objective whose evaluations carry rounding-sized noise, as on a large n."""

    def __init__(self, X, y, seed):
        n = len(y)
        super().__init__(X.astype(np.float32), y, 3, 1e-3, True, np.full(n, 1 / n))
        self.rng = np.random.default_rng(seed)

    def loss_grad(self, theta, rows=None):
        loss, grad = super().loss_grad(theta, rows)
        noise = 1e-9 * abs(loss) * self.rng.normal()  # below float32's 6e-8 of the objective
        return loss + noise, grad + 1e-6 * np.sqrt(self.curvature_scale()) * self.rng.normal(
            size=grad.shape
        )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_newton_stops_when_its_steps_are_lost_in_rounding(seed):
    # Noise lets a trial step "lower" the objective by chance: newton used to accept such steps
    # for all max_iter iterations (each one a Hessian: minutes on 100000 x 50).
    X, y = load_iris(return_X_y=True)
    obj = _Blurred(X, y, seed)
    result = SOLVERS["newton"](obj, np.zeros(obj.size), max_iter=60, tol=1e-14, step_done=_never)
    assert not result.converged and result.note
    assert result.n_iter <= 12  # 8 to 11 steps reach the noise; 14 to 28 without the stop
    assert obj.loss(result.theta) <= obj.loss(_float64_optimum(X, y)) * (1 + 1e-6)


def _never(theta, loss):
    return False


def _float64_optimum(X, y):
    model = SoftmaxRegression(solver="newton", alpha=1e-3, tol=1e-10).fit(X, y)
    return _theta(model)


def test_newton_cg_does_not_claim_a_tol_it_did_not_reach():
    # The reviewer's case: float32 digits at tol=1e-10, where newton-cg once returned "converged"
    # at a scaled gradient of 4.3e-9 without a warning.
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = SoftmaxRegression(solver="newton-cg", alpha=1e-3, tol=1e-10).fit(X, y)
    n = len(y)
    obj = SoftmaxObjective(X, y, 10, 1e-3, True, np.full(n, 1 / n))
    warned = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert _scaled_gradient(obj, _theta(model)) <= 1e-10 or len(warned) == 1
