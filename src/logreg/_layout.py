"""Transpositions between the parameters' layout and the one SciPy's CSR products want.

``theta`` holds ``W`` class by class, (n_outputs, n_features), but SciPy multiplies a CSR matrix
by a C-ordered block of vectors without copying it only as ``X @ W^T`` with ``W^T`` of shape
(n_features, n_outputs), and returns ``X^T @ R`` in that layout too. NumPy's strided copy of a
whole array runs at a third of its speed once the array leaves the cache, so both directions are
copied in column blocks that stay in it (``logreg.objective`` uses them).
"""

import numpy as np

BLOCK_ELEMENTS = 1 << 15  # 256 KiB of float64 per block


def _blocks(n_columns, n_rows):
    step = max(1, BLOCK_ELEMENTS // max(n_rows, 1))
    return [slice(j, j + step) for j in range(0, n_columns, step)]


def transposed_weights(W, dtype, center):
    """``W^T`` of shape (n_features, n_outputs), C-ordered, in ``dtype``; with ``center``, less
    the mean over classes of each column (computed in W's float64, then cast)."""
    K, d = W.shape
    if not center and W.dtype == dtype and (K == 1 or d == 1):
        return W.T  # already C-ordered
    Wt = np.empty((d, K), dtype=dtype)
    mean = np.add.reduce(W, axis=0) * (1.0 / K) if center else None
    for j in _blocks(d, K):
        if center:
            np.subtract(W[:, j].T, mean[j, None], out=Wt[j])
        else:
            Wt[j] = W[:, j].T
    return Wt


def transpose_into(G, out):
    """``out[...] = G.T`` for G of shape (n_features, n_outputs) and out of the reverse shape."""
    for j in _blocks(G.shape[0], G.shape[1]):
        out[:, j] = G[j].T
