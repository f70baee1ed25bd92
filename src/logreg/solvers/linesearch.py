"""A line search that satisfies the strong Wolfe conditions (Nocedal and Wright, Algorithms 3.5
and 3.6, with cubic interpolation).

Along a descent direction ``d`` from ``theta``, it finds a step ``a`` with
``f(theta + a d) <= f(theta) + c1 a g.d`` (enough decrease) and
``|g(theta + a d).d| <= c2 |g.d|`` (the slope has flattened), which keeps L-BFGS's curvature pairs
positive. Each trial costs one evaluation of the objective and its gradient.

Near an optimum the decrease ``c1 a g.d`` falls below the rounding error of the objective itself
(a few units in the last place of ``f``), and comparisons of ``f`` say nothing. The slope is still
accurate there, so, as in Hager and Zhang's approximate Wolfe conditions (2005), a step whose
objective is within that rounding error of ``f(theta)`` is judged by its slope alone.
"""

import numpy as np

EPS, TINY = float(np.finfo(np.float64).eps), float(np.finfo(np.float64).tiny)


def _cubic_min(a, fa, da, b, fb, db):
    """Minimizer of the cubic through (a, fa, da) and (b, fb, db), or None."""
    d1 = da + db - 3 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if disc < 0:
        return None
    d2 = np.sign(b - a) * np.sqrt(disc)
    x = b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2)
    return x if np.isfinite(x) else None


def strong_wolfe(evaluate, f0, slope0, step=1.0, c1=1e-4, c2=0.9, max_evals=25):
    """``evaluate(a)`` returns ``(f, slope, payload)`` at step ``a``; returns ``(a, payload)`` of
    an acceptable step, or ``(None, None)`` when none was found within ``max_evals``."""
    noise = _rounding(f0)
    a_prev, f_prev, d_prev = 0.0, f0, slope0
    a, evals = step, 0
    best = (None, None, np.inf)
    while evals < max_evals:
        f, d, payload = evaluate(a)
        evals += 1
        if f < best[2]:
            best = (a, payload, f)
        if (
            not np.isfinite(f)
            or f > f0 + c1 * a * slope0 + noise
            or (evals > 1 and f > f_prev + noise)
        ):
            lo, hi = (a_prev, f_prev, d_prev), (a, f, d)  # too long: the minimum is behind us
        elif abs(d) <= -c2 * slope0:
            return a, payload
        elif d >= 0:
            lo, hi = (a, f, d), (a_prev, f_prev, d_prev)  # the slope turned: it lies between
        else:
            a_prev, f_prev, d_prev, a = a, f, d, min(4.0 * a, 1e10)
            continue
        return _zoom(evaluate, f0, slope0, *lo, *hi, c1, c2, max_evals - evals, best, noise)
    return (best[0], best[1]) if best[2] < f0 else (None, None)


def _rounding(f0):
    """The rounding error of an objective near ``f0``: a few units in its last place."""
    return 8 * EPS * max(abs(f0), TINY)


def _zoom(evaluate, f0, slope0, lo, f_lo, d_lo, hi, f_hi, d_hi, c1, c2, evals_left, best, noise):
    for _ in range(max(evals_left, 0)):
        a = _cubic_min(lo, f_lo, d_lo, hi, f_hi, d_hi) if np.isfinite(f_hi) else None
        width = abs(hi - lo)
        if a is None or not (min(lo, hi) + 0.1 * width <= a <= max(lo, hi) - 0.1 * width):
            a = 0.5 * (lo + hi)
        f, d, payload = evaluate(a)
        if f < best[2]:
            best = (a, payload, f)
        if not np.isfinite(f) or f > f0 + c1 * a * slope0 + noise or f > f_lo + noise:
            hi, f_hi, d_hi = a, f, d
        else:
            if abs(d) <= -c2 * slope0:
                return a, payload
            if d * (hi - lo) >= 0:
                hi, f_hi, d_hi = lo, f_lo, d_lo
            lo, f_lo, d_lo = a, f, d
        if abs(hi - lo) < 1e-16 * max(1.0, abs(lo)):
            break
    return (best[0], best[1]) if best[2] < f0 else (None, None)
