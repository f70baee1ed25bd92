"""Full-batch gradient descent with a constant step (book/training/softmax_from_scratch.ipynb).

A step below 2/L, with L Böhning's bound on the curvature (prop-bohning), lowers the objective at
every step; only ``lr * alpha > 2`` makes the weights blow up (prop-l2-blowup).
"""

from ._common import Result, Stopping, check_divergence


def gd(obj, theta, *, lr, max_iter, tol, step_done, **_):
    stop = Stopping(obj, tol)
    loss, grad = obj.loss_grad(theta)
    if stop(grad):
        return Result(theta, 0, True)
    for it in range(1, max_iter + 1):
        grad *= -lr
        theta += grad
        loss, grad = obj.loss_grad(theta)
        check_divergence(obj, theta, loss, lr)
        if step_done(theta, loss) or stop(grad):
            return Result(theta, it, True)
    return Result(theta, max_iter, False)
