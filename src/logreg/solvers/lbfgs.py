"""L-BFGS: a quasi-Newton method that builds a curvature model from the last ``memory`` steps.

Each iteration computes the direction ``-H g``, where ``H`` approximates the inverse Hessian from
pairs ``s = theta_new - theta``, ``y = g_new - g`` that satisfy the secant condition ``H y = s``:
the book derives it by the two-loop recursion (Nocedal and Wright, Algorithm 7.4, ``two_loop``);
the solver applies the same matrix in compact form (``CompactInverse``). The model starts from a
diagonal matrix: the inverse of the diagonal of Böhning's bound (prop-bohning), scaled by
``s.y / y.D^-1 y``, which makes the method insensitive to the scale of each feature. The step
length satisfies the strong Wolfe conditions.
"""

import numpy as np

from ._common import Result, Stopping
from .linesearch import strong_wolfe

MEMORY_BYTES = 1 << 23  # the stored pairs' budget: 50 pairs up to 10000 parameters, 10 past 52000


def lbfgs(obj, theta, *, max_iter, tol, step_done, memory=None, **_):
    stop = Stopping(obj, tol)
    scale = obj.curvature_scale()
    loss, grad = obj.loss_grad(theta)
    if stop(grad):
        return Result(theta, 0, True)
    if memory is None:
        # More pairs cost no more evaluations, and on standardized digits 50 of them save a
        # fifth of the 10-pair method's; the compact form makes each pair's cost negligible.
        memory = int(np.clip(MEMORY_BYTES // (16 * theta.size), 10, 50))
    pairs = CompactInverse(theta.size, memory, scale)
    gamma = 1.0
    direction = None
    for it in range(1, max_iter + 1):
        if direction is None:
            direction = -pairs.apply(grad, gamma)
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
            gamma = sy / pairs.append(s, y)
        theta, loss, grad, direction = new_theta, new_loss, new_grad, None
        if step_done(theta, loss):
            return Result(theta, it, True)
        if stop(grad):
            # A small gradient alone can leave the iterate far from the optimum along weakly
            # curved directions (a step of alpha = 0.05 per unit of gradient), where a Newton
            # method's last step would have gone: the model's own step to the optimum, -H g,
            # must pass the same test, so that tol bounds the distance as well.
            direction = -pairs.apply(grad, gamma)
            if stop.measure_step(direction) <= tol:
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


class CompactInverse:
    """The L-BFGS inverse-Hessian approximation in compact form (Byrd, Nocedal and Schnabel
    1994, Theorem 2.2; Nocedal and Wright, eq. 7.24), equal to :func:`two_loop`'s ``H``:

        H = H0 + [S, H0 Y] [[R^-T (D + Y^T H0 Y) R^-1, -R^-T], [-R^-1, 0]] [S, H0 Y]^T

    with ``H0 = gamma diag(1 / scale)``, ``S`` and ``Y`` the stored pairs (oldest first), ``R``
    the upper triangle of ``S^T Y`` and ``D`` its diagonal. ``H g`` then costs two products with
    the (m, n_parameters) blocks and three with m x m matrices, where the two-loop recursion
    makes 4m separate vector operations (200 calls from Python for 50 pairs).
    The pairs live in a ring; the small matrices are updated by one row and column per pair.
    """

    def __init__(self, size, memory, scale):
        self.memory, self.inv_scale = memory, 1.0 / scale
        self.S, self.Yd = np.empty((memory, size)), np.empty((memory, size))  # Yd = Y / scale
        self.clear()

    def clear(self):
        self.order = []  # ring slots, oldest first; R^-1, D and Y^T diag(1/scale) Y in that order
        self.R_inv, self.D, self.YY = np.empty((0, 0)), np.empty(0), np.empty((0, 0))

    def append(self, s, y):
        """Store the pair ``(s, y)``, dropping the oldest when full; returns ``y^T y / scale``.

        ``R^-1`` is updated, not recomputed: dropping the oldest pair removes the first row and
        column of the upper triangular ``R`` and of its inverse alike, and a new pair borders
        ``R`` with a column ``r`` and ``d = s.y``, which borders ``R^-1`` with ``-R^-1 r / d``
        and ``1 / d``.
        """
        slot = len(self.order)
        if slot == self.memory:  # the oldest pair's slot takes the new one
            slot = self.order.pop(0)
            self.R_inv, self.D, self.YY = self.R_inv[1:, 1:], self.D[1:], self.YY[1:, 1:]
        self.order.append(slot)
        k = len(self.order)  # slots :k are the used ones (the ring fills 0, 1, ... first)
        self.S[slot], self.Yd[slot] = s, y * self.inv_scale
        r = (self.S[:k] @ y)[self.order]  # s_i . y for the stored s_i, oldest first
        yy = (self.Yd[:k] @ y)[self.order]
        d = r[-1]
        R_inv = np.zeros((k, k))
        R_inv[:-1, :-1] = self.R_inv
        R_inv[:-1, -1] = -(self.R_inv @ r[:-1]) / d
        R_inv[-1, -1] = 1.0 / d
        YY = np.empty((k, k))
        YY[:-1, :-1], YY[-1], YY[:, -1] = self.YY, yy, yy
        self.R_inv, self.D, self.YY = R_inv, np.append(self.D, d), YY
        return float(yy[-1])

    def apply(self, g, gamma):
        """``H g`` of shape (n_parameters,)."""
        h0g = gamma * (g * self.inv_scale)
        if not self.order:
            return h0g
        o, k = self.order, len(self.order)
        S, Yd = self.S[:k], self.Yd[:k]
        u = self.R_inv @ (S @ g)[o]
        top = self.R_inv.T @ (self.D * u + gamma * (self.YY @ u) - gamma * (Yd @ g)[o])
        coef = np.empty((2, k))
        coef[0, o], coef[1, o] = top, -gamma * u
        return h0g + coef[0] @ S + coef[1] @ Yd
