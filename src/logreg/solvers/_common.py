"""What every solver shares: the stopping test, the divergence test and the result."""

from dataclasses import dataclass

import numpy as np

from ..exceptions import DivergenceError


@dataclass
class Result:
    theta: np.ndarray
    n_iter: int
    converged: bool
    note: str = ""


class Stopping:
    """``tol`` on the gradient scaled by the curvature, the same for every solver.

    The test is ``max_j |g_j| / sqrt(s_j) <= tol`` with ``s`` the diagonal of Böhning's bound
    (``Objective.curvature_scale``): multiplying a feature by a constant, with ``alpha`` rescaled
    to the same problem, multiplies ``g_j`` and ``sqrt(s_j)`` alike and leaves the test unchanged.
    """

    def __init__(self, obj, tol):
        self.root = np.sqrt(obj.curvature_scale())
        self.inv_root = 1.0 / self.root
        self.tol = tol

    def measure(self, grad):
        return float(np.max(np.abs(grad) * self.inv_root)) if grad.size else 0.0

    def measure_step(self, step):
        """``max_j |d_j| sqrt(s_j)``: a step (an estimate of the distance to the optimum) in the
        units of the gradient test, which rescaling a feature leaves unchanged as well."""
        return float(np.max(np.abs(step) * self.root)) if step.size else 0.0

    def __call__(self, grad):
        return self.measure(grad) <= self.tol


class Stall:
    """Tells when a Newton-type method's steps are lost in the rounding of X's dtype.

    Once the objective's decrease is below its rounding, a Newton step from inside its region of
    quadratic convergence at least halves the scaled gradient (Nocedal and Wright, Theorem 3.5;
    superlinear for an inexact step whose forcing term goes to zero, their Theorem 7.2). A step
    that does neither only moved within the rounding; two in a row end the run, which then
    reports "no progress" (and the estimator warns when tol is not met).
    """

    def __init__(self, obj, stop):
        self.resolution, self.stop, self.count = np.finfo(obj.dtype).eps, stop, 0

    def __call__(self, loss, new_loss, grad, new_grad):
        small = loss - new_loss <= self.resolution * abs(loss)
        lost = small and self.stop.measure(new_grad) > 0.5 * self.stop.measure(grad)
        self.count = self.count + 1 if lost else 0
        return self.count >= 2


def check_divergence(obj, theta, loss, lr):
    """Raise DivergenceError when the iterates provably grow without bound.

    The data term's gradient is bounded (``obj.grad_bound``), so a step of size ``lr`` moves the
    weights by a bounded amount and, on its own, can never make them explode. The L2 term
    multiplies the weights by ``1 - lr * alpha`` at every step: when ``lr * alpha > 2`` that factor
    exceeds 1 in absolute value, and once the weights' norm passes ``lr * G / (lr * alpha - 2)``
    it grows geometrically for ever (prop-l2-blowup, book/training/softmax_from_scratch.ipynb).
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
