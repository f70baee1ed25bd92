"""Performance of the logreg trainer against scikit-learn, measured side by side in one run.

    .venv/bin/python benchmarks/run.py [--quick]

Nothing here is a test: the machines are shared and noisy, so every figure is a ratio of two
timings taken in the same process, each side at its best thread setting (one BLAS/OpenMP thread
or the default), median of several runs. Targets:

P1  One gradient-descent iteration *through fit* (a 6-iteration fit minus a 1-iteration fit,
    divided by 5) on 60,000 x 784, 10 classes, at most 1.15 times the two matrix products it
    cannot avoid, measured beside it.
P2  Standardized digits (1797 x 64, 10 classes), alpha in {1e-2, 1e-3}: time to an objective
    within 1e-6 (relative) of the optimum, our fastest solver at most 0.25 times scikit-learn's
    fastest (lbfgs or newton-cg). Each solver runs exactly the iterations it needs (found first).
P6  make_classification 20,000 x 200, 8 classes (float64) and 200,000 x 100, 10 classes
    (float32): time to the same accuracy at most 1x scikit-learn's fastest, and peak memory
    (tracemalloc) at most 2x scikit-learn's plus the size of X.
D   The default solver: lbfgs and newton-cg with the estimator's defaults (max_iter=100,
    tol=1e-6) on unscaled problems, where a default either converges or warns.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import logreg
from logreg import SoftmaxRegression
from logreg.objective import SoftmaxObjective

REL_GAP = 1e-6
THREADS = (1, None)  # one thread, and the default


def best_time(fn, repeats):
    """The best of one-thread and default-thread medians, and which setting won."""
    out = {}
    for threads in THREADS:
        with threadpool_limits(threads):
            fn()  # warm-up
            out[threads or "default"] = statistics.median(_timed(fn) for _ in range(repeats))
    setting = min(out, key=out.get)
    return out[setting], setting


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def quiet(fn):
    def wrapped(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)

    return wrapped


# ---------------------------------------------------------------------------
# P1
# ---------------------------------------------------------------------------


def p1(n, d, k, repeats):
    rng = np.random.default_rng(0)
    rows = []
    for dtype in (np.float64, np.float32):
        X = rng.standard_normal((n, d)).astype(dtype)
        y = rng.integers(0, k, n)
        W = (0.01 * rng.standard_normal((k, d))).astype(dtype)
        G = (0.01 * rng.standard_normal((k, n))).astype(dtype)

        def products(X=X, W=W, G=G):
            W @ X.T
            G @ X

        fit = quiet(
            lambda m, X=X, y=y: SoftmaxRegression(solver="gd", lr=0.1, max_iter=m, tol=0.0).fit(
                X, y
            )
        )
        floor, _ = best_time(products, repeats)
        results = {}
        for threads in THREADS:
            with threadpool_limits(threads):
                fit(1)
                t1 = statistics.median(_timed(lambda f=fit: f(1)) for _ in range(repeats))
                t6 = statistics.median(_timed(lambda f=fit: f(6)) for _ in range(repeats))
                results[threads or "default"] = (t6 - t1) / 5
        setting = min(results, key=results.get)
        rows.append((np.dtype(dtype).name, results[setting], setting, floor))
    return rows


# ---------------------------------------------------------------------------
# P2 and P6: time to an accuracy
# ---------------------------------------------------------------------------


class Problem:
    def __init__(self, X, y, alpha):
        self.X, self.y, self.alpha = X, y, alpha
        n = len(y)
        self.obj = SoftmaxObjective(
            X,
            np.unique(y, return_inverse=True)[1],
            len(np.unique(y)),
            alpha,
            True,
            np.full(n, 1 / n),
        )
        ref = quiet(SoftmaxRegression(solver="newton-cg", alpha=alpha, tol=1e-9, max_iter=200).fit)(
            X, y
        )
        self.f_star = self.objective(ref.coef_, ref.intercept_)
        self.target = self.f_star * (1 + REL_GAP)

    def objective(self, coef, intercept):
        return self.obj.loss(
            np.concatenate([np.asarray(coef, float).ravel(), np.asarray(intercept, float).ravel()])
        )

    def ours(self, solver, max_iter, **params):
        return quiet(
            SoftmaxRegression(
                solver=solver, alpha=self.alpha, max_iter=max_iter, tol=0.0, **params
            ).fit
        )(self.X, self.y)

    def sklearn(self, solver, max_iter):
        from sklearn.linear_model import LogisticRegression

        C = 1.0 / (self.alpha * len(self.y))
        return quiet(LogisticRegression(C=C, solver=solver, max_iter=max_iter, tol=1e-16).fit)(
            self.X, self.y
        )

    def our_iterations(self, solver, limit, **params):
        history = self.ours(solver, limit, **params).loss_history_
        return next((i + 1 for i, f in enumerate(history) if f <= self.target), None)

    def sklearn_iterations(self, solver, limit):
        """The fewest iterations whose result reaches the target (doubling, then bisection)."""

        def ok(k):
            m = self.sklearn(solver, k)
            return self.objective(m.coef_, m.intercept_) <= self.target

        hi = 1
        while not ok(hi):
            hi *= 2
            if hi > limit:
                return None
        lo = hi // 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if ok(mid) else (mid, hi)
        return hi


def peak_memory(fn):
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def p2(repeats):
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rows = []
    for alpha in (1e-2, 1e-3):
        problem = Problem(X, y, alpha)
        sk = {}
        for solver in ("lbfgs", "newton-cg"):
            k = problem.sklearn_iterations(solver, 4096)
            run = lambda s=solver, k=k, pb=problem: pb.sklearn(s, k)  # noqa: E731
            sk[solver] = (k, *best_time(run, repeats))
        ours = {}
        for solver, limit, params in (
            ("newton-cg", 50, {}),
            ("lbfgs", 500, {}),
            ("newton", 50, {}),
            ("gd", 3000, {}),
        ):
            k = problem.our_iterations(solver, limit, **params)
            if k is None:
                ours[solver] = (None, None, None)
                continue
            run = lambda s=solver, k=k, p=params, pb=problem: pb.ours(s, k, **p)  # noqa: E731
            ours[solver] = (k, *best_time(run, repeats))
        rows.append((alpha, sk, ours))
    return rows


def p6(quick, repeats):
    from sklearn.datasets import make_classification

    cases = [(20_000, 200, 8, np.float64), (200_000, 100, 10, np.float32)]
    if quick:
        cases = [(5_000, 100, 8, np.float64), (20_000, 50, 10, np.float32)]
    rows = []
    for n, d, k, dtype in cases:
        X, y = make_classification(
            n,
            d,
            n_informative=min(d // 2, 50),
            n_redundant=0,
            n_classes=k,
            n_clusters_per_class=1,
            random_state=0,
        )
        X = X.astype(dtype)
        problem = Problem(X, y, 1e-4)
        results = {}
        for side, solver in (
            ("sklearn", "lbfgs"),
            ("sklearn", "newton-cg"),
            ("logreg", "newton-cg"),
            ("logreg", "lbfgs"),
        ):
            if side == "sklearn":
                iters = problem.sklearn_iterations(solver, 2048)
                run = lambda s=solver, i=iters, pb=problem: pb.sklearn(s, i)  # noqa: E731
            else:
                iters = problem.our_iterations(solver, 2000)
                run = lambda s=solver, i=iters, pb=problem: pb.ours(s, i)  # noqa: E731
            t, setting = best_time(run, repeats)
            results[(side, solver)] = (iters, t, setting, peak_memory(run))
        rows.append(((n, d, k, np.dtype(dtype).name, X.nbytes), results))
    return rows


def default_solver():
    """Each candidate default on unscaled data with default settings: converged? time, objective."""
    from sklearn.datasets import load_breast_cancer, load_digits, load_iris

    cases = []
    X, y = load_digits(return_X_y=True)
    cases += [(f"digits (raw pixels), alpha={a:g}", X, y, a) for a in (1e-2, 1e-3, 1e-4)]
    X, y = load_breast_cancer(return_X_y=True)
    cases.append(("breast cancer (raw), alpha=1e-3", X, y, 1e-3))
    X, y = load_iris(return_X_y=True)
    cases += [(f"iris, alpha={a:g}", X, y, a) for a in (0.0, 1e-3)]
    rows = []
    for name, X, y, alpha in cases:
        out = {}
        for solver in ("lbfgs", "newton-cg"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                start = time.perf_counter()
                model = SoftmaxRegression(solver=solver, alpha=alpha).fit(X, y)
                elapsed = time.perf_counter() - start
            converged = not any("did not converge" in str(w.message) for w in caught)
            out[solver] = (converged, model.n_iter_[0], elapsed, model.loss_history_[-1])
        rows.append((name, out))
    return rows


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    quick = parser.parse_args(argv).quick
    repeats = 3 if quick else 5
    blas = ", ".join(
        f"{i['internal_api']} {i.get('version', '')}"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    )
    import sklearn

    versions = f"scikit-learn {sklearn.__version__}, numpy {np.__version__}"
    print(f"logreg {logreg.__version__}, {versions}, Python {sys.version.split()[0]}")
    print(f"cores: {os.cpu_count()}, BLAS: {blas}")
    print(f"each time: the best of one thread and the default, median of {repeats} runs")
    print()

    n, d, k = (6_000, 784, 10) if quick else (60_000, 784, 10)
    print(f"P1  one gd iteration through fit, {n} x {d}, {k} classes, against W X^T and G X")
    print(
        f"    {'dtype':8} {'iteration':>10} {'threads':>8} {'2 products':>11} {'ratio':>7}  target"
    )
    for dtype, t, setting, floor in p1(n, d, k, repeats):
        verdict = "met" if t / floor <= 1.15 else "MISSED"
        line = (
            f"    {dtype:8} {t * 1e3:8.2f}ms {setting!s:>8} {floor * 1e3:9.2f}ms {t / floor:7.3f}"
        )
        print(f"{line}  <= 1.15: {verdict}")
    print()

    print("P2  standardized digits: time to within 1e-6 of the optimum")
    for alpha, sk, ours in p2(repeats):
        best_sk = min(v[1] for v in sk.values())
        fastest = min((v[1], s) for s, v in ours.items() if v[1] is not None)
        for side, table in (("scikit-learn", sk), ("logreg", ours)):
            for solver, (iters, t, setting) in table.items():
                head = f"    alpha={alpha:<6g} {side:12} {solver:9}"
                if t is None:
                    print(f"{head} not reached")
                    continue
                print(f"{head} {iters:5d} it {t * 1e3:8.1f}ms ({setting} thr)")
        ratio = fastest[0] / best_sk
        verdict = "met" if ratio <= 0.25 else "MISSED"
        label = f"our fastest ({fastest[1]}) / scikit-learn's fastest"
        print(f"    alpha={alpha:<6g} {label}: {ratio:.3f}")
        print(f"    {'':12} target <= 0.25: {verdict}")
    print()

    print("P6  large problems: time to within 1e-6 of the optimum, peak memory (tracemalloc)")
    for (n, d, k, dtype, xbytes), results in p6(quick, 3):
        name = f"{n}x{d}x{k} {dtype}"
        sk = {s: v for (side, s), v in results.items() if side == "sklearn"}
        ours = {s: v for (side, s), v in results.items() if side == "logreg"}
        for (side, solver), (iters, t, setting, peak) in results.items():
            line = f"    {name} {side:8} {solver:9} {iters!s:>5} it {t:7.2f}s ({setting} thr)"
            print(f"{line} peak {peak / 1e6:8.1f} MB")
        t_sk = min(v[1] for v in sk.values())
        fastest = min(ours, key=lambda s: ours[s][1])
        t_ours, peak_ours = ours[fastest][1], ours[fastest][3]
        limit = 2 * min(v[3] for v in sk.values()) + xbytes
        time_verdict = "met" if t_ours <= t_sk else "MISSED"
        memory_verdict = "met" if peak_ours <= limit else "MISSED"
        print(f"    {name} time: ours ({fastest}) / scikit-learn's fastest = {t_ours / t_sk:.3f}")
        print(f"    {'':12} target <= 1: {time_verdict}")
        print(f"    {name} memory: {peak_ours / 1e6:.1f} MB, limit {limit / 1e6:.1f} MB")
        print(f"    {'':12} (2 x scikit-learn's + X): {memory_verdict}")

    print()

    print("D   default settings on unscaled data (max_iter=100, tol=1e-6)")
    for name, out in default_solver():
        cells = [
            f"{solver} {'converged' if ok else 'WARNED   '} {it:3d} it {t * 1e3:6.0f}ms {loss:.6f}"
            for solver, (ok, it, t, loss) in out.items()
        ]
        print(f"    {name:34} " + " | ".join(cells))


if __name__ == "__main__":
    main()
