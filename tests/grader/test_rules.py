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
