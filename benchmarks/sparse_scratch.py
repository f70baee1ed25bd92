"""Sparse, text-like data: logreg's solvers against scikit-learn's, time and memory to 1e-6.

    .venv/bin/python benchmarks/sparse_scratch.py [small|large2|large20|all] [--ours a,b] [--sk a,b]

Data: rows of a CSR matrix with Zipf-distributed column frequencies, TF-IDF-like values
(log(1 + count) times an idf, rows scaled to unit norm), labels from a sparse linear model.
Time to 1e-6 (relative) of the optimum: each solver's fewest iterations that reach it are found
first, then exactly that many are timed (median of 3), each side at its best thread setting.
Peak memory: tracemalloc around one such fit. Then, with the iterations found, both sides timed
alternately in one process (one thread), which a busy machine skews less:

    .venv/bin/python -c "import sys; sys.path.insert(0, 'benchmarks'); from sparse_scratch import
    interleaved; interleaved('small', {'newton-cg': 4, 'lbfgs': 29}, {'sag': 18, 'newton-cg': 5})"
"""

import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from logreg import LogisticRegression, SoftmaxRegression
from logreg.objective import BinaryObjective, SoftmaxObjective

REL_GAP = 1e-6
CASES = {
    "small": (5000, 20000, 1e-3, 5),
    "large2": (50000, 100000, 5e-4, 2),
    "large20": (50000, 100000, 5e-4, 20),
}


def text_like(n, d, density, k, seed=0):
    rng = np.random.default_rng(seed)
    per_row = max(1, round(density * d))
    freq = 1.0 / (np.arange(d) + 10.0) ** 1.1  # Zipf-like word frequencies
    freq /= freq.sum()
    counts = rng.poisson(per_row, n).clip(1)
    cols = rng.choice(d, size=counts.sum(), p=freq)
    rows = np.repeat(np.arange(n), counts)
    X = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, d))  # sums duplicates
    X.data = np.log1p(X.data)
    df = np.bincount(X.indices, minlength=d)
    X.data *= np.log((1 + n) / (1 + df[X.indices])) + 1.0
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.diags(1 / norms) @ X
    W = rng.standard_normal((k, d)) * (rng.random((k, d)) < 0.05) * 5
    Z = (X @ W.T).T + 0.5 * rng.standard_normal((k, n))
    y = Z.argmax(axis=0) if k > 2 else (Z[0] > np.median(Z[0])).astype(int)
    return sp.csr_matrix(X), y


class Problem:
    def __init__(self, X, y, alpha):
        self.X, self.y, self.alpha = X, y, alpha
        n = len(y)
        self.k = len(np.unique(y))
        w = np.full(n, 1 / n)
        if self.k == 2:
            self.obj = BinaryObjective(X, 2.0 * y - 1, alpha, True, w)
        else:
            self.obj = SoftmaxObjective(X, y, self.k, alpha, True, w)
        ref = self.ours("newton-cg", 300, tol=1e-10)
        self.f_star = self.objective(ref.coef_, ref.intercept_)

    def objective(self, coef, intercept):
        theta = np.concatenate([np.ravel(coef), np.ravel(intercept)]).astype(float)
        return self.obj.loss(theta)

    def ours(self, solver, max_iter, tol=0.0, **params):
        cls = LogisticRegression if self.k == 2 else SoftmaxRegression
        model = cls(solver=solver, alpha=self.alpha, max_iter=max_iter, tol=tol, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(self.X, self.y)

    def sklearn(self, solver, max_iter):
        from sklearn.linear_model import LogisticRegression as SkLR

        C = 1.0 / (self.alpha * len(self.y))
        model = SkLR(C=C, solver=solver, max_iter=max_iter, tol=1e-16)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(self.X, self.y)

    def reached(self, model):
        return self.objective(model.coef_, model.intercept_) <= self.f_star * (1 + REL_GAP)

    def fewest(self, fit, limit):
        """Fewest iterations whose fit reaches the target (doubling, then bisection)."""
        hi = 1
        while not self.reached(fit(hi)):
            hi *= 2
            if hi > limit:
                return None
        lo = hi // 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if self.reached(fit(mid)) else (mid, hi)
        return hi


def timed(fn, repeats=3):
    out = {}
    for threads in (1, None):
        with threadpool_limits(threads):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            out[threads or "default"] = statistics.median(times)
    best = min(out, key=out.get)
    return out[best], best


def peak(fn):
    tracemalloc.start()
    fn()
    top = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return top


def run(case, ours, theirs):
    n, d, density, k = CASES[case]
    X, y = text_like(n, d, density, k)
    pb = Problem(X, y, 1e-4)
    print(f"{case}: {n}x{d} nnz={X.nnz} K={k} f*={pb.f_star:.10g}", flush=True)
    rows = []
    for side, solvers, fit in (("ours", ours, pb.ours), ("sk", theirs, pb.sklearn)):
        for solver in solvers:
            it = pb.fewest(lambda m, s=solver, f=fit: f(s, m), 2000)
            if it is None:
                print(f"  {side} {solver}: not reached", flush=True)
                continue
            t, thr = timed(lambda s=solver, m=it, f=fit: f(s, m))
            mem = peak(lambda s=solver, m=it, f=fit: f(s, m))
            rows.append((side, solver, it, t, thr, mem))
            print(
                f"  {side:4} {solver:9} it={it:4d} {1e3 * t:8.1f} ms ({thr}) "
                f"peak {mem / 2**20:7.1f} MB",
                flush=True,
            )
    best = {
        s: min((r for r in rows if r[0] == s), key=lambda r: r[3], default=None)
        for s in ("ours", "sk")
    }
    if best["ours"] and best["sk"]:
        o, k = best["ours"], best["sk"]
        print(f"  ours/sk fastest: {o[3] / k[3]:.2f} ({o[1]} / {k[1]}), memory {o[5] / k[5]:.2f}")
    return rows


def main(argv):
    which = argv[0] if argv else "small"
    opts = dict(zip(argv[1::2], argv[2::2], strict=False))
    ours = opts.get("--ours", "newton-cg,lbfgs,sag,saga").split(",")
    theirs = opts.get("--sk", "sag,saga,lbfgs,newton-cg").split(",")
    for case in CASES if which == "all" else [which]:
        run(case, ours, theirs)
    with open("/proc/loadavg") as f:
        print("load", f.read().split()[:3])


if __name__ == "__main__":
    main(sys.argv[1:])


def interleaved(case, ours, theirs, rounds=7):
    """Time fixed-iteration fits of both sides alternately (one thread), medians per solver.

    ``ours``/``theirs``: {solver: iterations} found by ``run``."""
    n, d, density, k = CASES[case]
    X, y = text_like(n, d, density, k)
    pb = Problem(X, y, 1e-4)
    fits = {("ours", s): (lambda s=s, m=m: pb.ours(s, m)) for s, m in ours.items()}
    fits |= {("sk", s): (lambda s=s, m=m: pb.sklearn(s, m)) for s, m in theirs.items()}
    times = {key: [] for key in fits}
    with threadpool_limits(1):
        for _ in range(rounds):
            for key, fn in fits.items():
                start = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - start)
    for key, ts in times.items():
        print(f"  {key[0]:4} {key[1]:9} median {1e3 * statistics.median(ts):8.1f} ms", flush=True)
