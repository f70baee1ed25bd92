"""logreg_grader.sandbox, as the grader uses it: a run without one is announced."""

from _homework import all_solutions, grade_cli, submission


def test_without_a_sandbox_the_grader_warns(tmp_path):
    good = all_solutions("hw3_sympy")
    path = submission(tmp_path, "s.ipynb", "hw3_sympy", good)
    done, results = grade_cli([path], "hw3_sympy", tmp_path, "--sandbox", "none")
    assert "WARNING: grading without a sandbox" in done.stderr
    assert results["s.ipynb"]["score"] == 8.0
