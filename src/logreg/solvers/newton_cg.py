"""Truncated Newton (newton-cg): Newton's step, solved by preconditioned conjugate gradients.

Each iteration solves ``H d = -g`` approximately with Hessian-vector products only (two matrix
products each, never the Hessian itself), to a relative accuracy that tightens as the gradient
shrinks (Nocedal and Wright, Algorithm 7.1). ``H`` and the preconditioner, a Kronecker-factored
approximation of ``H`` (thm-ce-hessian), are closures bound to the current point
(``Objective.loss_grad_hessp``); the step length satisfies the strong Wolfe conditions. Memory
is O(n_samples * n_classes + n_parameters), so it suits problems where the Hessian of ``newton``
would not fit: CG works in place, and at its peak the solver holds about nine parameter-sized
vectors (tests/library/test_newton_cg.py).
"""

import numpy as np
from scipy.linalg.blas import daxpy

from ._common import Result, Stall, Stopping
from .linesearch import strong_wolfe


def newton_cg(obj, theta, *, max_iter, tol, step_done, max_cg=200, **_):
    stop = Stopping(obj, tol)
    loss, grad, hessp, precondition = obj.loss_grad_hessp(theta)
    measure = stop.measure(grad)  # once per point: the stopping test and the forcing term
    if measure <= tol:
        return Result(theta, 0, True)
    stalled = Stall(obj, stop)
    for it in range(1, max_iter + 1):
        forcing = min(0.5, np.sqrt(measure))
        direction = pcg(hessp, np.negative(grad), precondition, forcing, max_cg, overwrite_b=True)
        hessp = None  # its (n_samples, K) factors are not needed by the line search
        slope = float(grad @ direction)
        if not slope < 0:
            direction = -precondition(grad)
            slope = float(grad @ direction)
        precondition = None

        def evaluate(a, theta=theta, direction=direction):
            trial = np.multiply(direction, a)  # theta + a d with one parameter-sized array
            trial += theta
            f, g, *closures = obj.loss_grad_hessp(trial)
            return f, float(g @ direction), (trial, f, g, *closures)

        step, payload = strong_wolfe(evaluate, loss, slope)
        if step is None:
            return Result(theta, it - 1, measure <= tol, "line search")
        lost = stalled(loss, payload[1], grad, payload[2])
        theta, loss, grad, hessp, precondition = payload
        del payload, direction, evaluate
        measure = stop.measure(grad)
        if step_done(theta, loss) or measure <= tol:
            return Result(theta, it, True)
        if lost:
            return Result(theta, it, False, "no progress")
    return Result(theta, max_iter, False)


def pcg(matvec, b, precondition, rtol, max_iter, *, overwrite_b=False):
    """Preconditioned conjugate gradients for ``A x = b`` (Nocedal and Wright, Algorithm 5.3).

    In place: besides ``x`` it holds the residual ``r``, the direction ``p`` and, for a moment
    each, ``M^{-1} r`` and ``A p``; with ``overwrite_b`` the residual takes ``b``'s memory.

    Parameters
    ----------
    matvec : callable
        ``v -> A v`` for a symmetric positive semi-definite ``A``.
    b : ndarray of shape (n,)
    precondition : callable
        ``r -> M^{-1} r`` for a symmetric positive definite ``M``.
    rtol : float
        Stop once ``r.M^{-1}r <= rtol^2 b.M^{-1}b`` for the residual ``r = b - A x``.
    max_iter : int
        At most this many products with ``A``.
    overwrite_b : bool, default False
        Use ``b``'s memory for the residual (``b`` must be float64 and contiguous).

    Returns
    -------
    x : ndarray of shape (n,)
        The approximate solution; ``b`` itself if no step was made (a flat first direction).
    """
    r = b if overwrite_b else np.array(b, dtype=np.float64)
    x = np.zeros_like(r)
    z = precondition(r)
    p = np.array(z, dtype=np.float64)  # z may be r itself (no preconditioner)
    rz = float(r @ z)
    stop_at = (rtol**2) * rz
    del z
    for _ in range(max_iter):
        Ap = matvec(p)
        curvature = float(p @ Ap)
        if curvature <= 1e-300:  # a flat direction (the shift symmetry): nothing more to gain
            break
        step = rz / curvature
        daxpy(p, x, a=step)  # BLAS in place: no temporaries step * p, step * A p
        daxpy(Ap, r, a=-step)
        del Ap
        z = precondition(r)
        rz_new = float(r @ z)
        if rz_new <= stop_at:
            break
        p *= rz_new / rz
        p += z
        del z
        rz = rz_new
    return x if np.any(x) else (r if overwrite_b else np.array(b, dtype=np.float64))
