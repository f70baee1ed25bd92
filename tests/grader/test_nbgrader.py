"""nbgrader compatibility, checked by nbgrader itself (0.9.6, in .venv-nbgrader; ``make test``
creates it from requirements-nbgrader.txt).

In a throwaway course folder, nbgrader validates each instructor notebook, generates the student
release, autogrades two students (one who filled in the instructor's solutions, one who handed
in the release untouched) and exports the grades to CSV. nbgrader's kernels run the book's
environment through a ``python3`` kernel spec on ``JUPYTER_PATH``.
"""

import csv
import json
import os
import shutil
import subprocess
import sys

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
    spec = root / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    kernel = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    (spec / "kernel.json").write_text(
        json.dumps({**kernel, "display_name": "Python 3", "language": "python"})
    )
    config = ["c = get_config()", "c.CourseDirectory.course_id = 'logreg'"]
    config.append(f"c.CourseDirectory.root = {str(root)!r}")
    (root / "nbgrader_config.py").write_text("\n".join(config) + "\n")
    for name in ASSIGNMENTS:
        (root / "source" / name).mkdir(parents=True)
        shutil.copy(SOURCE / f"{name}.ipynb", root / "source" / name)
    env = {
        **os.environ,
        "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ['PATH']}",  # nbgrader calls alembic
        "JUPYTER_PATH": str(root / "jupyter"),
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter-config"),
        "JUPYTER_DATA_DIR": str(root / ".jupyter-data"),
    }
    return root, env


def nbgrader(course, *args):
    root, env = course
    done = subprocess.run(
        [str(NBGRADER), *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (
        f"nbgrader {' '.join(args)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validates_the_instructor_notebook(course, name):
    out = nbgrader(course, "validate", f"source/{name}/{name}.ipynb")
    assert "Success! Your notebook passes all the tests." in out, out[-2000:]


def test_generate_autograde_export(course):
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
