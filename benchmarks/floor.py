"""Floors: the arithmetic our solvers cannot skip, timed beside scikit-learn's fastest.

For a P2 row (dense X, softmax) each of our solvers' fits is at least a number of evaluations
(logits W X^T, softmax, gradient G X) and of Hessian products (two products with X and the
curvature in the logits); the counts are read from the fit that reached 1e-6 in the table. Each
piece is timed bare, in NumPy with nothing around it, at the faster of one thread and the
default, and the counts times those times give what the solver would cost with no overhead at
all. A floor above P2's 0.25x says the target needs fewer evaluations than the method makes, not
a leaner implementation of it.

For a sparse row: our default's product pairs with X (forward and backward, each in SciPy's
fastest layout, even one that costs a second copy of X) times their bare time; and the Python
loop that a per-sample method such as SAG cannot avoid, one row read per step, for as many
epochs as scikit-learn's sag takes.
"""

import numpy as np
from problem import quiet
from sections import best_time

from logreg import SoftmaxRegression


def bare_pieces(X, y, repeats=200):
    """Seconds of one bare evaluation and one bare Hessian product on (X, y)."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    K = int(y.max()) + 1
    rng = np.random.default_rng(0)
    W = 0.1 * rng.standard_normal((K, X.shape[1]))
    V = rng.standard_normal(W.shape)
    Y = np.zeros((K, len(y)))
    Y[y, np.arange(len(y))] = 1.0
    P = np.exp(W @ X.T)
    P /= P.sum(axis=0)

    def evaluation():
        Z = W @ X.T
        Z -= Z.max(axis=0)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=0)
        Z -= Y
        return Z @ X

    def product():
        U = V @ X.T
        U -= (P * U).sum(axis=0)
        U *= P
        return U @ X

    def many(fn):
        return lambda: [fn() for _ in range(repeats)]

    return (best_time(many(evaluation), 5)[0] / repeats, best_time(many(product), 5)[0] / repeats)


def counts(problem, solver, iterations):
    """(evaluations, Hessian products) of our fit of ``iterations`` that reached the target."""
    model = quiet(
        SoftmaxRegression(
            solver=solver, alpha=problem.alpha, max_iter=iterations, tol=0.0, random_state=0
        ).fit
    )(problem.X, problem.y)
    return model.work_["gradient"], model.work_["hess_vec"]


def p2_floor(result):
    """Lines: per solver of ours that reached the target, its floor and floor / sk fastest."""
    problem, sk = result["problem"], result["fastest"]["sklearn"]
    if sk is None or not sk.times or problem.binary:
        return []
    evaluation, product = bare_pieces(problem.X, problem.y)
    lines = [
        f"  {result['case'].name}: bare evaluation {evaluation * 1e3:.3f} ms, bare Hessian "
        f"product {product * 1e3:.3f} ms; scikit-learn's fastest {sk.best[0] * 1e3:.1f} ms"
    ]
    for e in result["entries"]:
        if e.side != "ours" or e.iterations is None or e.solver not in ("lbfgs", "newton-cg"):
            continue
        n_eval, n_prod = counts(problem, e.solver, e.iterations)
        floor = n_eval * evaluation + n_prod * product
        lines.append(
            f"    ours {e.solver}: {e.iterations} it, {n_eval:g} evaluations + {n_prod} products"
            f" = {floor * 1e3:.1f} ms at the floor = {floor / sk.best[0]:.2f}x"
        )
    return lines


def sparse_floor(result):
    """Lines for a sparse row: our default's products with X timed bare (SciPy's fastest layout
    for each), and the Python loop a per-sample method (SAG) would run, against scikit-learn."""
    problem, sk, default = result["problem"], result["fastest"]["sklearn"], result["default"]
    if sk is None or not sk.times or default is None or default.iterations is None:
        return []
    X = problem.X
    K = 1 if problem.binary else len(problem.classes)
    rng = np.random.default_rng(0)
    Wt = rng.standard_normal((X.shape[1], K))
    U = X @ Wt
    XT = X.T.tocsr()  # a second copy of X: the backward product's fastest layout

    def once(fn):
        return lambda: fn()

    forward = best_time(once(lambda: X @ Wt), 3)[0]
    backward = min(best_time(once(lambda: X.T @ U), 3)[0], best_time(once(lambda: XT @ U), 3)[0])
    n = min(X.shape[0], 5000)
    indptr, indices, data = X.indptr, X.indices, X.data

    def rows():  # the least a per-sample step does: read one row and its logits
        for i in range(n):
            s, e = indptr[i], indptr[i + 1]
            data[s:e] @ Wt[indices[s:e]]

    per_row = best_time(rows, 3)[0] / n
    model = problem.ours(default.solver, default.iterations)
    pairs = model.work_["gradient"] + model.work_["hess_vec"]
    floor = pairs * (forward + backward)
    epoch = per_row * X.shape[0]
    sk_epochs = next(
        (e.iterations for e in result["entries"] if e.side == "sklearn" and e.solver == "sag"),
        None,
    )
    lines = [
        f"  {result['case'].name}: products with X {forward * 1e3:.1f} + {backward * 1e3:.1f} ms"
        f" (X^T as its own CSR copy where faster); scikit-learn's fastest {sk.best[0]:.3f} s",
        f"    ours {default.solver}: {pairs:g} product pairs = {floor:.3f} s at the floor = "
        f"{floor / sk.best[0]:.2f}x",
    ]
    if sk_epochs:
        lines.append(
            f"    a per-sample loop in Python: {per_row * 1e6:.1f} us a row to read it, "
            f"{epoch:.3f} s an epoch; scikit-learn's sag's {sk_epochs} epochs would take "
            f"{sk_epochs * epoch:.2f} s = {sk_epochs * epoch / sk.best[0]:.2f}x"
        )
    return lines
