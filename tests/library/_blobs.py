"""Gaussian blobs in the plane, the toy data of the estimator tests (one copy for all of them)."""

import numpy as np


def blobs(n_per_class=30, n_classes=3, seed=0, spread=1.5):
    """n_classes Gaussian clouds of n_per_class points each, labels 0..n_classes-1."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(n_classes, 2))
    X = np.vstack([c + spread * rng.normal(size=(n_per_class, 2)) for c in centers])
    y = np.repeat(np.arange(n_classes), n_per_class)
    return X, y
