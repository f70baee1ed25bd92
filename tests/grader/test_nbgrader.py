"""nbgrader compatibility, checked by nbgrader itself (0.9.6, in .venv-nbgrader; ``make test``
creates it from requirements-nbgrader.txt).

The course folder is the one ``python -m logreg_grader.nbgrader_course`` writes: the instructor
notebooks under source/, a ``python3`` kernel spec that starts the book's Python (on
``JUPYTER_PATH``) and nbgrader_config.py. In it nbgrader validates each instructor notebook,
generates the student release, autogrades two students (one who filled in the instructor's
solutions, one who handed in the release untouched), writes their feedback, which must not show
the hidden tests, and exports the grades to CSV. nbgrader's validate refuses an instructor
notebook with a grade id on two cells, as the book's own check does.
"""

import csv
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from _homework import ASSIGNMENTS, ROOT, SOURCE, all_solutions

from logreg_grader.editions import HIDDEN, SOLUTION, nbgrader_meta

NBGRADER = ROOT / ".venv-nbgrader" / "bin" / "nbgrader"

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not NBGRADER.exists():
        pytest.fail(f"{NBGRADER} is missing; `make test` creates it from requirements-nbgrader.txt")
    root = tmp_path_factory.mktemp("course")
    done = subprocess.run(
        [sys.executable, "-m", "logreg_grader.nbgrader_course", str(root), "--source", str(SOURCE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (jupyter_path,) = re.findall(r"^export JUPYTER_PATH=(.+)$", done.stdout, re.M)
    kernel = json.loads((Path(jupyter_path) / "kernels" / "python3" / "kernel.json").read_text())
    assert kernel["argv"][0] == sys.executable  # the book's Python runs nbgrader's kernels
    env = {
        **os.environ,
        "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ['PATH']}",  # nbgrader calls alembic
        "JUPYTER_PATH": jupyter_path,
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter-config"),
        "JUPYTER_DATA_DIR": str(root / ".jupyter-data"),
    }
    return root, env


def nbgrader(course, *args, fails=False):
    root, env = course
    done = subprocess.run(
        [str(NBGRADER), *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if fails:
        assert done.returncode != 0, f"nbgrader {' '.join(args)} passed:\n{done.stdout[-2000:]}"
        return done.stdout + done.stderr
    assert done.returncode == 0, (
        f"nbgrader {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validates_the_instructor_notebook(course, name):
    out = nbgrader(course, "validate", f"source/{name}/{name}.ipynb")
    assert "Success! Your notebook passes all the tests." in out, out[-2000:]


def test_generate_autograde_feedback_export(course):
    root, _ = course
    for name in ASSIGNMENTS:
        nbgrader(course, "generate_assignment", name, "--force")
        released = root / "release" / name / f"{name}.ipynb"
        text = released.read_text()
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        out = nbgrader(course, "validate", "--invert", str(released))
        assert "Success! The notebook does not pass any tests." in out, out[-2000:]
        # A student who filled the release with the instructor's answers, and one who did nothing.
        nb = nbformat.read(released, as_version=4)
        answers = all_solutions(name)
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") in answers:
                cell.source = answers[nbgrader_meta(cell)["grade_id"]]
        for student, notebook in (("solver", nb), ("idler", nbformat.read(released, as_version=4))):
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            nbformat.write(notebook, folder / f"{name}.ipynb")
        out = nbgrader(course, "autograde", name, "--create", "--force")
        # (nbgrader warns that the checksums of test cells with hidden tests "changed": it compares
        # the released cell with the instructor's, hidden tests included. That is expected.)
        assert "ERROR" not in out, out[-2000:]
    nbgrader(course, "export", "--to", "grades.csv")
    with (root / "grades.csv").open() as f:
        grades = {(r["assignment"], r["student_id"]): r for r in csv.DictReader(f)}
    print("\n" + (root / "grades.csv").read_text())
    for name in ASSIGNMENTS:
        source = nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)
        auto = sum(
            nbgrader_meta(c)["points"]
            for c in source.cells
            if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")
        )
        assert float(grades[(name, "solver")]["max_score"]) == 10.0
        assert float(grades[(name, "solver")]["score"]) == auto  # written answers await a person
        assert float(grades[(name, "idler")]["score"]) == 0.0
    assert SOLUTION and HIDDEN  # the markers nbgrader and the book share

    # Feedback, with the course's configuration: no hidden test in it.
    hidden = hidden_lines()
    for name in ASSIGNMENTS:
        nbgrader(course, "generate_feedback", name, "--force")
    shown = feedback_texts(root / "feedback")
    assert len(shown) == 2 * len(ASSIGNMENTS) and all("hw" in t for t in shown.values())
    for path, text in shown.items():
        leaked = sorted(line for line in hidden if line in text)
        assert not leaked, f"{path} shows hidden tests: {leaked[:3]}"
    assert (
        "it runs hidden tests"
        in shown[root / "feedback" / "solver" / "hw1_gradient" / "hw1_gradient.html"]
    )
    # The same feedback with nbgrader's default preprocessors shows them: the check can fail.
    nbgrader(
        course,
        "generate_feedback",
        "hw1_gradient",
        "--force",
        "--CourseDirectory.feedback_directory=feedback_default",
        "--GenerateFeedback.preprocessors=nbgrader.preprocessors.GetGrades",
        "--GenerateFeedback.preprocessors=nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    )
    default = feedback_texts(root / "feedback_default")
    assert len(default) == 2 and all(
        sum(line in text for line in hidden) > 3 for text in default.values()
    )


def hidden_lines():
    """Lines of the hidden tests that appear nowhere a student may see (visible checks, the
    solutions a student may write)."""
    lines = set()
    for name in ASSIGNMENTS:
        cells = nbformat.read(SOURCE / f"{name}.ipynb", as_version=4).cells
        seen = "\n".join(HIDDEN.sub("", c.source) for c in cells)
        for cell in cells:
            for block in HIDDEN.findall(cell.source):
                lines |= {
                    ln.strip()
                    for ln in block.splitlines()
                    if len(ln.strip()) > 12 and ln.strip() not in seen and "HIDDEN" not in ln
                }
    assert len(lines) > 10  # the search is not vacuous
    return lines


def feedback_texts(folder):
    """Each feedback page's text as a reader sees it (tags removed: Pygments splits code lines
    into spans)."""
    return {
        path: html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
        for path in sorted(folder.rglob("*.html"))
    }


def test_a_duplicated_grade_id_is_refused_by_nbgrader_validate_and_by_the_course_writer(
    course, tmp_path
):
    nb = nbformat.read(SOURCE / "hw1_gradient.ipynb", as_version=4)
    i = next(
        i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "hw1_q2_answer"
    )
    twin = nbformat.from_dict(json.loads(json.dumps(nb.cells[i])))
    twin.id = "twin"
    nb.cells.insert(i + 1, twin)
    nbformat.write(nb, tmp_path / "hw1_gradient.ipynb")
    out = nbgrader(course, "validate", str(tmp_path / "hw1_gradient.ipynb"), fails=True)
    assert "Duplicate grade id: hw1_q2_answer" in out, out[-2000:]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "logreg_grader.nbgrader_course",
            str(tmp_path / "c"),
            "--source",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0 and not (tmp_path / "c" / "source").exists()
    cells = f"cells {i + 1}, {i + 2}"
    assert f"hw1_gradient.ipynb: the grade id 'hw1_q2_answer' is on {cells}" in done.stderr
    assert "Traceback" not in done.stderr and done.returncode == 2, done.stderr


def test_one_duplicated_grade_id_stops_nbgraders_autograde_for_the_class(course):
    """The trap the README warns of: nbgrader's error blames an old metadata version. (The book's
    grader grades such a submission: test_grader_hostile's duplicate.ipynb.)"""
    root, _ = course
    nbgrader(course, "generate_assignment", "hw1_gradient", "--force")
    nb = nbformat.read(root / "release" / "hw1_gradient" / "hw1_gradient.ipynb", as_version=4)
    i = next(
        i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "hw1_q2_answer"
    )
    twin = nbformat.from_dict(json.loads(json.dumps(nb.cells[i])))  # JupyterLab's Split Cell
    twin.id = "twin"
    nb.cells.insert(i + 1, twin)
    for student in ("split", "zed"):  # nbgrader takes the students in alphabetical order
        folder = root / "submitted" / student / "hw1_gradient"
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / "hw1_gradient.ipynb")
        nb = nbformat.read(root / "release" / "hw1_gradient" / "hw1_gradient.ipynb", as_version=4)
    out = nbgrader(course, "autograde", "hw1_gradient", "--create", "--force", fails=True)
    message = "use an old version of the nbgrader metadata format"
    assert message in " ".join(out.split()), out[-2000:]
    assert "Cell with id 'hw1_q2_answer' exists multiple times" in out
    assert not (root / "autograded" / "zed").exists()  # the honest student after it: not graded
