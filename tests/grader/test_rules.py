"""logreg_grader.rules: a student's values against the reference's, with reasons that never
reveal the answer."""

from logreg_grader.rules import evaluate_rules


def test_rules_compare_plain_data():
    import numpy as np

    reference = {"t": {"a": np.ones(3), "s": "higher"}}
    tests = {"t": [{"kind": "allclose", "name": "a"}, {"kind": "equal", "name": "s"}]}
    assert evaluate_rules(tests, {"t": {"a": np.ones(3), "s": "higher"}}, reference)["t"][0]
    ok, why = evaluate_rules(tests, {"t": {"a": np.ones((3, 1)), "s": "higher"}}, reference)["t"]
    assert not ok and "shape (3, 1)" in why
    ok, why = evaluate_rules(tests, {"t": {"a": np.ones(3), "s": "lower"}}, reference)["t"]
    assert not ok and "'lower'" in why and "higher" not in why  # never reveals the answer
    ok, why = evaluate_rules(tests, {"t": {"s": "higher"}}, reference)["t"]
    assert not ok and "a was not produced" in why


def test_a_students_string_reaches_a_reason_as_one_short_escaped_line():
    reference = {"t": {"s": "higher"}}
    tests = {"t": [{"kind": "equal", "name": "s"}]}
    ok, why = evaluate_rules(tests, {"t": {"s": "\x1b[2Jlower\n## alice " + "x" * 200}}, reference)[
        "t"
    ]
    assert not ok and "\\x1b[2Jlower" in why and "\n" not in why and "\x1b" not in why
    assert len(why) < 120


def test_a_value_of_an_unexpected_shape_fails_its_question_not_the_checker():
    reference = {"t": {"e": {"type": "sympy_list", "items": ["Symbol('x')"]}}}
    tests = {"t": [{"kind": "sympy", "name": "e"}], "u": [{"kind": "equal", "name": "s"}]}
    student = {"t": {"e": {"type": "sympy_list"}}, "u": {"s": "yes"}}
    outcome = evaluate_rules(tests, student, {**reference, "u": {"s": "yes"}})
    assert outcome["t"] == (False, "your answer could not be checked (KeyError)")
    assert outcome["u"] == (True, "")
