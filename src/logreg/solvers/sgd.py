"""Mini-batch stochastic gradient descent with a constant step; one iteration is one epoch.

Each epoch visits the samples in a new random order, in batches of ``batch_size`` (clipped to the
number of samples); a batch's step follows the gradient of its own weighted mean loss. The
objective and the stopping test use the full data after each epoch.
"""

from ._common import Result, Stopping, check_divergence


def sgd(obj, theta, *, lr, max_iter, tol, step_done, batch_size, rng, **_):
    stop = Stopping(obj, tol)
    n = obj.n_samples
    batch_size = min(batch_size, n)
    loss, grad = obj.loss_grad(theta)
    if stop(grad):
        return Result(theta, 0, True)
    for it in range(1, max_iter + 1):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            step = obj.loss_grad(theta, rows=order[start : start + batch_size])[1]
            step *= -lr
            theta += step
        loss, grad = obj.loss_grad(theta)
        check_divergence(obj, theta, loss, lr)
        if step_done(theta, loss) or stop(grad):
            return Result(theta, it, True)
    return Result(theta, max_iter, False)
