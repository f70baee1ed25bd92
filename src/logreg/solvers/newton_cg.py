"""Truncated Newton (newton-cg): Newton's step, solved by preconditioned conjugate gradients.

Each iteration solves ``H d = -g`` approximately using only Hessian-vector products (two matrix
products each, never the Hessian itself), to a relative accuracy that tightens as the gradient
shrinks. The preconditioner is a Kronecker-factored approximation of the Hessian (thm-ce-hessian):
the mean curvature in the logits times the Gram matrix of the data, or Böhning's bound
(prop-bohning) before the first evaluation; the step length satisfies the strong
Wolfe conditions. Memory is O(n_samples * n_classes + n_parameters), so it suits problems where
the Hessian of ``newton`` would not fit.
"""

import numpy as np

from ._common import Result, Stopping
from .linesearch import strong_wolfe


def newton_cg(obj, theta, *, max_iter, tol, step_done, max_cg=200, **_):
    obj.keep_probs = True
    stop = Stopping(obj, tol)
    loss, grad = obj.loss_grad(theta)
    if stop(grad):
        return Result(theta, 0, True)
    for it in range(1, max_iter + 1):
        forcing = min(0.5, np.sqrt(stop.measure(grad)))
        direction = _pcg(obj.hess_vec, -grad, obj.precondition, forcing, max_cg)
        slope = float(grad @ direction)
        if not slope < 0:
            direction = -obj.precondition(grad)
            slope = float(grad @ direction)

        def evaluate(a, theta=theta, direction=direction):
            trial = theta + a * direction
            f, g = obj.loss_grad(trial)
            return f, float(g @ direction), (trial, f, g)

        step, payload = strong_wolfe(evaluate, loss, slope)
        if step is None:
            return Result(theta, it - 1, stop(grad), "line search")
        theta, loss, grad = payload
        if step != 1.0:
            obj.loss_grad(theta)  # the Hessian products must use the accepted point
        if step_done(theta, loss) or stop(grad):
            return Result(theta, it, True)
    return Result(theta, max_iter, False)


def _pcg(matvec, b, precondition, rtol, max_iter):
    x = np.zeros_like(b)
    r = b.copy()
    z = precondition(r)
    p = z.copy()
    rz = float(r @ z)
    stop_at = (rtol**2) * rz
    for _ in range(max_iter):
        Ap = matvec(p)
        curvature = float(p @ Ap)
        if curvature <= 1e-300:  # a flat direction (the shift symmetry): nothing more to gain
            break
        step = rz / curvature
        x += step * p
        r -= step * Ap
        z = precondition(r)
        rz_new = float(r @ z)
        if rz_new <= stop_at:
            break
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x if np.any(x) else b.copy()
