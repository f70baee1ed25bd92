"""Comparing a student's emitted values with the instructor's, inside the checker (``checker``).

Each test cell's ``metadata.logreg_homework.rules`` is a list of rules; a test earns its points
when every rule holds. The student's values come from the student's kernel and the reference
values from the instructor's notebook run the same way (``probes``):

- ``{"kind": "allclose", "name": N, "rtol": r, "atol": a}``: arrays of the same shape, finite,
  equal within the tolerances;
- ``{"kind": "equal", "name": N}``: the same string, or the same numbers;
- ``{"kind": "sympy", "name": N, "contains": [symbols]}``: SymPy expressions (or lists of them)
  that SymPy shows to be equal, each containing the named symbols;
- ``{"kind": "accuracy", "weights": W, "intercepts": b, "inputs": X, "labels": y, "min": m}``:
  the student's ``W`` (a row per class, as ``coef_``) and ``b`` classify the reference's ``X``
  with accuracy at least ``m``;
- ``{"kind": "counterexample", "point": P, "lhs": L, "rhs": R}``: the student's point (values
  for symbols) separates the reference's two expressions.

The checker runs in the sandbox, not in the grader's process; each SymPy decision runs in a
forked child of it with its own time limit (``symcheck``), so an enormous expression costs its
own question, never the other questions or the grader's time.
"""

import numpy as np

from .probes import LoadError
from .symcheck import SECONDS, decide_isolated
from .text import short_line

__all__ = ["evaluate_rules"]


def _value(values, name, who):
    if name not in values:
        raise LoadError(f"{name} was not produced" if who == "your" else f"no reference {name}")
    value = values[name]
    if isinstance(value, LoadError):
        raise LoadError(f"{name} could not be read: {short_line(value)}")
    return value


def _array(value, name):
    if isinstance(value, np.ndarray):
        return value.astype(np.float64)
    raise LoadError(f"{name} is not an array of numbers")


def _allclose(rule, student, reference):
    name = rule["name"]
    got = _array(_value(student, name, "your"), name)
    want = _array(_value(reference, name, "reference"), name)
    if got.shape != want.shape:
        return False, f"{name} has shape {got.shape}; expected {want.shape}"
    if not np.all(np.isfinite(got)):
        return False, f"{name} contains NaN or infinity"
    if not np.allclose(got, want, rtol=rule.get("rtol", 1e-7), atol=rule.get("atol", 0.0)):
        worst = float(np.max(np.abs(got - want)))
        return False, f"{name} differs from the expected values (largest difference {worst:.3g})"
    return True, ""


def _equal(rule, student, reference):
    name = rule["name"]
    got, want = _value(student, name, "your"), _value(reference, name, "reference")
    if isinstance(want, str):
        if not isinstance(got, str):
            return False, f"{name} is not a string"
        return (got == want), f"{name} = '{short_line(got, 40)}' is not the expected answer"
    got, want = _array(got, name), _array(want, name)
    same = got.shape == want.shape and bool(np.array_equal(got, want))
    return same, f"{name} is not the expected value"


def _accuracy(rule, student, reference):
    W = _array(_value(student, rule["weights"], "your"), rule["weights"])
    b = _array(_value(student, rule["intercepts"], "your"), rule["intercepts"])
    X = _array(_value(reference, rule["inputs"], "reference"), rule["inputs"])
    y = _array(_value(reference, rule["labels"], "reference"), rule["labels"])
    if W.ndim != 2 or W.shape[1] != X.shape[1] or b.shape != (W.shape[0],):
        return False, (
            f"{rule['weights']} has shape {W.shape} and {rule['intercepts']} {b.shape}; expected "
            f"(n_classes, {X.shape[1]}) and (n_classes,)"
        )
    if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
        return False, "the weights contain NaN or infinity"
    accuracy = float(np.mean(np.argmax(X @ W.T + b, axis=1) == y))
    ok = accuracy >= rule["min"]
    return ok, f"test accuracy {accuracy:.3f} is below {rule['min']}"


def _symbolic_task(rule, student, reference):
    """A task for the SymPy worker (plain JSON), or a failure found without SymPy."""
    if rule["kind"] == "sympy":
        name = rule["name"]
        got, want = _value(student, name, "your"), _value(reference, name, "reference")
        if not isinstance(got, dict) or got.get("type") != want["type"]:
            return None, f"{name} is not a SymPy expression" + (
                " list" if want["type"] == "sympy_list" else ""
            )
        pairs_got = [got["srepr"]] if got["type"] == "sympy" else got["items"]
        pairs_want = [want["srepr"]] if want["type"] == "sympy" else want["items"]
        if len(pairs_got) != len(pairs_want):
            return None, f"{name} has {len(pairs_got)} entries; expected {len(pairs_want)}"
        return {
            "kind": "equivalent",
            "name": name,
            "student": pairs_got,
            "reference": pairs_want,
            "contains": rule.get("contains", []),
        }, ""
    point = _value(student, rule["point"], "your")
    if not isinstance(point, dict) or point.get("type") != "point":
        return None, f"{rule['point']} is not a dict of numbers for the symbols"
    return {
        "kind": "counterexample",
        "name": rule["point"],
        "point": point["items"],
        "lhs": _value(reference, rule["lhs"], "reference")["srepr"],
        "rhs": _value(reference, rule["rhs"], "reference")["srepr"],
    }, ""


_NUMERIC = {"allclose": _allclose, "equal": _equal, "accuracy": _accuracy}


def evaluate_rules(tests, student_values, reference_values, sympy_seconds=SECONDS):
    """For each test (grade id -> rules), ``(ok, reason)``; each SymPy rule decided in a child
    process of its own, with ``sympy_seconds`` to decide."""
    outcome, tasks = {}, []
    for grade_id, rules in tests.items():
        student = student_values.get(grade_id, {})
        reference = reference_values[grade_id]
        outcome[grade_id] = (True, "")
        for rule in rules:
            try:
                if rule["kind"] in _NUMERIC:
                    ok, reason = _NUMERIC[rule["kind"]](rule, student, reference)
                    if not ok:
                        outcome[grade_id] = (False, reason)
                        break
                else:
                    task, reason = _symbolic_task(rule, student, reference)
                    if task is None:
                        outcome[grade_id] = (False, reason)
                        break
                    tasks.append((grade_id, task))
            except LoadError as exc:
                outcome[grade_id] = (False, str(exc))
                break
            except Exception as exc:  # a value of the right kind but a shape no rule expects
                why = f"your answer could not be checked ({type(exc).__name__})"
                outcome[grade_id] = (False, why)
                break
    for grade_id, task in tasks:
        if outcome[grade_id][0]:
            ok, reason = decide_isolated(task, sympy_seconds)
            if not ok:
                outcome[grade_id] = (False, reason)
    return outcome
