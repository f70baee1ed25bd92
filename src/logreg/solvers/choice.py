"""The default solver for a problem, chosen from the data's shape and sparsity."""

LARGE_N = 50_000  # from here on a dense problem's newton-cg beat lbfgs in the measurements below


def choose_solver(obj):
    """The name of the solver expected to reach ``tol`` first on ``obj``'s data.

    The rule, from side-by-side timings to 1e-6 of the optimum (issue 25; the reviewer's
    2026-12-06 benchmark for the dense rows, ``benchmarks/sparse_scratch.py`` for the sparse):

    * sparse ``X`` -> ``"newton-cg"``. Its diagonal preconditioner costs O(nnz); on CSR
      5000 x 20000 (0.1 %, K = 5) it needs 4 iterations (32 Hessian-vector products) where
      lbfgs needs 29 evaluations, 5x longer, and SAG/SAGA in NumPy batches need more than 40
      epochs (scikit-learn's compiled one-sample SAG needs 17).
    * dense ``X`` with at least ``LARGE_N`` samples -> ``"newton-cg"`` (100000 x 50, K = 5:
      187 ms against lbfgs's 372 ms): each Hessian-vector product is two passes over X, and it
      needs far fewer passes than lbfgs.
    * other dense ``X`` -> ``"lbfgs"`` (standardized digits, K = 50 on 10000 x 50, p > n on
      500 x 1000: lbfgs 0.4-0.6x newton-cg's time), whatever the width: past ``KRONECKER_MAX``
      columns newton-cg's preconditioner is only diagonal, and lbfgs's evaluations are cheaper.

    Parameters
    ----------
    obj : logreg.objective.Objective

    Returns
    -------
    str
        A key of ``logreg.solvers.SOLVERS``.
    """
    if obj.sparse or obj.n_samples >= LARGE_N:
        return "newton-cg"
    return "lbfgs"
