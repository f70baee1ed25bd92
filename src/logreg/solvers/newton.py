"""Newton's method with the exact Hessian, the book's second-order method (IRLS for the binary
model: book/logistic/logistic_loss.ipynb, "Why Newton's method is IRLS here").

The Hessian (thm-ce-hessian) is formed in float64 and accumulated over blocks of rows, so memory
is O(p^2 + block * p) for p parameters: fine for hundreds of parameters, too much for tens of
thousands (use ``newton-cg``). A backtracking line search guarantees descent; near the optimum the
full step is accepted and convergence is quadratic.
"""

import numpy as np

from ._common import Result, Stall, Stopping


def newton(obj, theta, *, max_iter, tol, step_done, **_):
    stop = Stopping(obj, tol)
    loss, grad = obj.loss_grad(theta)
    if stop(grad):
        return Result(theta, 0, True)
    N = obj.null_space()
    stalled = Stall(obj, stop)
    for it in range(1, max_iter + 1):
        H = obj.hessian(theta)
        if N is not None:
            # The Hessian is singular along the shift directions N (thm-shift-invariance,
            # thm-ce-hessian) and the gradient is orthogonal to them; adding c N N^T makes the
            # system solvable without changing the step on the rest (the minimum-norm step).
            H += (np.trace(H) / H.shape[0] + 1.0) * (N @ N.T)
        try:
            direction = -np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            direction = -np.linalg.lstsq(H, grad, rcond=None)[0]
        if N is not None:
            direction -= N @ (N.T @ direction)
        slope = float(grad @ direction)
        if not slope < 0:
            direction, slope = -grad, -float(grad @ grad)
        step, noise = 1.0, 8 * np.finfo(float).eps * abs(loss)
        for _ in range(60):
            trial = theta + step * direction
            new_loss, new_grad = obj.loss_grad(trial)
            if new_loss < loss and new_loss <= loss + 1e-4 * step * slope:
                break  # Armijo's sufficient decrease
            if new_loss <= loss + noise and abs(float(new_grad @ direction)) <= 0.9 * -slope:
                break  # a change below the loss's rounding: judged by the slope (linesearch.py)
            step *= 0.5
        else:  # no decrease at this precision: the optimum, as far as rounding allows
            return Result(theta, it - 1, stop(grad), "line search")
        lost = stalled(loss, new_loss, grad, new_grad)
        theta, loss, grad = trial, new_loss, new_grad
        if step_done(theta, loss) or stop(grad):
            return Result(theta, it, True)
        if lost:  # more Hessians would buy nothing
            return Result(theta, it, False, "no progress")
    return Result(theta, max_iter, False)
