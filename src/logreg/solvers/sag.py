"""SAG and SAGA: stochastic steps whose variance vanishes at the optimum; one iteration, one epoch.

The objective is a finite sum, ``f = sum_i omega_i loss_i + (alpha/2)|W|^2``. Both methods keep,
for every sample, the gradient in the logits it had when last visited (``omega_i dloss/dz_i``, a
K-vector: the data gradient is that times ``x~_i``), and their sum ``S = sum_i omega_i g_i``:

* SAG (Schmidt, Le Roux and Bach, "Minimizing finite sums with the stochastic average gradient",
  Math. Program. 162, 2017) refreshes the batch's stored gradients, then steps along
  ``S + alpha W``. Their Theorem 1 proves linear convergence for the step ``1/(16 L)``; their
  experiments use ``1/L``, but with one-sample batches that step made the objective rise over
  epochs on our tests (150 x 3 Gaussian data, K = 3), and ``1/(2 L)`` did not: we take it.
* SAGA (Defazio, Bach and Lacoste-Julien, NIPS 2014) steps along the unbiased
  ``(n/b) sum_B (g_new - g_old) + S + alpha W``, then refreshes. Its Theorem 1 (strongly convex:
  step ``1/(2(mu n + L))``) and the convex case (step ``1/(3 L)``) both hold for ``1/(3 L)``,
  which we take.

``L`` is the largest per-sample curvature bound, ``max_i n omega_i c |x~_i|^2 + alpha`` with
``c = label_curvature`` (prop-bohning): ``n omega_i loss_i + (alpha/2)|W|^2`` is the i-th term of
``f`` as a mean, and its Hessian is at most ``c |x~_i|^2 + alpha`` times the identity. A batch's
mean has the same bound. The L2 term is exact (never stored). On sparse X a step moves every
weight, but columns that the batch does not touch only shrink by ``1 - lr alpha`` and move by the
same stored sum: those steps are applied in closed form when the column is next touched (the
just-in-time update), so an epoch costs O(nnz K + n_batches K) and not O(n_batches K d).

The samples are visited in batches of ``batch_size`` rows of one random permutation per epoch.
Each epoch ends with a full pass at the current point: its gradient is the stopping test's, and
its per-sample gradients replace the stored ones (a valid memory: all taken at one past iterate).
"""

from types import SimpleNamespace

import numpy as np

from ._common import Result, Stopping, check_divergence
from ._sag_epoch import Targets, dense_epoch, sparse_epoch

MIN_BATCHES = 16  # steps per epoch, at the least


def sag(obj, theta, *, max_iter, tol, step_done, rng, batch_size=32, **_):
    """SAG (Schmidt, Le Roux and Bach 2017) on ``obj`` from ``theta``: steps along the mean of
    the stored per-sample gradients, step ``1/(2 L)``; one iteration is one epoch (module
    docstring). ``rng`` orders the samples; ``batch_size`` rows move together."""
    return _averaged(obj, theta, False, max_iter, tol, step_done, rng, batch_size)


def saga(obj, theta, *, max_iter, tol, step_done, rng, batch_size=32, **_):
    """SAGA (Defazio, Bach and Lacoste-Julien 2014) on ``obj`` from ``theta``: the unbiased
    variant of :func:`sag`, step ``1/(3 L)``; one iteration is one epoch."""
    return _averaged(obj, theta, True, max_iter, tol, step_done, rng, batch_size)


def step_size(obj, unbiased, batch_size=1):
    """``1/(2 L_b)`` (SAG) or ``1/(3 L_b)`` (SAGA) for batches of ``b = batch_size`` rows.

    ``L_b = n (b - 1) / (b (n - 1)) L + (n - b) / (b (n - 1)) L_max`` is the expected smoothness
    of a batch's mean under sampling without replacement (Gower, Richtarik and Bach 2020,
    "Stochastic quasi-gradient methods", Proposition 3.8): ``L_max`` for one-sample batches, the
    whole objective's ``L`` (``Objective.lipschitz``) for one batch of every row. A larger batch
    so takes a longer step, and an epoch of batches makes as much progress as one of samples.
    """
    X = obj.X
    sq = (
        np.asarray(X.multiply(X).sum(axis=1)).ravel()
        if obj.sparse
        else np.einsum("ij,ij->i", X, X, dtype=np.float64)
    )
    sq = sq + float(obj.fit_intercept)
    L_max = obj.pointwise.label_curvature * float(np.max(obj.n_samples * obj.weights * sq))
    L_max += obj.alpha
    n, b = obj.n_samples, min(batch_size, obj.n_samples)
    if b > 1:
        L = min(obj.lipschitz(), L_max)
        L_max = (n * (b - 1) * L + (n - b) * L_max) / (b * (n - 1))
    return 1.0 / (3.0 * L_max if unbiased else 2.0 * L_max)


def _averaged(obj, theta, unbiased, max_iter, tol, step_done, rng, batch_size):
    if not (isinstance(batch_size, int | np.integer) and batch_size >= 1):
        raise ValueError(f"batch_size must be an int >= 1; received {batch_size!r}")
    if rng is None:
        raise ValueError("sag and saga need a random generator rng; received None")
    stop = Stopping(obj, tol)
    n, K, d = obj.n_samples, obj.n_outputs, obj.n_features
    # At least MIN_BATCHES steps per epoch: one batch of every row is one gradient step per epoch,
    # too few on small data (20 rows, K = 3, 20000 epochs: SAGA ends 2e-3 from the optimum with
    # one batch of 20 rows, 2e-5 with batches of one row).
    batch_size = max(1, min(batch_size, obj.n_samples // MIN_BATCHES))
    bounds = [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
    lr = step_size(obj, unbiased, batch_size)
    W, b = obj.split(theta)  # views: written back from the working copies after every epoch
    loss, grad, memory = _full_pass(obj, W, b)  # memory: omega_i dloss/dz_i, (K, n) float64
    _add_penalty(obj, grad, W)
    if stop(grad):
        return Result(theta, 0, True)
    state = SimpleNamespace(
        WT=W.T.copy(),  # (d, K): a column's K weights are contiguous
        ST=grad[: obj.n_weights].reshape(K, d).T.copy(),  # sum of the stored data gradients
        bias=None if b is None else b.copy(),
        Sb=None if b is None else grad[obj.n_weights :].copy(),
        last=np.zeros(d, dtype=np.int64),  # the step at which each column was last brought up
        lr=lr,
        shrink=1.0 - lr * obj.alpha,
        alpha=obj.alpha,
        unbiased=unbiased,
        n=n,
        binary=K == 1,
    )
    targets = Targets(obj)
    epoch_of = sparse_epoch if obj.sparse else dense_epoch
    for epoch in range(1, max_iter + 1):
        order = rng.permutation(n)
        memory_p = memory.T[order]  # (n, K), rows in the epoch's order
        epoch_of(state, obj.X[order], memory_p, *targets.permuted(order), bounds)
        W[...] = state.WT.T
        if b is not None:
            b[...] = state.bias
        obj.work["gradient"] += 1.0  # the batches of one epoch read every sample once
        loss, grad, memory = _full_pass(obj, W, b)
        state.ST[...] = grad[: obj.n_weights].reshape(K, d).T
        if b is not None:
            state.Sb[...] = grad[obj.n_weights :]
        _add_penalty(obj, grad, W)
        check_divergence(obj, theta, loss, lr)
        if step_done(theta, loss) or stop(grad):
            return Result(theta, epoch, True)
    return Result(theta, max_iter, False)


def _full_pass(obj, W, b):
    """The objective's data term at (W, b), its gradient and every sample's ``omega_i dloss/dz``."""
    obj.work["gradient"] += 1.0
    X = obj.X
    Z = np.ascontiguousarray((X @ W.T.astype(X.dtype)).T)
    if b is not None:
        Z += b.astype(X.dtype)[:, None]
    losses, dZ, _ = obj.pointwise.gradient(Z, obj.y)
    dZ = dZ.astype(np.float64) * obj.weights
    grad = np.empty(obj.size)
    grad[: obj.n_weights] = np.asarray(X.T @ dZ.T.astype(X.dtype)).T.ravel()
    if b is not None:
        grad[obj.n_weights :] = dZ.sum(axis=1)
    loss = float(obj.weights @ losses) + 0.5 * obj.alpha * float(np.sum(W * W))
    return loss, grad, dZ


def _add_penalty(obj, grad, W):
    grad[: obj.n_weights] += obj.alpha * W.ravel()
