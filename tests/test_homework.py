"""Homework: the student edition leaks nothing, and the grader is fair and robust."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from logreg.homework import HIDDEN, SOLUTION, grade, release

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "book" / "homework"
ASSIGNMENTS = sorted(p.stem for p in SOURCE.glob("*.ipynb"))


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    dest = tmp_path_factory.mktemp("student")
    release(SOURCE, dest)
    return dest


def secret_lines():
    """Every substantial line of a solution, a hidden test or a written reference answer."""
    lines = set()
    for path in SOURCE.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            blocks = [m.group(0) for m in SOLUTION.finditer(cell.source)]
            blocks += [m.group(0) for m in HIDDEN.finditer(cell.source)]
            if cell.cell_type == "markdown" and meta.get("solution"):
                blocks.append(cell.source)
            for block in blocks:
                lines |= {ln.strip() for ln in block.splitlines() if len(ln.strip()) > 12}
    return lines


def test_there_are_three_assignments_with_points():
    assert ASSIGNMENTS == ["hw1_gradient", "hw2_training", "hw3_sympy"]
    for name in ASSIGNMENTS:
        nb = nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)
        points = [
            c.metadata["nbgrader"]["points"]
            for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")
        ]
        assert len(points) >= 3 and sum(points) == 10


def test_student_edition_contains_no_solution_or_hidden_test(student_dir):
    secrets = secret_lines()
    assert len(secrets) > 20  # the search is not vacuous
    for path in sorted(student_dir.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "Reference answer"):
            assert marker not in text, f"{marker!r} in {path.name}"
        nb = nbformat.read(path, as_version=4)
        sources = "\n".join(c.source for c in nb.cells)
        leaked = sorted(line for line in secrets if line in sources)
        assert not leaked, f"{path.name} leaks: {leaked[:3]}"
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None


def test_instructor_notebooks_score_full_marks():
    for name in ASSIGNMENTS:
        result = grade(SOURCE / f"{name}.ipynb", SOURCE, timeout=60)
        assert result["score"] == result["max_score"] == 10, result


def test_unmodified_student_edition_scores_zero(student_dir):
    for name in ASSIGNMENTS:
        result = grade(student_dir / f"{name}.ipynb", SOURCE, timeout=60)
        assert result["max_score"] == 10
        assert [q["points"] for q in result["questions"]] == [0.0] * len(result["questions"]), (
            result
        )


def submission(tmp_path, name, edits, drop_tests=False):
    """The instructor notebook with some answer cells replaced, as a student would submit it."""
    nb = nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in edits:
            cell.source = edits[grade_id]
    if drop_tests:
        nb.cells = [c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    path = tmp_path / f"{name}_submission.ipynb"
    nbformat.write(nb, path)
    return path


def points(result):
    return {q["grade_id"]: q["points"] for q in result["questions"]}


def test_one_wrong_answer_loses_exactly_its_points(tmp_path):
    flipped = (
        "def cross_entropy_grad(W, b, X, Y):\n"
        "    G = (Y - softmax(X @ W + b)) / X.shape[0]  # sign flipped\n"
        "    return X.T @ G, G.sum(axis=0)\n"
    )
    result = grade(submission(tmp_path, "hw1_gradient", {"q2_answer": flipped}), SOURCE)
    assert points(result) == {
        "q1a_check": 1.0,
        "q1b_check": 1.0,
        "q1_check": 1.0,
        "q2_check": 0.0,
        "q3_check": 3.0,
    }
    assert result["score"] == 6.0


def test_pathological_submissions_are_graded_without_crashing(tmp_path):
    # raises, loops forever, prints without end: each loses only its own question
    result = grade(
        submission(tmp_path, "hw3_sympy", {"q2_answer": "raise ValueError('no idea')\n"}), SOURCE
    )
    assert points(result) == {"q1_check": 4.0, "q2_check": 0.0, "q3_check": 3.0}

    start = time.perf_counter()
    result = grade(
        submission(tmp_path, "hw1_gradient", {"q1_answer": "while True:\n    pass\n"}),
        SOURCE,
        timeout=5,
    )
    assert time.perf_counter() - start < 60
    assert points(result)["q1_check"] == 0.0 and result["score"] == 7.0
    assert points(result)["q1a_check"] == points(result)["q1b_check"] == 0.0

    flood = "for _ in range(2_000_000):\n    print('spam ' * 20)\nw_hat = w1 - w2\n"
    result = grade(submission(tmp_path, "hw3_sympy", {"q2_answer": flood}), SOURCE, timeout=60)
    assert result["score"] == 10.0  # the answer is right; the output was capped
    assert result["error"] is None


def test_deleting_the_tests_does_not_help(tmp_path):
    # Correct answers still earn their points (the grader runs its own tests)...
    result = grade(submission(tmp_path, "hw3_sympy", {}, drop_tests=True), SOURCE)
    assert result["score"] == 10.0
    # ...and wrong ones cannot escape them.
    wrong = submission(tmp_path, "hw3_sympy", {"q2_answer": "w_hat = w2 - w1\n"}, drop_tests=True)
    assert points(grade(wrong, SOURCE))["q2_check"] == 0.0


def test_unreadable_submission_scores_zero(tmp_path):
    bad = tmp_path / "not_a_notebook.ipynb"
    bad.write_text("this is not json")
    result = grade(bad, SOURCE)
    assert result["score"] == 0.0 and "could not read" in result["error"]


def test_command_line_release_and_grade(tmp_path):
    dest = tmp_path / "student"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "logreg.homework",
            "release",
            "--source",
            str(SOURCE),
            "--dest",
            str(dest),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    report = tmp_path / "grades.json"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "logreg.homework",
            "grade",
            str(dest / "hw3_sympy.ipynb"),
            "--source",
            str(SOURCE),
            "--json",
            str(report),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert re.search(r"total\s+0\.0 / 10\.0", out)
    assert json.loads(report.read_text())[0]["max_score"] == 10.0
