"""Performance of the logreg trainer, printed as ratios measured side by side.

Run with ``python benchmarks/run.py`` (``--quick`` for a smaller smoke run).
Nothing here is a test: the figures depend on the machine and its load, so
every comparison is a ratio of two timings taken in the same process.

1. One full-batch loss-and-gradient evaluation of softmax regression on a
   60,000 x 784 problem with 10 classes, divided by the time of the two
   matrix products it cannot avoid (X @ W and X.T @ G). Target: <= 1.15.
2. Time for solver="newton" to reach an objective within 1e-6 (relative) of
   the optimum on standardized digits, divided by the time scikit-learn's
   lbfgs needs for the same accuracy. Target: <= 0.25.
3. The same for "gd" and "sgd" (no target: the book uses them to teach the
   trade-off between cost per iteration and number of iterations).
"""

import argparse
import os
import statistics
import sys
import time
import warnings

import numpy as np

import logreg
from logreg import ConvergenceWarning, SoftmaxRegression, one_hot, softmax_cross_entropy
from logreg.losses import softmax_cross_entropy_and_grad

REL_GAP = 1e-6


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------------------
# 1. Loss and gradient against the two unavoidable matrix products
# ---------------------------------------------------------------------------


def bench_loss_grad(n_samples, n_features, n_classes, repeats):
    rows = []
    rng = np.random.default_rng(0)
    X64 = rng.standard_normal((n_samples, n_features))
    y = rng.integers(0, n_classes, n_samples)
    for dtype in (np.float64, np.float32):
        X = X64.astype(dtype, copy=False)
        W = (0.01 * rng.standard_normal((n_features, n_classes))).astype(dtype)
        b = np.zeros(n_classes, dtype=dtype)
        Y = one_hot(y, n_classes).astype(dtype)
        G = (0.01 * rng.standard_normal((n_samples, n_classes))).astype(dtype)

        def two_products(X=X, W=W, G=G):
            X @ W
            X.T @ G

        def ours(X=X, W=W, b=b, Y=Y):
            softmax_cross_entropy_and_grad(W, b, X, Y, 1e-4, check_input=False)

        two_products()
        ours()  # warm up
        # Interleave the two so that a change in machine load hits both.
        t_base, t_ours = [], []
        for _ in range(repeats):
            t_base.append(median_time(two_products, 1))
            t_ours.append(median_time(ours, 1))
        base, mine = statistics.median(t_base), statistics.median(t_ours)
        rows.append((np.dtype(dtype).name, "logreg", mine, base))
        torch_time = bench_torch(X, y, W, b, repeats)
        if torch_time is not None:
            rows.append((np.dtype(dtype).name, "torch (CPU)", torch_time, base))
    return rows


def bench_torch(X, y, W, b, repeats):
    try:
        import torch
    except ImportError:
        return None
    Xt, Wt = torch.from_numpy(X), torch.from_numpy(W).requires_grad_()
    bt, yt = torch.from_numpy(b).requires_grad_(), torch.from_numpy(y)

    def step():
        Wt.grad = bt.grad = None
        loss = torch.nn.functional.cross_entropy(Xt @ Wt + bt, yt) + 0.5e-4 * (Wt * Wt).sum()
        loss.backward()

    step()
    return median_time(step, repeats)


# ---------------------------------------------------------------------------
# 2 and 3. Time to a given accuracy on standardized digits
# ---------------------------------------------------------------------------


def digits():
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def objective_of(coef, intercept, X, Y, alpha):
    return softmax_cross_entropy(coef.T, intercept, X, Y, alpha)


def sklearn_fit(X, y, alpha, max_iter, tol):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=1.0 / (alpha * X.shape[0]), solver="lbfgs", max_iter=max_iter, tol=tol
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def ours_fit(X, y, alpha, max_iter, tol=0.0, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SoftmaxRegression(alpha=alpha, max_iter=max_iter, tol=tol, **params).fit(X, y)


def first_reaching(history, target):
    for it, f in enumerate(history, start=1):
        if f <= target:
            return it
    return None


def bench_time_to_accuracy(alpha, repeats, gd_max_iter, sgd_max_iter):
    from threadpoolctl import threadpool_limits

    X, y = digits()
    Y = one_hot(y, 10)
    ref = sklearn_fit(X, y, alpha, 20_000, 1e-14)
    best = ours_fit(X, y, alpha, 100, tol=1e-12)
    f_star = min(
        objective_of(ref.coef_, ref.intercept_, X, Y, alpha),
        objective_of(best.coef_, best.intercept_, X, Y, alpha),
    )
    target = f_star * (1 + REL_GAP)

    # scikit-learn: the fewest lbfgs iterations whose result reaches the target.
    k_lbfgs = None
    for k in range(1, 2000):
        m = sklearn_fit(X, y, alpha, k, 0.0)
        if objective_of(m.coef_, m.intercept_, X, Y, alpha) <= target:
            k_lbfgs = k
            break

    def lbfgs():
        sklearn_fit(X, y, alpha, k_lbfgs, 0.0)

    # On a small machine the BLAS and OpenMP thread pools of numpy, scipy and
    # scikit-learn can contend; each side is timed with its default threads
    # and with one thread, and compared at its best.
    t_lbfgs = {"default": median_time(lbfgs, repeats)}
    with threadpool_limits(1):
        t_lbfgs["1 thread"] = median_time(lbfgs, repeats)

    rows = []
    lr = 1.0 / lipschitz_bound(X, alpha)
    for solver, max_iter, params in (
        ("newton", 100, {}),
        ("gd", gd_max_iter, {"lr": lr}),
        ("sgd", sgd_max_iter, {"lr": lr, "batch_size": 64, "random_state": 0}),
    ):
        history = ours_fit(X, y, alpha, max_iter, solver=solver, **params).loss_history_
        k = first_reaching(history, target)
        row = {
            "alpha": alpha,
            "solver": solver,
            "iters": k,
            "max_iter": max_iter,
            "lbfgs_iters": k_lbfgs,
            "lbfgs": t_lbfgs,
            "gap": (min(history) - f_star) / f_star,
        }
        if k is not None:

            def fit(k=k, solver=solver, params=params):
                ours_fit(X, y, alpha, k, solver=solver, **params)

            row["ours"] = {"default": median_time(fit, repeats if solver == "newton" else 3)}
            with threadpool_limits(1):
                row["ours"]["1 thread"] = median_time(fit, repeats if solver == "newton" else 3)
        rows.append(row)
    return rows


def lipschitz_bound(X, alpha):
    """A bound on the curvature of the mean softmax cross-entropy + L2.

    Each sample's Hessian block diag(p) - p p^T has eigenvalues <= 1/2, so the
    objective's Hessian is at most (1/2) lambda_max(X~^T X~ / n) + alpha; a step
    of 1 / L keeps gradient descent stable.
    """
    Xa = np.hstack([X, np.ones((X.shape[0], 1))])
    return 0.5 * np.linalg.eigvalsh(Xa.T @ Xa / X.shape[0]).max() + alpha


# ---------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = parser.parse_args(argv)
    quick = args.quick

    try:
        from threadpoolctl import threadpool_info

        blas = ", ".join(
            f"{i['internal_api']} {i.get('version', '')} ({i['num_threads']} threads)"
            for i in threadpool_info()
            if i["user_api"] == "blas"
        )
    except ImportError:  # pragma: no cover
        blas = "unknown"
    print(f"logreg {logreg.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
    print(f"cores: {os.cpu_count()}, BLAS: {blas}")
    print()

    n, d, k = (6_000, 784, 10) if quick else (60_000, 784, 10)
    print(f"1. Loss and gradient, {n} x {d}, {k} classes: time / time(X @ W + X.T @ G)")
    print(
        f"   {'dtype':8} {'implementation':14} {'time':>10} {'2 products':>11} {'ratio':>7}  target"
    )
    for dtype, impl, t, base in bench_loss_grad(n, d, k, repeats=5 if quick else 15):
        target = "<= 1.15" if impl == "logreg" else ""
        print(
            f"   {dtype:8} {impl:14} {t * 1e3:8.2f}ms {base * 1e3:9.2f}ms {t / base:7.3f}  {target}"
        )
    print()

    print(f"2-3. Time to an objective within {REL_GAP:g} (relative) of the optimum on standardized")
    print(
        "     digits (1797 x 64, 10 classes); ratio = our best time / lbfgs's best time, each the"
    )
    print("     faster of default threads and one thread")
    print(
        f"     {'alpha':>6} {'solver':7} {'iters':>6} {'ours: default':>14} {'1 thread':>9} "
        f"{'lbfgs iters':>12} {'default':>9} {'1 thread':>9} {'ratio':>7}  target"
    )
    for alpha in (1e-2, 1e-3):
        rows = bench_time_to_accuracy(
            alpha,
            repeats=3 if quick else 7,
            gd_max_iter=500 if quick else 5000,
            sgd_max_iter=50 if quick else 300,
        )
        for r in rows:
            target = "<= 0.25" if r["solver"] == "newton" else "(none)"
            lb = r["lbfgs"]
            lbfgs_cols = (
                f"{r['lbfgs_iters']:12d} {lb['default'] * 1e3:7.1f}ms {lb['1 thread'] * 1e3:7.1f}ms"
            )
            if r["iters"] is None:
                print(
                    f"     {r['alpha']:6g} {r['solver']:7} {'>' + str(r['max_iter']):>6} "
                    f"{'not reached':>14} {'':>9} {lbfgs_cols} {'-':>7}  {target} "
                    f"(relative gap {r['gap']:.1e} after {r['max_iter']} iterations)"
                )
                continue
            ours = r["ours"]
            ratio = min(ours.values()) / min(lb.values())
            print(
                f"     {r['alpha']:6g} {r['solver']:7} {r['iters']:6d} "
                f"{ours['default'] * 1e3:12.1f}ms {ours['1 thread'] * 1e3:7.1f}ms "
                f"{lbfgs_cols} {ratio:7.3f}  {target}"
            )


if __name__ == "__main__":
    main()
