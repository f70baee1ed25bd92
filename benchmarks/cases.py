"""The data sets of the benchmark table: each is generated with a seed or ships with scikit-learn.

A case is a data set, an ``alpha`` (scikit-learn's ``C = 1 / (alpha * n_samples)``) and a target:
``fastest`` compares our fastest solver's time to scikit-learn's fastest, ``default`` compares our
default solver's time and peak memory to scikit-learn's fastest.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Target:
    compare: str  # "fastest": our fastest solver; "default": the estimator's default solver
    time: float  # ours / scikit-learn's fastest, at most
    memory: float | None = None  # ours default / scikit-learn's fastest, at most
    plus_x: bool = False  # the memory limit also allows the size of X (P6's rule)

    def describe(self):
        text = f"{self.compare} <= {self.time:g}x"
        if self.memory is not None:
            text += f", mem <= {self.memory:g}x" + (" + X" if self.plus_x else "")
        return text


@dataclass(frozen=True)
class Case:
    name: str
    build: object  # () -> (X, y)
    alpha: float
    target: Target
    repeats: int  # timed runs per solver and thread setting (the median is kept)
    about: str


def digits_standardized():
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def classification(n, d, k, informative, seed=0, dtype=np.float64):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n,
        d,
        n_informative=informative,
        n_redundant=0,
        n_classes=k,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return X.astype(dtype), y


def ill_conditioned(n=5000, d=20, k=3, seed=0):
    """Gaussian features with labels from a linear model, then column j scaled by
    10^(-3 + 6j / (d - 1)): the same problem as the unscaled one for a scale-invariant method, a
    condition number of about 10^12 for the others."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((k, d))
    y = _sample_labels(rng, X @ W.T)
    return X * np.logspace(-3, 3, d), y


def text_like(n, d, density, k, seed=0):
    """A bag-of-words-like CSR matrix: Zipf-like column frequencies, TF-IDF weights, unit rows.

    Each row draws about ``density * d`` words from a distribution with p_j proportional to
    1 / (j + 10)^1.1 over a random permutation of the columns (a few very common words, a long
    tail); repeated words add up to a term count, weighted by a smoothed inverse document
    frequency and normalized to unit length as TfidfVectorizer does. The labels come from a
    sparse linear model: one class per row sampled from the softmax of X W^T, with W non-zero on
    2% of the columns.
    """
    rng = np.random.default_rng(seed)
    per_row = max(1, round(density * d))
    lengths = rng.poisson(per_row, n) + 1
    rank = np.arange(d)
    p = 1.0 / (rank + 10.0) ** 1.1
    p = p[rng.permutation(d)]
    p /= p.sum()
    cols = rng.choice(d, size=int(lengths.sum()), p=p)
    rows = np.repeat(np.arange(n), lengths)
    X = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, d))
    X.sum_duplicates()  # term counts
    df = np.bincount(X.indices, minlength=d)
    X.data *= np.log((1 + n) / (1 + df[X.indices])) + 1.0
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1.0 / np.maximum(norms, 1e-300)) @ X
    W = np.zeros((k, d))
    support = rng.choice(d, size=max(1, d // 50), replace=False)
    W[:, support] = 8.0 * rng.standard_normal((k, len(support)))
    y = _sample_labels(rng, np.asarray(X @ W.T))
    return X.tocsr(), y


def _sample_labels(rng, Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    u = rng.random(len(P))[:, None]
    return np.minimum((P.cumsum(axis=1) < u).sum(axis=1), P.shape[1] - 1)


P2 = Target("fastest", 0.25)
PARITY = Target("fastest", 1.0)
P6 = Target("fastest", 1.0, memory=2.0, plus_x=True)
SPARSE = Target("default", 1.0, memory=1.5)

CASES = {
    c.name: c
    for c in [
        Case("digits-1e-2", digits_standardized, 1e-2, P2, 5, "standardized digits 1797x64, K=10"),
        Case("digits-1e-3", digits_standardized, 1e-3, P2, 5, "standardized digits 1797x64, K=10"),
        Case("k50", lambda: classification(10_000, 50, 50, 30), 1e-4, PARITY, 5, "10000x50, K=50"),
        Case(
            "n100k", lambda: classification(100_000, 50, 5, 25), 1e-4, PARITY, 3, "100000x50, K=5"
        ),
        Case("wide", lambda: classification(500, 1000, 3, 20), 1e-3, PARITY, 5, "500x1000, K=3"),
        Case(
            "wide-binary",
            lambda: classification(500, 1000, 2, 20),
            1e-3,
            PARITY,
            5,
            "500x1000, binary",
        ),
        Case(
            "ill-conditioned",
            ill_conditioned,
            1e-3,
            PARITY,
            5,
            "5000x20, K=3, columns x 10^-3..10^3",
        ),
        Case(
            "p6-20k",
            lambda: classification(20_000, 200, 8, 50),
            1e-4,
            P6,
            3,
            "make_classification 20000x200, K=8",
        ),
        Case(
            "p6-200k-f32",
            lambda: classification(200_000, 100, 10, 50, dtype=np.float32),
            1e-4,
            P6,
            3,
            "make_classification 200000x100, K=10, float32",
        ),
        Case(
            "sparse-small",
            lambda: text_like(2000, 5000, 0.002, 5),
            1e-4,
            SPARSE,
            5,
            "CSR 2000x5000, 0.2%, K=5",
        ),
        Case(
            "sparse-k5",
            lambda: text_like(5000, 20_000, 0.001, 5),
            1e-4,
            SPARSE,
            3,
            "CSR 5000x20000, 0.1%, K=5",
        ),
        Case(
            "sparse-big-binary",
            lambda: text_like(50_000, 100_000, 0.0005, 2),
            1e-4,
            SPARSE,
            3,
            "CSR 50000x100000, 0.05%, binary",
        ),
        Case(
            "sparse-big-k20",
            lambda: text_like(50_000, 100_000, 0.0005, 20),
            1e-4,
            SPARSE,
            3,
            "CSR 50000x100000, 0.05%, K=20",
        ),
    ]
}

QUICK = ("digits-1e-2", "ill-conditioned", "sparse-small")
FULL = tuple(name for name in CASES if name != "sparse-small")
