"""The grader for honest students and instructors: fair points, useful reasons, usable reports."""

import csv
import json
import shutil
import subprocess
import sys

import nbformat
import pytest
from _homework import (
    ASSIGNMENTS,
    SOURCE,
    all_solutions,
    grade_cli,
    instructor,
    submission,
    written_answers,
)

from logreg_grader import load_assignments
from logreg_grader.assemble import assemble
from logreg_grader.probes import LoadError, parse_srepr
from logreg_grader.rules import evaluate_rules

# Plausible wrong answers, each with the words the visible check's hint must contain.
WRONG = {
    "hw1_gradient": [
        ("hw1_q2_answer", "G = (Y - softmax(X @ W.T + b)) / X.shape[0]\n    return G.T @ X, G.sum(axis=0)", "wrong sign"),
        ("hw1_q2_answer", "G = (softmax(X @ W.T + b) - Y) / X.shape[0]\n    return X.T @ G, G.sum(axis=0)", "transposed"),
        ("hw1_q2_answer", "G = softmax(X @ W.T + b) - Y\n    return G.T @ X, G.sum(axis=0)", "n times too large"),
        ("hw1_q2_answer", "Z = X @ W.T + b\n    P = np.exp(Z) / np.exp(Z).sum(axis=0)\n"
         "    G = (P - Y) / X.shape[0]\n    return G.T @ X, G.sum(axis=0)", "axis=1"),
        ("hw1_q2_answer", "G = (softmax(X @ W.T + b) - Y) / X.shape[0]\n    return G.T @ X, G.sum(axis=1)", "shapes"),
        ("hw1_q3_answer", "x = np.asarray(x, dtype=float)\n    g = np.zeros_like(x)\n"
         "    for i in np.ndindex(x.shape):\n        e = np.zeros_like(x)\n        e[i] = h\n"
         "        g[i] = (f(x + e) - f(x)) / h\n    return g", "central difference"),
        ("hw1_q1_answer", "dl_dp_j = y_j / p_j\ndz_k_dw_km = x_m\ndp_j_dz_k = p_j * (delta_jk - p_k)\n"
         "dl_dw_km = (p_k - y_k) * x_m", "should be negative"),
        ("hw1_q1_answer", "dl_dp_j = -y_j / p_j\ndz_k_dw_km = x_m\ndp_j_dz_k = p_j * (p_k - delta_jk)\n"
         "dl_dw_km = (p_k - y_k) * x_m", "minus sign"),
        ("hw1_q1_answer", "dl_dp_j = -y_j / p_j\ndz_k_dw_km = x_m\ndp_j_dz_k = p_j * (delta_jk - p_k)\n"
         "dl_dw_km = (y_k - p_k) * x_m", "sign of (p_k - y_k)"),
    ],
    "hw2_training": [
        ("hw2_q1_answer", "W, b = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1])\n"
         "    for _ in range(n_iter):\n        gW, gb = gradient(X, Y, W, b)\n"
         "        W, b = W + lr * gW, b + lr * gb\n    return W, b", "raised the objective"),
        ("hw2_q1_answer", "W, b = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1])\n"
         "    for _ in range(n_iter):\n        gW, gb = gradient(X, Y, W, b)\n"
         "        W = W - lr * gW\n    return W, b", "b never changed"),
        ("hw2_q1_answer", "W, b = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1])\n"
         "    for _ in range(n_iter + 1):\n        gW, gb = gradient(X, Y, W, b)\n"
         "        W, b = W - lr * gW, b - lr * gb\n    return W, b", "exactly n_iter steps"),
        ("hw2_q2_answer", "model = SoftmaxRegression(alpha=1e-3).fit(X_train, y_train)\n"
         "W_digits, b_digits = model.coef_.T, model.intercept_", "not coef_.T"),
    ],
    "hw3_sympy": [
        ("hw3_q2_answer", "w_hat = w2 - w1", "sign of w_hat is flipped"),
        ("hw3_q3_answer", "counterexample = {z1: 0, z2: 0, z3: 0}\n"
         "corrected = z1 - sp.log(sp.exp(z2) + sp.exp(z3))", "z1 included"),
        ("hw3_q1_answer", "original = softmax([z1, z2, z3])\nshifted = original", "shifted must be"),
    ],
}  # fmt: skip


def _as_function_body(name, grade_id, body):
    """Wrong answers above are function bodies for the 'def' answers, plain code otherwise."""
    header = solution_header(name, grade_id)
    return (header + "    " + body + "\n") if header else body + "\n"


def solution_header(name, grade_id):
    source = all_solutions(name)[grade_id]
    first = source.splitlines()[0]
    return first + "\n" if first.startswith("def ") else ""


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """One grading run per assignment: the instructor's notebook, the released edition, and each
    plausible wrong answer (everything else correct)."""
    out = {}
    for name in ASSIGNMENTS:
        folder = tmp_path_factory.mktemp(name)
        good = all_solutions(name)
        paths = [
            submission(
                folder, "instructor_solutions.ipynb", name, {**good, **written_answers(name)}
            )
        ]
        paths.append(submission(folder, "released.ipynb", name, {}))
        for i, (grade_id, body, _) in enumerate(WRONG[name]):
            answers = {**good, grade_id: _as_function_body(name, grade_id, body)}
            paths.append(submission(folder, f"wrong_{i}.ipynb", name, answers))
        extra = ("--gradebook", "gradebook.csv", "--feedback", "feedback", "--written", "written")
        out[name] = (folder, *grade_cli(paths, name, folder, "--jobs", "2", *extra))
    return out


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solutions_earn_everything_and_the_released_edition_nothing(batches, name):
    folder, done, results = batches[name]
    assert done.returncode == 0, done.stderr[-2000:]
    full = results["instructor_solutions.ipynb"]
    assert full["status"] == "graded" and full["score"] == full["max_score"] > 0, full
    released = results["released.ipynb"]
    assert released["score"] == 0 and all(q["reason"] for q in released["questions"]), released


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_plausible_wrong_answers_are_caught_by_visible_checks_with_a_hint(batches, name):
    folder, done, results = batches[name]
    for i, (grade_id, _, hint) in enumerate(WRONG[name]):
        result = results[f"wrong_{i}.ipynb"]
        failed = [q for q in result["questions"] if q["points"] < q["max_points"]]
        assert failed, (grade_id, hint, result)
        reasons = " ".join(q["reason"] for q in failed)
        assert "the visible check failed" in reasons and hint in reasons, (grade_id, hint, reasons)


def test_gradebook_feedback_and_written_answers(batches):
    folder, done, results = batches["hw2_training"]
    with (folder / "gradebook.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(results)
    assert rows[0].keys() >= {"student", "hw2_q1", "hw2_q2", "hw2_q3a", "score", "max_score"}
    by_student = {r["student"]: r for r in rows}
    assert float(by_student["instructor_solutions"]["score"]) == 8.0
    assert float(by_student["released"]["hw2_q1"]) == 0.0
    feedback = (folder / "feedback" / "wrong_0.md").read_text()
    assert "hw2_q1" in feedback and "raised the objective" in feedback
    hidden = [ln.strip() for ln in _hidden_lines("hw2_training") if len(ln.strip()) > 12]
    for path in (folder / "feedback").glob("*.md"):
        assert not [ln for ln in hidden if ln in path.read_text()], path  # no hidden test code
    written = (folder / "written" / "hw2_training_hw2_written_scaling.md").read_text()
    assert "## instructor_solutions" in written and "standardizing" in written.lower()
    assert "## released" in written and "YOUR ANSWER HERE" in written


def _hidden_lines(name):
    from logreg_grader.editions import HIDDEN

    return [
        ln
        for c in instructor(name).cells
        for m in HIDDEN.finditer(c.source)
        for ln in m.group(0).splitlines()
    ]


def test_json_lines_stream_one_record_per_submission(batches):
    folder, done, results = batches["hw3_sympy"]
    lines = (folder / "hw3_sympy-results.jsonl").read_text().splitlines()
    assert len(lines) == len(results) == len(WRONG["hw3_sympy"]) + 2
    record = json.loads(lines[0])
    assert {
        "student",
        "submission",
        "assignment",
        "score",
        "max_score",
        "questions",
    } <= record.keys()
    assert "written" not in record  # the students' written answers go to --written only


def test_students_from_a_roster_or_a_pattern(tmp_path):
    good = all_solutions("hw3_sympy")
    (tmp_path / "alice").mkdir()
    a = submission(tmp_path / "alice", "hw3.ipynb", "hw3_sympy", good)
    b = submission(tmp_path, "upload_7.ipynb", "hw3_sympy", good)
    roster = tmp_path / "roster.csv"
    roster.write_text("file,student\nupload_7.ipynb,bob\n")
    done, results = grade_cli(
        [a, b], "hw3_sympy", tmp_path, "--roster", str(roster),
        "--student-pattern", r"/(?P<student>[a-z]+)/hw3\.ipynb$", "--gradebook", "book.csv",
    )  # fmt: skip
    with (tmp_path / "book.csv").open() as f:
        students = {r["student"] for r in csv.DictReader(f)}
    assert students == {"alice", "bob"}, done.stdout


def test_a_grader_failure_sets_the_exit_code(tmp_path):
    # An instructor notebook whose own solution breaks its rules: nothing can be graded fairly.
    source = tmp_path / "source"
    source.mkdir()
    nb = instructor("hw3_sympy")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "hw3_q2_answer":
            cell.source = "w_hat = w1 - w2 + 0 * x\n"
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "hw3_q2":
            cell.source = "pass\n"
            cell.metadata["logreg_homework"]["rules"] = [
                {"kind": "accuracy", "weights": "w_hat", "intercepts": "w_hat", "inputs": "w_hat",
                 "labels": "w_hat", "min": 1}
            ]  # fmt: skip
    nbformat.write(nb, source / "hw3_sympy.ipynb")
    done = subprocess.run(
        [sys.executable, "-m", "logreg_grader", "grade", "--source", str(source), "--assignment",
         "hw3_sympy", str(source / "hw3_sympy.ipynb")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1 and "instructor" in done.stderr, done.stderr


def test_without_a_sandbox_the_grader_warns(tmp_path):
    good = all_solutions("hw3_sympy")
    path = submission(tmp_path, "s.ipynb", "hw3_sympy", good)
    done, results = grade_cli([path], "hw3_sympy", tmp_path, "--sandbox", "none")
    assert "WARNING: grading without a sandbox" in done.stderr
    assert results["s.ipynb"]["score"] == 8.0


def test_usage_errors_exit_with_two(tmp_path):
    for args in (["--assignment", "hw9"], ["--assignment", "hw1_gradient", "--jobs", "0"]):
        done = subprocess.run(
            [sys.executable, "-m", "logreg_grader", "grade", "--source", str(SOURCE), *args, "x.ipynb"],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 2 and "expected" in done.stderr, done.stderr


# ---------------------------------------------------------------------------
# The pieces, without kernels.
# ---------------------------------------------------------------------------


def test_assemble_uses_the_instructors_cells_and_the_students_answers():
    assignment = load_assignments(SOURCE)["hw1_gradient"]
    nb = instructor("hw1_gradient")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "pass  # a student who emptied the check"
        if cell.get("id") == "c001":
            cell.source = "import numpy as np  # a student who edited the set-up"
    nb.cells.insert(3, nbformat.v4.new_code_cell("helper = 1"))
    nb.cells = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "hw1_q3_answer"
    ]
    result = assemble(assignment, nb)
    sources = [s.source for s in result.steps]
    assert "helper = 1" in sources  # the student's own cell runs
    assert not any("a student who" in s for s in sources)  # the instructor's versions run instead
    assert result.missing == {"hw1_q3_answer"} and any("hw1_q3_answer" in n for n in result.notes)
    tests = [s for s in result.steps if s.kind == "test"]
    assert [t.test.grade_id for t in tests] == ["hw1_q1a", "hw1_q1b", "hw1_q1c", "hw1_q2", "hw1_q3"]
    assert all("HIDDEN" not in t.source for t in tests)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch pwned')",
        "Symbol('x').__class__.__mro__",
        "(lambda: 1)()",
        "Symbol('x', real=True).subs",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "Function('f')(Symbol('x'))",
        "Add(" * 30_000,
    ],
)
def test_srepr_text_is_parsed_without_eval(text):
    with pytest.raises(LoadError):
        parse_srepr(text)


def test_srepr_round_trip():
    import sympy as sp

    x = sp.Symbol("x", real=True)
    expr = (
        sp.log(1 + sp.exp(-x)) / 3 - sp.Rational(1, 2) * sp.KroneckerDelta(x, 2) + sp.Float("0.25")
    )
    assert parse_srepr(sp.srepr(expr)) == expr


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


def test_the_released_edition_is_what_make_homework_writes(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "logreg_grader", "release", "--source", str(SOURCE), "--dest",
         str(tmp_path / "student")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "student").glob("*.ipynb")) == [
        f"{n}.ipynb" for n in ASSIGNMENTS
    ]
    assert done.stdout.count("wrote") == 3
    shutil.rmtree(tmp_path / "student")
