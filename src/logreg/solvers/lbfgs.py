"""L-BFGS: a quasi-Newton method that builds a curvature model from the last ``memory`` steps.

Each iteration computes the direction ``-H g`` by the two-loop recursion (Nocedal and Wright,
Algorithm 7.4), where ``H`` approximates the inverse Hessian from pairs ``s = theta_new - theta``,
``y = g_new - g`` that satisfy the secant condition ``H y = s``. The recursion starts from a
diagonal matrix: the inverse of the diagonal of Böhning's bound (prop-bohning), scaled by
``s.y / y.D^-1 y``, which makes the method insensitive to the scale of each feature. The step
length satisfies the strong Wolfe conditions.
"""

from collections import deque

from ._common import Result, Stopping
from .linesearch import strong_wolfe


def lbfgs(obj, theta, *, max_iter, tol, step_done, memory=10, **_):
    stop = Stopping(obj, tol)
    scale = obj.curvature_scale()
    loss, grad = obj.loss_grad(theta)
    if stop(grad):
        return Result(theta, 0, True)
    pairs = deque(maxlen=memory)  # (s, y, 1 / s.y)
    gamma = 1.0
    for it in range(1, max_iter + 1):
        direction = -two_loop(grad, pairs, gamma, scale)
        slope = float(grad @ direction)
        if not slope < 0:  # rounding spoiled the model: restart from the scaled gradient
            pairs.clear()
            direction = -grad / scale
            slope = float(grad @ direction)
            if not slope < 0:
                return Result(theta, it - 1, stop(grad), "no descent")

        def evaluate(a, theta=theta, direction=direction):
            trial = theta + a * direction
            f, g = obj.loss_grad(trial)
            return f, float(g @ direction), (trial, f, g)

        step, payload = strong_wolfe(evaluate, loss, slope)
        if step is None:  # no decrease at this precision: the optimum, as far as rounding allows
            return Result(theta, it - 1, stop(grad), "line search")
        new_theta, new_loss, new_grad = payload
        s, y = new_theta - theta, new_grad - grad
        sy = float(s @ y)
        if sy > 1e-12 * float(y @ y):
            pairs.append((s, y, 1.0 / sy))
            gamma = sy / float(y @ (y / scale))
        theta, loss, grad = new_theta, new_loss, new_grad
        if step_done(theta, loss) or stop(grad):
            return Result(theta, it, True)
    return Result(theta, max_iter, False)


def two_loop(grad, pairs, gamma, scale):
    """``H g`` for the L-BFGS inverse-Hessian approximation ``H`` (alg-two-loop,
    book/training/second_order.ipynb), without forming ``H``.

    Parameters
    ----------
    grad : ndarray of shape (n_parameters,)
    pairs : sequence of (s, y, rho)
        The stored steps ``s``, gradient changes ``y`` and ``rho = 1 / s.y``, oldest first.
    gamma : float
        Scale of the initial matrix ``H_0 = gamma * diag(1 / scale)``.
    scale : ndarray of shape (n_parameters,)

    Returns
    -------
    ndarray of shape (n_parameters,)
    """
    q = grad.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        q -= a * y
        alphas.append(a)
    r = gamma * (q / scale)
    for (s, y, rho), a in zip(pairs, reversed(alphas), strict=True):
        r += (a - rho * float(y @ r)) * s
    return r
