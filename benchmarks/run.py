"""Performance of the logreg solvers against scikit-learn's, measured side by side in one run.

    .venv/bin/python benchmarks/run.py [--quick] [--cases NAME,...] [--json PATH]

Nothing here is a test: the machines are shared and noisy, so every figure is a ratio of two
timings taken in the same process, interleaved, each side at its best thread setting (one
BLAS/OpenMP thread or the default), median of several runs; the load average is printed before
and after. The parts:

table  One row per data set (benchmarks/cases.py): standardized digits at alpha 1e-2 and 1e-3
       (P2: our fastest solver's time to 1e-6 of the optimum at most 0.25x scikit-learn's fastest;
       below the table, P2's floor: the same fits at zero overhead, benchmarks/floor.py),
       K = 50, n = 100000, p > n (K = 3 and binary), ill-conditioned columns, P6's two large
       make_classification problems (at most 1x, and our default's peak memory at most 2x
       scikit-learn's plus X), and sparse text-like CSR data (our *default* solver at most 1x
       scikit-learn's fastest and at most 1.5x its peak memory). Every other row: our fastest at
       most 1x. The method is in benchmarks/measure.py; logreg's solvers are read from
       logreg.models.SOLVERS, scikit-learn's are lbfgs, newton-cg, newton-cholesky, sag, saga.
P1     One gradient-descent iteration through fit on 60000 x 784, 10 classes, at most 1.15x the
       two matrix products it cannot avoid, measured beside it.
D      The candidate default solvers with the estimator's defaults (max_iter=100, tol=1e-6) on
       unscaled problems, where a default either converges or warns.

--quick runs P1 at a small size, D, and three small rows; --cases picks rows (and P1, D) by name.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from cases import CASES, FULL, P2, QUICK, SPARSE
from floor import p2_floor, sparse_floor
from measure import CUT, SCREEN, SK_SOLVERS, measure_case
from problem import DENSE_MAX, EXACT_MAX
from sections import print_d, print_p1
from threadpoolctl import threadpool_info

import logreg
import logreg.models

COLUMNS = (
    "case",
    "ours fastest",
    "ours default",
    "scikit-learn fastest",
    "fastest / fastest",
    "default / fastest",
    "peak MB ours default / sk fastest",
    "memory ratio",
    "target",
    "",
)


def nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if sp.issparse(X) else X.nbytes


def summarize(result):
    """One table row (a dict) from measure_case's result."""
    case, problem = result["case"], result["problem"]
    ours, sk, default = result["fastest"]["ours"], result["fastest"]["sklearn"], result["default"]
    row = {"case": case.name, "about": case.about, "alpha": case.alpha}
    t_sk = sk.best[0] if sk else None
    t_ours = ours.best[0] if ours else None
    t_default = default.best[0] if default and default.times else None
    row["fastest_ratio"] = t_ours / t_sk if t_ours and t_sk else None
    row["default_ratio"] = t_default / t_sk if t_default and t_sk else None
    peak_default = default.peak if default else None
    peak_sk = sk.peak if sk else None
    row["memory_ratio"] = peak_default / peak_sk if peak_default and peak_sk else None
    target = case.target
    ratio = row["fastest_ratio" if target.compare == "fastest" else "default_ratio"]
    met = ratio is not None and ratio <= target.time
    if target.memory is not None:
        limit = (
            target.memory * peak_sk + (nbytes(problem.X) if target.plus_x else 0) if peak_sk else 0
        )
        met = met and peak_default is not None and peak_default <= limit
    row["target"], row["met"] = target.describe(), bool(met)
    default_name = default.solver if default else "?"
    if default_name == "auto":
        default_name = f"auto->{result['resolved'] or '?'}"
    row["default_solver"] = default_name
    row["f_star"], row["f_lowest"] = problem.f_ref, problem.f_star
    row["X_MB"] = nbytes(problem.X) / 1e6
    row["repeats"] = result["repeats"]
    row["entries"] = [
        {
            "side": e.side,
            "solver": e.solver,
            "iterations": e.iterations,
            "search_s": e.search_s,
            "median_s": {str(k): v for k, v in e.times.items()},
            "best_s": e.best[0],
            "threads": e.best[1],
            "peak_MB": e.peak / 1e6 if e.peak is not None else None,
            "note": e.note,
            "fastest": e is ours or e is sk,
        }
        for e in result["entries"]
    ]
    row["cells"] = [
        case.name,
        _cell(ours, iterations=True),
        _cell(default, name=default_name),
        _cell(sk, iterations=True),
        _ratio(row["fastest_ratio"]),
        _ratio(row["default_ratio"]),
        f"{_mb(peak_default)} / {_mb(peak_sk)}",
        _ratio(row["memory_ratio"]),
        row["target"],
        "met" if met else "MISSED",
    ]
    return row


def _cell(entry, iterations=False, name=None):
    if entry is None or not entry.times:
        return f"{name or ''} -".strip()
    t, setting = entry.best
    its = f", {entry.iterations} it" if iterations else ""
    threads = "1 thr" if setting == 1 else "default thr"
    return f"{name or entry.solver}{its}, {t * 1e3:.1f} ms ({threads})"


def _ratio(value):
    return "-" if value is None else f"{value:.2f}"


def _mb(value):
    return "-" if value is None else f"{value / 1e6:.1f}"


def markdown(rows):
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    return lines + ["| " + " | ".join(row["cells"]) + " |" for row in rows]


def print_table(rows):
    print("\n".join(markdown(rows)))
    print()
    for row in rows:
        skipped = [e for e in row["entries"] if e["note"]]
        if skipped:
            print(f"{row['case']} ({row['about']}, alpha={row['alpha']:g}):")
            for e in skipped:
                print(f"    {e['side']} {e['solver']}: {e['note']}")


def environment():
    import scipy
    import sklearn

    blas = ", ".join(
        f"{i['internal_api']} {i.get('version', '')} ({i['num_threads']} threads by default)"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    )
    variables = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    return {
        "versions": f"logreg {logreg.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}, Python {sys.version.split()[0]}",
        "cores": os.cpu_count(),
        "blas": blas,
        "thread variables": ", ".join(f"{v}={os.environ[v]}" for v in variables if v in os.environ)
        or "none set",
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few rows (~1 min)")
    parser.add_argument(
        "--cases",
        help=f"comma-separated rows to run, among: {', '.join(CASES)}; P1 and D name those parts",
    )
    parser.add_argument("--json", help="also write the table and every measurement here")
    args = parser.parse_args(argv)
    names = args.cases.split(",") if args.cases else [*(QUICK if args.quick else FULL), "P1", "D"]
    unknown = [n for n in names if n not in CASES and n not in ("P1", "D")]
    if unknown:
        parser.error(
            f"unknown case(s) {', '.join(unknown)}; expected names among {', '.join(CASES)}, P1, D"
        )
    load_before, started, cpu = os.getloadavg(), time.perf_counter(), time.process_time()
    env = environment()

    solvers = list(logreg.models.SOLVERS)
    rows = []
    table_names = [n for n in names if n in CASES]
    if table_names:
        print("Time to an objective within 1e-6 of the optimum")
        print(f"logreg's solvers: {', '.join(solvers)}; scikit-learn's: {', '.join(SK_SOLVERS)}")
        log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
        floors = []
        for name in table_names:
            repeats = 3 if args.quick else None
            result = measure_case(CASES[name], solvers, repeats, log=log)
            rows.append(summarize(result))
            if CASES[name].target == P2:
                floors += p2_floor(result)
            elif CASES[name].target == SPARSE:
                floors += sparse_floor(result)
        print()
        print_table(rows)
        if floors:
            print("Floors: the products and evaluations our solvers make, each timed bare")
            print("\n".join(floors))
        print(
            f"Each time: the median of the row's repeats at the faster of 1 thread and the default "
            f"(runs interleaved); peak memory: tracemalloc around one fit. Not run: exact-Hessian "
            f"solvers above {EXACT_MAX} parameters, a dense (d+1)^2 matrix from sparse X above "
            f"{DENSE_MAX / 1e9:g} GB; a search stops at {CUT:g}x its side's fastest, and solvers "
            f"over {SCREEN:g}x their side's fastest in the search are not timed."
        )
        print()
    if "P1" in names:
        print_p1(args.quick, 3 if args.quick else 5)
        print()
    if "D" in names:
        print_d()
        print()
    load_after, elapsed = os.getloadavg(), time.perf_counter() - started
    cpu = time.process_time() - cpu  # all threads: about the wall time on a quiet machine
    print(
        f"load average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
        f"after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    print(
        "threads: each entry at the faster of threadpool_limits(1) and the default; "
        f"{env['cores']} cores; BLAS {env['blas']}; {env['thread variables']}"
    )
    print(f"versions: {env['versions']}")
    print(f"run time {elapsed:.0f} s wall, {cpu:.0f} s CPU (all threads)")
    if args.json:
        table = markdown(rows)
        for row in rows:
            row.pop("cells")
        report = {
            "table": table,
            "environment": env,
            "load_before": load_before,
            "load_after": load_after,
            "run_seconds": elapsed,
            "cpu_seconds": cpu,
            "rows": rows,
        }
        with open(args.json, "w") as out:
            json.dump(report, out, indent=1)


if __name__ == "__main__":
    main()
