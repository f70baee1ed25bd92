"""logreg_grader.symcheck: the SymPy decisions, made in a worker process of their own."""

from logreg_grader.rules import evaluate_rules


def test_sympy_rules_decide_in_a_worker():
    import sympy as sp

    x, c = sp.symbols("x c", real=True)
    ref = {"t": {"e": {"type": "sympy", "srepr": sp.srepr(sp.exp(x - c) / (1 + sp.exp(x - c)))}}}
    tests = {"t": [{"kind": "sympy", "name": "e", "contains": ["c"]}]}

    def student(expr):
        return {"t": {"e": {"type": "sympy", "srepr": sp.srepr(expr)}}}

    assert evaluate_rules(tests, student(1 / (1 + sp.exp(c - x))), ref)["t"] == (True, "")
    ok, why = evaluate_rules(tests, student(1 / (1 + sp.exp(-x))), ref)["t"]
    assert not ok and "terms of c" in why
    ok, why = evaluate_rules(tests, student(1 / (1 + sp.exp(x - c))), ref)["t"]
    assert not ok and "not equal" in why
    plain = sp.Symbol("x")  # declared without real=True: judged by name
    assert evaluate_rules(tests, student(sp.exp(plain - c) / (1 + sp.exp(plain - c))), ref)["t"][0]


def test_the_worker_reads_tasks_on_stdin_and_answers_each():
    import json
    import subprocess
    import sys

    import sympy as sp

    z1, z2, c = sp.symbols("z1 z2 c", real=True)
    lhs = sp.srepr(sp.log(sp.exp(z1 + c) + sp.exp(z2 + c)))
    rhs = sp.srepr(sp.log(sp.exp(z1) + sp.exp(z2)))
    tasks = [
        {"kind": "counterexample", "name": "p", "lhs": lhs, "rhs": rhs,
         "point": {"z1": 0, "z2": 1, "c": 2}},
        {"kind": "counterexample", "name": "q", "lhs": lhs, "rhs": rhs,
         "point": {"z1": 0, "z2": 1, "c": 0}},
        {"kind": "counterexample", "name": "r", "lhs": lhs, "rhs": rhs, "point": {"z1": 0}},
        {"kind": "equivalent", "name": "e", "student": ["__import__('os')"], "reference": [rhs]},
    ]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "logreg_grader.symcheck"],
        input=json.dumps(tasks), capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    answers = json.loads(done.stdout)
    assert answers[0] == [True, ""]
    assert answers[1] == [False, "the two sides agree at q: it is not a counterexample"]
    assert answers[2] == [False, "r must give a number for each of c, z1, z2"]
    assert answers[3][0] is False and answers[3][1].startswith("e: ")
