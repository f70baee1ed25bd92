"""The SymPy decisions of a grading run, each in a forked process of its own.

The checker (``checker``, itself sandboxed with a memory limit) calls :func:`decide_isolated`
once per SymPy rule. Parsing the student's ``srepr`` text already evaluates it (``Pow(3,
10**9)`` is computed as it is built), so the parse, the numeric pre-check and SymPy's proof all
run in a child with its own time and CPU limit: an expression built to make SymPy work for
hours costs its own question, and the other questions of the submission are decided as usual.
"""

import json
import os
import random
import resource
import select
import signal
import time

import sympy as sp

from logreg_book.symbolic import is_zero

from .probes import LoadError, parse_srepr

__all__ = ["decide", "decide_isolated"]

SECONDS = 30.0  # one decision
ANSWER_BYTES = 4096  # what a child may write back
EXACT_TOLERANCE = sp.Float("1e-20")  # both sides exact: 30 digits leave only rounding of the sum
FLOAT_TOLERANCE = sp.Float("1e-10")  # a float coefficient carries 53 bits (about 1e-16)


def _by_name(expr, reference_symbols):
    """``expr`` with its symbols replaced by the reference's symbols of the same name, so that
    a student who declared a symbol without ``real=True`` is not failed for that alone."""
    names = {s.name: s for s in reference_symbols}
    return expr.subs({s: names[s.name] for s in expr.free_symbols if s.name in names})


def _has_float(expr):
    return any(isinstance(a, sp.Float) for a in sp.preorder_traversal(expr))


def _differ_numerically(a, b, symbols, trials=3):
    """True if ``a`` and ``b`` differ at a random rational point by more than rounding.

    A float coefficient (``-1.0*y_j/p_j``) makes SymPy evaluate at the float's 53 bits, not at
    30 digits, so its rounding is allowed for: the same tolerance as float arithmetic, far
    below any real difference (an answer off by 1e-6 still differs).
    """
    tolerance = FLOAT_TOLERANCE if _has_float(a) or _has_float(b) else EXACT_TOLERANCE
    rng = random.Random(0)
    for _ in range(trials):
        point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in symbols}
        try:
            va, vb = sp.N(a.subs(point), 30), sp.N(b.subs(point), 30)
            if va.is_number and vb.is_number and abs(va - vb) > tolerance * (1 + abs(va)):
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


def decide(task):
    """``(ok, reason)`` for one task, in this process (a child of :func:`decide_isolated`)."""
    try:
        check = _equivalent if task["kind"] == "equivalent" else _counterexample
        return check(task)
    except LoadError as exc:
        return False, f"{task.get('name')}: {exc}"
    except Exception as exc:  # SymPy gave up on a malformed expression, or ran out of memory
        return False, f"{task.get('name')} could not be checked ({type(exc).__name__})"


def decide_isolated(task, seconds=SECONDS):
    """``(ok, reason)`` for one task, decided in a forked child that gets ``seconds`` of wall
    time and of CPU; a child that runs over or dies fails this task alone."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: decide, answer on the pipe, exit without running any cleanup
        try:
            os.close(read)
            cpu = int(seconds) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            answer = json.dumps(list(decide(task))).encode()[:ANSWER_BYTES]
            os.write(write, answer)
        finally:
            os._exit(0)
    os.close(write)
    answer, deadline = b"", time.monotonic() + seconds
    try:
        while len(answer) < ANSWER_BYTES:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read], [], [], left)[0]:
                return False, f"SymPy could not decide {task.get('name')} within {seconds:g} s"
            chunk = os.read(read, ANSWER_BYTES)
            if not chunk:
                break
            answer += chunk
    finally:
        os.close(read)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    try:
        ok, reason = json.loads(answer)
        return bool(ok), str(reason)
    except (ValueError, TypeError):
        return False, f"{task.get('name')} could not be checked (the check stopped)"
