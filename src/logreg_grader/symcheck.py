"""The SymPy decisions of a grading run, in a process of their own (``python -m`` this module).

Reads a JSON list of tasks on stdin and writes a JSON list of ``[ok, reason]`` on stdout. The
grader runs it with a time limit, so an expression built to make SymPy work for hours costs the
submission its points and nothing else.
"""

import json
import random
import sys

import sympy as sp

from logreg_book.symbolic import is_zero

from .probes import LoadError, parse_srepr


def _by_name(expr, reference_symbols):
    """``expr`` with its symbols replaced by the reference's symbols of the same name, so that
    a student who declared a symbol without ``real=True`` is not failed for that alone."""
    names = {s.name: s for s in reference_symbols}
    return expr.subs({s: names[s.name] for s in expr.free_symbols if s.name in names})


def _differ_numerically(a, b, symbols, trials=3):
    rng = random.Random(0)
    for _ in range(trials):
        point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in symbols}
        try:
            va, vb = sp.N(a.subs(point), 30), sp.N(b.subs(point), 30)
            if va.is_number and vb.is_number and abs(va - vb) > sp.Float("1e-20") * (1 + abs(va)):
                return True
        except (TypeError, ValueError, ZeroDivisionError):
            continue
    return False


def _equivalent(task):
    for i, (got_text, want_text) in enumerate(zip(task["student"], task["reference"], strict=True)):
        label = task["name"] if len(task["student"]) == 1 else f"{task['name']}[{i}]"
        want = parse_srepr(want_text)
        got = _by_name(parse_srepr(got_text), want.free_symbols)
        names = {s.name for s in got.free_symbols}
        for symbol in task.get("contains", []):
            if symbol not in names:
                return False, f"{label} must be written in terms of {symbol}"
        extra = names - {s.name for s in want.free_symbols} - set(task.get("contains", []))
        if extra:
            return False, f"{label} uses symbols the question does not: {', '.join(sorted(extra))}"
        symbols = got.free_symbols | want.free_symbols
        if _differ_numerically(got, want, symbols) or not is_zero(got - want):
            return False, f"{label} is not equal to the expected expression"
    return True, ""


def _counterexample(task):
    lhs, rhs = parse_srepr(task["lhs"]), parse_srepr(task["rhs"])
    names = {s.name: s for s in lhs.free_symbols | rhs.free_symbols}
    point = task["point"]
    if set(point) != set(names):
        return False, f"{task['name']} must give a number for each of {', '.join(sorted(names))}"
    exact = {names[k]: sp.Rational(float(v)) for k, v in point.items()}
    a, b = sp.N(lhs.subs(exact), 50), sp.N(rhs.subs(exact), 50)
    if not (a.is_finite and b.is_finite):
        return False, f"{task['name']} is a point where a side is not finite"
    if abs(a - b) <= sp.Float("1e-30") * (1 + abs(a) + abs(b)):
        return False, f"the two sides agree at {task['name']}: it is not a counterexample"
    return True, ""


def main():
    results = []
    for task in json.load(sys.stdin):
        try:
            check = _equivalent if task["kind"] == "equivalent" else _counterexample
            results.append(list(check(task)))
        except LoadError as exc:
            results.append([False, f"{task.get('name')}: {exc}"])
        except Exception as exc:  # SymPy gave up on a malformed expression
            results.append(
                [False, f"{task.get('name')} could not be checked ({type(exc).__name__})"]
            )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
