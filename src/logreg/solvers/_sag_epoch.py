"""One epoch of SAG or SAGA (``logreg.solvers.sag``) over rows in a fixed order, with little work
per batch.

Everything a batch reads is laid out once per epoch in the epoch's order: the rows of ``X``
(``X[order]``, so a batch is a contiguous slice, or a slice of ``indptr`` for CSR), the stored
gradients, the weights and the targets. The weights are held transposed, ``WT`` of shape
(n_features, n_outputs), so the rows of the columns a batch touches are contiguous K-vectors.

A batch needs only ``dloss/dz`` (never the loss): ``p - y`` for softmax cross-entropy
(thm-ce-gradient) and ``-y sigmoid(-y z)`` for the logistic loss (thm-bce-gradient), each times
the sample's weight ``omega_i``; both are formed here in a few array operations.
"""

import numpy as np


class Targets:
    """What a batch's ``omega_i dloss/dz_i`` needs, in the samples' order, laid out (n, K).

    Softmax: ``omega_i y_i`` (one-hot rows for class indices, or the given distributions);
    binary: ``-omega_i y_i`` and ``y_i`` with ``y_i`` in {-1, +1}.
    """

    def __init__(self, obj):
        n, K = obj.n_samples, obj.n_outputs
        w = obj.weights
        self.binary = K == 1
        if self.binary:
            y = np.asarray(obj.y, dtype=np.float64)
            self.a, self.b = (-w * y)[:, None], y[:, None]
        else:
            if obj.y.ndim == 1:
                Y = np.zeros((n, K))
                Y[np.arange(n), obj.y] = 1.0
            else:
                Y = np.asarray(obj.y, dtype=np.float64).T
            self.a, self.b = Y * w[:, None], w[:, None]

    def permuted(self, order):
        return self.a[order], self.b[order]


def dloss(Z, a, b, binary):
    """``omega_i dloss/dz_i`` for logits ``Z`` of shape (batch, K), in Z's memory."""
    if binary:  # -omega y sigmoid(-y z), with sigmoid(u) = (1 + tanh(u/2)) / 2: no overflow
        Z *= b
        np.tanh(Z * -0.5, out=Z)
        Z += 1.0
        Z *= a * 0.5
        return Z
    Z -= Z.max(axis=1, keepdims=True)  # softmax of the shifted logits (cor-shift-max)
    np.exp(Z, out=Z)
    Z *= b / Z.sum(axis=1, keepdims=True)
    Z -= a
    return Z


def dense_epoch(state, Xp, Mp, a, b, bounds):
    """The batches ``Xp[s:e]`` for ``(s, e)`` in ``bounds`` on dense rows; updates ``state``."""
    WT, ST, bias, Sb = state.WT, state.ST, state.bias, state.Sb
    lr, shrink, unbiased, binary = state.lr, state.shrink, state.unbiased, state.binary
    for s, e in bounds:
        XB = Xp[s:e]
        Z = XB @ WT
        if bias is not None:
            Z += bias
        dZ = dloss(Z, a[s:e], b[s:e], binary)
        delta = dZ - Mp[s:e]
        Mp[s:e] = dZ
        dS = XB.T @ delta
        WT *= shrink
        if unbiased:  # SAGA: the step reads the stored sum before the refresh
            WT -= lr * (ST + (state.n / (e - s)) * dS)
            ST += dS
        else:
            ST += dS
            WT -= lr * ST
        if bias is not None:
            db = delta.sum(axis=0)
            if unbiased:
                bias -= state.lr_b * (Sb + (state.n / (e - s)) * db)
                Sb += db
            else:
                Sb += db
                bias -= state.lr_b * Sb


def sparse_epoch(state, Xp, Mp, a, b, bounds):
    """The batches of rows ``[s, e)`` of the CSR ``Xp``, each touching only its own columns.

    A column the batch does not touch still moves at every step: it shrinks by ``1 - lr alpha``
    and moves by ``-lr`` times its stored sum, which only a batch touching it changes. ``last``
    holds the step at which each column was last brought up; the steps it missed are applied in
    closed form (``catch_up``) when a batch next touches it, and to every column at the epoch's
    end, so an epoch costs O(nnz K) and not O(n_batches d K).
    """
    WT, ST, bias, Sb, last = state.WT, state.ST, state.bias, state.Sb, state.last
    lr, shrink, unbiased, binary = state.lr, state.shrink, state.unbiased, state.binary
    indptr, indices, data = Xp.indptr, Xp.indices, Xp.data
    row_of = np.repeat(np.arange(Xp.shape[0]), np.diff(indptr))
    empty = indptr[1:] == indptr[:-1]
    any_empty = bool(empty.any())
    K = WT.shape[1]
    t = 0
    for t, (s, e) in enumerate(bounds, 1):
        lo, hi = indptr[s], indptr[e]
        if lo == hi:
            Z = np.zeros((e - s, K))
            cols = indices[lo:hi]
        else:
            idx, val = indices[lo:hi], data[lo:hi, None]
            by_col = np.argsort(idx, kind="stable")
            sorted_idx = idx[by_col]
            first = np.empty(len(idx), dtype=bool)
            first[0] = True
            np.not_equal(sorted_idx[1:], sorted_idx[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            cols = sorted_idx[starts]
            local = np.empty(len(idx), dtype=np.intp)
            local[by_col] = np.cumsum(first) - 1
            Wc = catch_up(WT[cols], ST[cols], t - 1 - last[cols], state)
            prod = np.empty((hi - lo + 1, K))  # one zero row past the end: see the empty rows
            np.multiply(val, Wc[local], out=prod[:-1])
            prod[-1] = 0.0
            Z = np.add.reduceat(prod, indptr[s:e] - lo, axis=0)
            if any_empty:  # reduceat gives the next row's first product for an empty row
                Z[empty[s:e]] = 0.0
        if bias is not None:
            Z += bias
        dZ = dloss(Z, a[s:e], b[s:e], binary)
        delta = dZ - Mp[s:e]
        Mp[s:e] = dZ
        if bias is not None:
            db = delta.sum(axis=0)
        if lo == hi:
            dS = np.zeros((0, K))
            Sc = Wc = dS
        else:
            contrib = val * delta[row_of[lo:hi] - s]
            dS = np.add.reduceat(contrib[by_col], starts, axis=0)
            Sc = ST[cols]
        if unbiased:
            scale = state.n / (e - s)
            Wc = shrink * Wc - lr * (Sc + scale * dS)
            Sc += dS
            if bias is not None:
                bias -= state.lr_b * (Sb + scale * db)
                Sb += db
        else:
            Sc += dS
            Wc = shrink * Wc - lr * Sc
            if bias is not None:
                Sb += db
                bias -= state.lr_b * Sb
        ST[cols] = Sc
        WT[cols] = Wc
        last[cols] = t
    WT[...] = catch_up(WT, ST, (t - last)[:, None], state)
    last[:] = 0


def catch_up(Wc, Sc, missed, state):
    """``missed`` steps ``w <- (1 - lr alpha) w - lr s`` with ``s`` fixed, in closed form: a
    geometric series, ``w (1 - lr alpha)^m - s (1 - (1 - lr alpha)^m) / alpha``."""
    missed = missed.reshape(len(Wc), -1)
    if state.alpha > 0:
        decay = state.shrink**missed
        return decay * Wc - Sc * ((1.0 - decay) / state.alpha)
    return Wc - Sc * (state.lr * missed)
