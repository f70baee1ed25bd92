"""nbgrader's course run, by nbgrader itself (_nbgrader.py): the release of every assignment, two
students autograded on each (one who filled in the instructor's solutions, one who handed in the
release untouched), their feedback, which must not show the hidden tests, and the grades
exported to CSV. Each nbgrader command runs once for the six assignments (the assignment ``*``).
The instructor notebooks' validation and nbgrader's refusals: test_nbgrader.py.
"""

import csv

import nbformat
import pytest
from _homework import ASSIGNMENTS, SOURCE
from _nbgrader import feedback_texts, filled_in, hidden_lines, nbgrader

from logreg_grader.editions import HIDDEN, SOLUTION, nbgrader_meta

pytestmark = pytest.mark.kernel


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_release_holds_no_solution_or_hidden_test(released, name):
    text = (released / name / f"{name}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert SOLUTION and HIDDEN  # the markers nbgrader and the book share


@pytest.fixture(scope="module")
def autograded(course, released):
    """The two students of every assignment autograded in one run, then exported: (autograde's
    output, the grades by (assignment, student))."""
    root, _ = course
    for name in ASSIGNMENTS:
        release = released / name / f"{name}.ipynb"
        for student, nb in (
            ("solver", filled_in(release, name)),
            ("idler", nbformat.read(release, as_version=4)),
        ):
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
    out = nbgrader(course, "autograde", "*", "--create", "--force")
    nbgrader(course, "export", "--to", "grades.csv")
    with (root / "grades.csv").open() as f:
        grades = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(f)}
    print("\n" + (root / "grades.csv").read_text())
    return out, grades


def test_autograde_reports_no_error(autograded):
    # (nbgrader warns that the checksums of test cells with hidden tests "changed": it compares
    # the released cell with the instructor's, hidden tests included. That is expected.)
    out, _ = autograded
    errors = [line for line in out.splitlines() if "ERROR" in line]
    assert not errors, "\n".join(errors[:20])


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_solver_earns_every_automatic_point_and_the_idler_none(autograded, name):
    _, grades = autograded
    source = nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)
    auto = sum(
        nbgrader_meta(c)["points"]
        for c in source.cells
        if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")
    )
    assert (name, "solver") in grades and (name, "idler") in grades, sorted(grades)
    assert float(grades[(name, "solver")]["max_score"]) == 10.0
    assert float(grades[(name, "solver")]["score"]) == auto  # written answers await a person
    assert float(grades[(name, "idler")]["score"]) == 0.0


def test_the_feedback_shows_no_hidden_test(course, autograded):
    """Feedback, with the course's configuration: no hidden test in it."""
    root, _ = course
    nbgrader(course, "generate_feedback", "*", "--force")
    hidden = hidden_lines()
    shown = feedback_texts(root / "feedback")
    assert len(shown) == 2 * len(ASSIGNMENTS) and all("hw" in t for t in shown.values()), shown
    for path, text in shown.items():
        leaked = sorted(line for line in hidden if line in text)
        assert not leaked, f"{path} shows hidden tests: {leaked[:3]}"
    assert (
        "it runs hidden tests"
        in shown[root / "feedback" / "solver" / "hw1_gradient" / "hw1_gradient.html"]
    )


def test_nbgraders_default_feedback_shows_the_hidden_tests(course, autograded):
    """The same feedback with nbgrader's default preprocessors shows them: the check above can
    fail."""
    root, _ = course
    nbgrader(
        course,
        "generate_feedback",
        "hw1_gradient",
        "--force",
        "--CourseDirectory.feedback_directory=feedback_default",
        "--GenerateFeedback.preprocessors=nbgrader.preprocessors.GetGrades",
        "--GenerateFeedback.preprocessors=nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    )
    hidden = hidden_lines()
    default = feedback_texts(root / "feedback_default")
    assert len(default) == 2 and all(
        sum(line in text for line in hidden) > 3 for text in default.values()
    )
