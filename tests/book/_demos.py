"""Data the demo tests share: a one-feature binary sample, three blobs, overconfident logits."""

import numpy as np

from logreg import datasets, softmax

rng = np.random.default_rng(0)
X1 = np.r_[rng.normal(-0.5, 2, 40), rng.normal(0.5, 2, 40)][:, None]
Y1 = np.repeat([0, 1], 40)
XB, YB = datasets.make_blobs(30, 3)


def overconfident():
    """Logits three times too sharp for the labels drawn from softmax(logits / 3)."""
    logits = np.random.default_rng(3).normal(scale=3.0, size=(3000, 4))
    probs = softmax(logits / 3)
    labels = (probs.cumsum(axis=1) < np.random.default_rng(4).random((3000, 1))).sum(axis=1)
    return logits, labels
