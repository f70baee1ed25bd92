"""logreg_grader.symcheck and logreg_grader.checker: the SymPy decisions, each in a child
process of its own, inside a sandboxed worker that gives a verdict or a reason."""

import json

import pytest
import sympy as sp

from logreg_grader import checker, symcheck
from logreg_grader.grader import Options
from logreg_grader.rules import evaluate_rules

y_j, p_j, p_k, y_k, x_j = sp.symbols("y_j p_j p_k y_k x_j", real=True)


def _record(expr):
    return {"type": "sympy", "srepr": expr if isinstance(expr, str) else sp.srepr(expr)}


def test_sympy_rules_decide_in_a_child():
    x, c = sp.symbols("x c", real=True)
    ref = {"t": {"e": _record(sp.exp(x - c) / (1 + sp.exp(x - c)))}}
    tests = {"t": [{"kind": "sympy", "name": "e", "contains": ["c"]}]}

    def student(expr):
        return {"t": {"e": _record(expr)}}

    assert evaluate_rules(tests, student(1 / (1 + sp.exp(c - x))), ref)["t"] == (True, "")
    ok, why = evaluate_rules(tests, student(1 / (1 + sp.exp(-x))), ref)["t"]
    assert not ok and "terms of c" in why
    ok, why = evaluate_rules(tests, student(1 / (1 + sp.exp(x - c))), ref)["t"]
    assert not ok and "not equal" in why
    plain = sp.Symbol("x")  # declared without real=True: judged by name
    assert evaluate_rules(tests, student(sp.exp(plain - c) / (1 + sp.exp(plain - c))), ref)["t"][0]


def _equivalent(got, want):
    task = {"kind": "equivalent", "name": "e", "student": [sp.srepr(got)]}
    return symcheck.decide({**task, "reference": [sp.srepr(want)]})


@pytest.mark.parametrize(
    "got, want",
    [
        (-1.0 * y_j / p_j, -y_j / p_j),
        (0.5 * (2 * p_k - 2 * y_k) * x_j, (p_k - y_k) * x_j),
        (sp.Float(1 / 3) * x_j, x_j / 3),
        (1.0 * sp.log(1 + sp.exp(-x_j)), sp.log(1 + sp.exp(-x_j))),
    ],
)
def test_float_coefficients_equal_up_to_rounding_are_accepted(got, want):
    # The notebook's own hidden test (assert_identity) accepts these; so must the grader.
    assert _equivalent(got, want) == (True, "")


@pytest.mark.parametrize(
    "got, want",
    [
        (-1.000001 * y_j / p_j, -y_j / p_j),
        ((p_k - y_k) * x_j + 1e-6, (p_k - y_k) * x_j),
        (-1.0 * y_j / p_j**2, -y_j / p_j),
        (1.0 * sp.log(1 + sp.exp(x_j)), sp.log(1 + sp.exp(-x_j))),
    ],
)
def test_wrong_expressions_with_floats_are_still_rejected(got, want):
    ok, why = _equivalent(got, want)
    assert not ok and "not equal" in why


def test_counterexamples_are_decided_in_a_child():
    z1, z2, c = sp.symbols("z1 z2 c", real=True)
    lhs = sp.srepr(sp.log(sp.exp(z1 + c) + sp.exp(z2 + c)))
    rhs = sp.srepr(sp.log(sp.exp(z1) + sp.exp(z2)))

    def at(point, name="p"):
        task = {"kind": "counterexample", "name": name, "lhs": lhs, "rhs": rhs, "point": point}
        return symcheck.decide_isolated(task, 60)

    assert at({"z1": 0, "z2": 1, "c": 2}) == (True, "")
    assert at({"z1": 0, "z2": 1, "c": 0}, "q") == (
        False,
        "the two sides agree at q: it is not a counterexample",
    )
    assert at({"z1": 0}, "r") == (False, "r must give a number for each of c, z1, z2")
    bad = {"kind": "equivalent", "name": "e", "student": ["__import__('os')"], "reference": [rhs]}
    ok, why = symcheck.decide_isolated(bad, 60)
    assert not ok and why.startswith("e: ")


SLOW = "Pow(Integer(3), Integer(1000000000))"  # 3**(10**9): built exactly as it is parsed


def test_one_slow_expression_costs_its_own_question_only():
    want = {"dl": -y_j / p_j, "dz": x_j, "dw": (p_k - y_k) * x_j}
    reference = {g: {"e": _record(e)} for g, e in want.items()}
    student = {"dl": {"e": _record(SLOW)}, "dz": {"e": _record(x_j)}}
    student["dw"] = {"e": _record(0.5 * (2 * p_k - 2 * y_k) * x_j)}
    tests = {g: [{"kind": "sympy", "name": "e"}] for g in want}
    outcome = evaluate_rules(tests, student, reference, sympy_seconds=3)
    assert outcome["dz"] == (True, "") and outcome["dw"] == (True, "")
    assert outcome["dl"] == (False, "SymPy could not decide e within 3 s")


def test_the_checker_runs_sandboxed_and_returns_a_verdict_per_question():
    reference = {
        "a": {"e": json.dumps(_record(x_j))},
        "b": {"s": json.dumps({"type": "str", "value": "lower"})},
    }
    student = {"a": {"e": json.dumps(_record(1.0 * x_j))}, "b": {"s": "{garbage"}}
    tests = {"a": [{"kind": "sympy", "name": "e"}], "b": [{"kind": "equal", "name": "s"}]}
    verdicts = checker.check(tests, student, reference, Options(), "test")
    assert verdicts["a"] == (True, "")
    assert verdicts["b"] == (False, "s could not be read: not a value the grader knows")


def test_a_checker_that_writes_garbage_or_runs_late_is_an_error_with_a_reason(monkeypatch):
    tests = {"a": [{"kind": "equal", "name": "s"}]}
    values = {"a": {"s": json.dumps({"type": "str", "value": "x"})}}
    with pytest.raises(checker.CheckerError, match="not a verdict for every question"):
        checker.check(tests, values, values, Options(python="/bin/echo"), "test")
    monkeypatch.setattr(checker, "BASE_SECONDS", 0.01)
    with pytest.raises(checker.CheckerError, match="did not finish within 0.01 s"):
        checker.check(tests, values, values, Options(), "test")
