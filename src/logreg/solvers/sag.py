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
``f`` as a mean, and its Hessian is at most ``c |x~_i|^2 + alpha`` times the identity. A batch
of ``b`` rows takes the step of its expected smoothness (``step_size``). Two changes to that step:

* The intercepts are stepped in ``b / s`` (``_intercept_scale``): a change of variables, so the
  theorems apply to it as they are, with the column of ones of ``X~`` replaced by ``s``. With
  ``s = 1`` that dense column dominated ``L`` on text-like data and capped a batch's step.
* With ``local_step=True`` (the default) the data part of ``L_max`` is re-estimated at the start
  of every epoch by the sufficient-decrease test on each sample's term at the current point
  (:func:`~logreg.solvers.local_curvature`), after Schmidt, Le Roux and Bach's Section 4.6: a
  larger step where the local curvature is smaller than Böhning's bound. Their analysis does not
  cover it (nor does SAGA's), so it is a heuristic; ``local_step=False`` keeps the bound and the
  theorems' steps. Either way the stopping test is on the full gradient: a reported convergence
  means the same. On TF-IDF-like rows (5000 x 20000, K = 5, alpha = 1e-4) SAG's biased step
  oscillates with or without it where SAGA converges; use SAGA there.

The L2 term is exact (never stored). On sparse X a step moves every weight, but columns that the
batch does not touch only shrink by ``1 - lr alpha`` and move by the same stored sum: those steps
are applied in closed form when the column is next touched (the just-in-time update), so an epoch
costs O(nnz K + n_batches K + d K) and not O(n_batches K d).

The samples are visited in batches of ``batch_size`` rows of one random permutation per epoch,
laid out in that order once per epoch (``_sag_epoch``). Each epoch ends with a full pass at the
current point: its gradient is the stopping test's, and its per-sample gradients replace the
stored ones (a valid memory: all taken at one past iterate).
"""

from types import SimpleNamespace

import numpy as np

from ..curvature import top_eigenvalue
from ..objective import KRONECKER_MAX
from ._common import Result, Stopping, check_divergence
from ._sag_epoch import Targets, dense_epoch, sparse_epoch

MIN_BATCHES = 16  # steps per epoch, at the least
LADDER = 8  # the local estimate of L is at least 2^-LADDER times the bound


def sag(obj, theta, *, max_iter, tol, step_done, rng, batch_size=32, local_step=True, **_):
    """SAG (Schmidt, Le Roux and Bach 2017) on ``obj`` from ``theta``: steps along the mean of
    the stored per-sample gradients, step ``1/(2 L)``; one iteration is one epoch (module
    docstring). ``rng`` orders the samples; ``batch_size`` rows move together; ``local_step``
    re-estimates ``L`` at every epoch (:func:`~logreg.solvers.local_curvature`), False keeps
    the bound."""
    return _averaged(obj, theta, False, max_iter, tol, step_done, rng, batch_size, local_step)


def saga(obj, theta, *, max_iter, tol, step_done, rng, batch_size=32, local_step=True, **_):
    """SAGA (Defazio, Bach and Lacoste-Julien 2014) on ``obj`` from ``theta``: the unbiased
    variant of :func:`sag`, step ``1/(3 L)``; one iteration is one epoch."""
    return _averaged(obj, theta, True, max_iter, tol, step_done, rng, batch_size, local_step)


def step_size(obj, unbiased, batch_size=1):
    """``1/(2 L_b)`` (SAG) or ``1/(3 L_b)`` (SAGA) for batches of ``b = batch_size`` rows.

    ``L_b = n (b - 1) / (b (n - 1)) L + (n - b) / (b (n - 1)) L_max`` is the expected smoothness
    of a batch's mean under sampling without replacement (Gower, Richtarik and Bach 2020,
    "Stochastic quasi-gradient methods", Proposition 3.8): ``L_max`` for one-sample batches, the
    whole objective's ``L`` (``Objective.lipschitz``) for one batch of every row. A larger batch
    so takes a longer step, and an epoch of batches makes as much progress as one of samples.
    """
    b = min(batch_size, obj.n_samples)
    top, s2 = _intercept_scale(obj)
    sq = _row_sq_norms(obj, s2)
    return _step(obj, unbiased, b, _bound(obj, sq), _lipschitz(obj, top, s2))


def _step(obj, unbiased, b, curvature, lipschitz):
    """:func:`step_size` with the data part of ``L_max`` given (the bound or a local estimate)."""
    L_max = curvature + obj.alpha
    n = obj.n_samples
    if b > 1:
        L = min(lipschitz, L_max)
        L_max = (n * (b - 1) * L + (n - b) * L_max) / (b * (n - 1))
    return 1.0 / (3.0 * L_max if unbiased else 2.0 * L_max)


def local_curvature(obj, Z, dZ, sq, halvings=LADDER):
    """The largest over the samples of ``L_i``, the least of ``L_max 2^-j`` (``j <= halvings``)
    for which each sample's term passes the sufficient-decrease test at the current point.

    The i-th term is ``h_i(W) = n omega_i loss(z_i)``, ``z_i = W x~_i``, with gradient
    ``n dZ_i x~_i^T`` (``dZ_i = omega_i dloss/dz_i``). Schmidt, Le Roux and Bach (2017, Section
    4.6) estimate ``L`` by the instantiated Lipschitz inequality ``h_i(W - grad/L) <= h_i(W) -
    |grad|^2/(2L)``; a gradient step on ``h_i`` changes only ``z_i``, by ``-n |x~_i|^2 dZ_i / L``,
    so every sample and every ``L`` costs O(K) from the logits ``Z`` (K, n) of the epoch's full
    pass. The bound ``L_max`` is halved while every sample passes: the largest ``L_i`` is set by
    the sample that fails first. A sample that passes at ``L`` passes at every larger ``L`` (a
    convex function lies below its chord), so each passes at the returned value. ``sq``:
    ``|x~_i|^2``.
    """
    n = obj.n_samples
    scale = n * obj.weights
    h0 = scale * obj.pointwise.value(Z, obj.y)
    g2 = n * n * np.einsum("ki,ki->i", dZ, dZ) * sq  # |grad h_i|^2
    L = _bound(obj, sq)
    for _ in range(halvings):
        trial = Z - dZ * (n * sq / (0.5 * L))
        if not np.all(scale * obj.pointwise.value(trial, obj.y) <= h0 - g2 / L):
            break
        L *= 0.5
    return L


def _intercept_scale(obj):
    """``lambda_max(X^T diag(omega) X)`` and ``s^2``, the square of the intercepts' feature.

    SAG and SAGA step in ``(W, b / s)``: the same minimizer, with the column of ones of ``X~``
    replaced by ``s``. That column is dense, and with ``s = 1`` its curvature ``c`` can dwarf the
    data's (TF-IDF rows of unit norm, 5000 x 20000: ``c lambda_max = 0.0093`` without it, ``0.51``
    with it), which caps the step of a batch near that of one sample (``step_size``'s ``L``)
    and leaves the slow direction to the intercepts. ``s^2 = lambda_max`` gives the column the
    data's largest curvature, so the intercepts no longer set ``L``; the stopping test is on the
    gradient in ``(W, b)`` all the same.
    """
    d = obj.n_features
    if obj.n_features + int(obj.fit_intercept) <= KRONECKER_MAX:
        top = float(np.linalg.eigvalsh(obj.gram[:d, :d])[-1]) if d else 0.0
    else:
        top = top_eigenvalue(obj.X, obj.weights, False)
    return top, (top if top > 0.0 else 1.0) if obj.fit_intercept else 0.0


def _lipschitz(obj, top, s2):
    """A bound on the curvature of the whole objective in ``(W, b / s)``: for a positive
    semi-definite ``[[A, B], [B^T, C]]``, ``lambda_max <= lambda_max(A) + lambda_max(C)``, and the
    intercepts' block is ``s^2 sum(omega)``."""
    return obj.pointwise.label_curvature * (top + s2 * float(obj.weights.sum())) + obj.alpha


def _row_sq_norms(obj, s2):
    """``|x~_i|^2``: the rows' squared norms, plus ``s^2`` with intercepts."""
    X = obj.X
    if obj.sparse:
        sq = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    else:
        sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    return sq + s2


def _bound(obj, sq):
    """``max_i n omega_i c |x~_i|^2``: each term's data part curves at most this (prop-bohning)."""
    c = obj.pointwise.label_curvature
    return c * float(np.max(obj.n_samples * obj.weights * sq))


def _averaged(obj, theta, unbiased, max_iter, tol, step_done, rng, batch_size, local_step):
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
    top, s2 = _intercept_scale(obj)
    sq = _row_sq_norms(obj, s2)
    lipschitz = _lipschitz(obj, top, s2)
    bound = _bound(obj, sq)
    W, b = obj.split(theta)  # views: written back from the working copies after every epoch
    # memory: omega_i dloss/dz_i, (K, n) float64; Z: the logits
    loss, grad, memory, Z = _full_pass(obj, W, b)
    _add_penalty(obj, grad, W)
    if stop(grad):
        return Result(theta, 0, True)
    state = SimpleNamespace(
        WT=W.T.copy(),  # (d, K): a column's K weights are contiguous
        ST=grad[: obj.n_weights].reshape(K, d).T.copy(),  # sum of the stored data gradients
        bias=None if b is None else b.copy(),
        Sb=None if b is None else grad[obj.n_weights :].copy(),
        last=np.zeros(d, dtype=np.int64),  # the step at which each column was last brought up
        alpha=obj.alpha,
        unbiased=unbiased,
        n=n,
        binary=K == 1,
    )
    targets = Targets(obj)
    epoch_of = sparse_epoch if obj.sparse else dense_epoch
    for epoch in range(1, max_iter + 1):
        curvature = local_curvature(obj, Z, memory, sq) if local_step else bound
        state.lr = lr = _step(obj, unbiased, batch_size, curvature, lipschitz)
        state.shrink = 1.0 - lr * obj.alpha
        state.lr_b = lr * s2  # the step on b / s, in b
        order = rng.permutation(n)
        memory_p = memory.T[order]  # (n, K), rows in the epoch's order
        epoch_of(state, obj.X[order], memory_p, *targets.permuted(order), bounds)
        W[...] = state.WT.T
        if b is not None:
            b[...] = state.bias
        obj.work["gradient"] += 1.0  # the batches of one epoch read every sample once
        loss, grad, memory, Z = _full_pass(obj, W, b)
        state.ST[...] = grad[: obj.n_weights].reshape(K, d).T
        if b is not None:
            state.Sb[...] = grad[obj.n_weights :]
        _add_penalty(obj, grad, W)
        check_divergence(obj, theta, loss, lr)
        if step_done(theta, loss) or stop(grad):
            return Result(theta, epoch, True)
    return Result(theta, max_iter, False)


def _full_pass(obj, W, b):
    """The objective at (W, b), its data term's gradient, every sample's ``omega_i dloss/dz``
    and the logits (K, n), float64."""
    obj.work["gradient"] += 1.0
    X = obj.X
    Z = np.ascontiguousarray((X @ W.T.astype(X.dtype)).T)
    if b is not None:
        Z += b.astype(X.dtype)[:, None]
    Z = Z.astype(np.float64)
    losses, dZ, _ = obj.pointwise.gradient(Z.copy(), obj.y)
    dZ *= obj.weights
    grad = np.empty(obj.size)
    grad[: obj.n_weights] = np.asarray(X.T @ dZ.T.astype(X.dtype)).T.ravel()
    if b is not None:
        grad[obj.n_weights :] = dZ.sum(axis=1)
    loss = float(obj.weights @ losses) + 0.5 * obj.alpha * float(np.sum(W * W))
    return loss, grad, dZ, Z


def _add_penalty(obj, grad, W):
    grad[: obj.n_weights] += obj.alpha * W.ravel()
