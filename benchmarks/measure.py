"""Time to an accuracy, for every solver of both libraries, on one case of benchmarks/cases.py.

Method (the reviewer's, shared/reviews/2026-12-06-sklearn.md section 3):

* f* is the lowest objective of a tight logreg newton-cg fit and a tight scikit-learn fit, computed
  here in float64 by neither library (mean log-loss + alpha/2 ||W||^2); the target is
  f* (1 + 1e-6).
* logreg: the fewest iterations whose iterate reaches the target, read while fitting (a callback
  stops the fit there). scikit-learn: the fewest ``max_iter`` at ``tol=1e-16`` whose result
  reaches it (doubling, then bisection).
* Each solver then runs exactly that many iterations; runs alternate between solvers, sides and
  the two thread settings (``threadpool_limits(1)`` and the default), and each solver keeps the
  median of its faster setting. Peak memory is tracemalloc's around one fit.

Caps keep every row bounded: an iteration cap per solver, and a search fit that takes CUT times
longer than its side's fastest time to the target so far ends that solver's search (it cannot be
the fastest). Solvers that would build a matrix too large for the case are skipped, with a reason.
"""

import statistics
import time
from dataclasses import dataclass, field

import numpy as np
from problem import Problem, default_solver, peak_memory, resolve_auto, skip_reason, timed
from threadpoolctl import threadpool_limits

THREADS = (1, None)  # one BLAS/OpenMP thread, and the library's default
CUT = 5.0  # a search fit this many times slower than the side's fastest ends that search
SCREEN = 3.0  # solvers this much slower than their side's fastest in the search are not timed
WALL_CAP = 120.0  # seconds: a search fit with nothing to compare against yet stops here
# newton-type solvers first: their few iterations give the cut-off a fastest time early
SK_SOLVERS = ("newton-cholesky", "newton-cg", "lbfgs", "sag", "saga")
ITER_CAP = {
    "ours": {"newton-cg": 100, "newton": 100, "lbfgs": 3000, "gd": 3000, "sgd": 300},
    "sklearn": {"lbfgs": 4096, "newton-cg": 256, "newton-cholesky": 256},
}
DEFAULT_CAP = {"ours": 1000, "sklearn": 1024}  # sag, saga and solvers added later: epochs


@dataclass
class Entry:
    side: str  # "ours" or "sklearn"
    solver: str
    iterations: int | None = None
    search_s: float | None = None  # one fit of `iterations` at one thread, during the search
    times: dict = field(default_factory=dict)  # thread setting -> median seconds
    peak: float | None = None  # bytes
    note: str = ""

    @property
    def best(self):
        if not self.times:
            return None, None
        setting = min(self.times, key=self.times.get)
        return self.times[setting], setting


def search_ours(problem, entry, best):
    """The fewest iterations to the target, read from one fit stopped by a callback."""
    cap = ITER_CAP["ours"].get(entry.solver, DEFAULT_CAP["ours"])
    limit = CUT * best if best else WALL_CAP
    state = {"hit": False, "slow": False}
    start = time.perf_counter()

    def callback(model):
        # loss_history_ is logreg's own objective: only near the target is it checked independently
        if model.loss_history_[-1] <= problem.target * (1 + 1e-9) and problem.reached(model):
            state["hit"] = True
            return True
        state["slow"] = time.perf_counter() - start > limit
        return state["slow"]

    with threadpool_limits(1):
        model = problem.ours(entry.solver, cap, callback=callback)
    if not state["hit"]:
        entry.note = (
            f"stopped after {time.perf_counter() - start:.1f} s (> {CUT:g}x the fastest)"
            if state["slow"]
            else f"not reached in {cap} iterations"
        )
        return
    k = len(model.loss_history_)
    with threadpool_limits(1):
        start = time.perf_counter()
        plain = problem.ours(entry.solver, k)
        entry.search_s = time.perf_counter() - start
    if not problem.reached(plain):  # a fit without the callback must land on the same iterate
        entry.note = f"{k} iterations reached the target with a callback and not without"
        return
    entry.iterations = k


def search_sklearn(problem, entry, best):
    """The fewest ``max_iter`` at ``tol=1e-16`` that reach the target: doubling, then bisection."""
    cap = ITER_CAP["sklearn"].get(entry.solver, DEFAULT_CAP["sklearn"])
    limit = CUT * best if best else WALL_CAP
    seconds = {}

    def ok(k):
        with threadpool_limits(1):
            start = time.perf_counter()
            model = problem.sklearn(entry.solver, k)
            seconds[k] = time.perf_counter() - start
        return problem.reached(model)

    hi = 1
    while not ok(hi):
        if seconds[hi] > limit:
            entry.note = f"stopped at {hi} iterations, {seconds[hi]:.1f} s (> {CUT:g}x the fastest)"
            return
        if hi >= cap:
            entry.note = f"not reached in {cap} iterations"
            return
        hi = min(2 * hi, cap)
    lo = hi // 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    entry.iterations, entry.search_s = hi, seconds[hi]


def run_fn(problem, entry):
    if entry.side == "ours":
        return lambda: problem.ours(entry.solver, entry.iterations)
    return lambda: problem.sklearn(entry.solver, entry.iterations)


def time_entries(problem, entries, repeats):
    """Median seconds per entry and thread setting, runs interleaved across entries and settings.

    A setting more than twice as slow as the entry's other one in the first round is not run
    again (scikit-learn's lbfgs can be 25-60x slower with two threads on a loaded machine)."""
    fns = [run_fn(problem, e) for e in entries]
    samples = {(i, t): [] for i in range(len(entries)) for t in THREADS}
    for threads in THREADS:  # warm-up: caches, thread pools, lazily built matrices of the data
        with threadpool_limits(threads):
            for fn in fns:
                fn()
    for round_ in range(repeats):
        for i, fn in enumerate(fns):
            for threads in THREADS:
                if round_ and samples[i, threads][0] > 2 * min(samples[i, t][0] for t in THREADS):
                    continue
                with threadpool_limits(threads):
                    samples[i, threads].append(timed(fn))
    for (i, threads), values in samples.items():
        entries[i].times[threads or "default"] = statistics.median(values)


def measure_case(case, ours_solvers, repeats=None, log=print):
    """Every solver of both sides on one case: a dict for the table and the JSON."""
    started = time.perf_counter()
    problem = Problem(case)
    repeats = repeats or case.repeats
    default = default_solver(problem.binary)
    names = [s for s in ours_solvers if s != "auto"]
    if default not in names:
        names.append(default)
    resolved = resolve_auto(problem) if default == "auto" else default
    entries = [Entry("ours", s) for s in names] + [Entry("sklearn", s) for s in SK_SOLVERS]
    for e in entries:
        e.note = skip_reason(
            problem, e.side, resolved if e.solver == "auto" and resolved else e.solver
        )
    problem.set_target({e.solver for e in entries if e.side == "ours" and e.note})
    log(f"  {case.name}: f* = {problem.f_ref:.12g} ({time.perf_counter() - started:.0f} s)")
    best = {"ours": None, "sklearn": None}
    for e in entries:
        if e.note:
            continue
        try:
            (search_ours if e.side == "ours" else search_sklearn)(problem, e, best[e.side])
        except Exception as error:  # a failing solver is an entry of the row, not a crash
            e.note = f"{type(error).__name__}: {error}"[:120]
        if e.iterations is not None:
            best[e.side] = min(best[e.side] or np.inf, e.search_s)
        its, seconds = e.iterations, e.search_s or 0.0
        log(f"    {e.side:7} {e.solver:15} {its!s:>5} it  {seconds:8.3f} s  {e.note}")
    timed_entries = [
        e
        for e in entries
        if e.iterations is not None
        and (e.search_s <= SCREEN * best[e.side] or (e.side == "ours" and e.solver == default))
    ]
    for e in entries:
        if e.iterations is not None and e not in timed_entries:
            e.note = (
                f"not timed: {e.search_s:.3g} s in the search, > {SCREEN:g}x its side's fastest"
            )
    log(f"    search done at {time.perf_counter() - started:.0f} s")
    time_entries(problem, timed_entries, repeats)
    log(f"    timing done at {time.perf_counter() - started:.0f} s")
    fastest = {
        side: min(
            (e for e in timed_entries if e.side == side), key=lambda e: e.best[0], default=None
        )
        for side in ("ours", "sklearn")
    }
    ours_default = next((e for e in entries if e.side == "ours" and e.solver == default), None)
    for e in {id(e): e for e in (fastest["ours"], fastest["sklearn"], ours_default) if e}.values():
        if e.iterations is not None:
            e.peak = peak_memory(run_fn(problem, e))
    return {
        "case": case,
        "problem": problem,
        "entries": entries,
        "fastest": fastest,
        "default": ours_default,
        "resolved": resolved,
        "repeats": repeats,
    }
