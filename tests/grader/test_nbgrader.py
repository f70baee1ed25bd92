"""nbgrader compatibility, checked by nbgrader itself (_nbgrader.py): nbgrader validates each
instructor notebook and fails each released one on every test; it refuses an instructor notebook
with a grade id on two cells, as the book's own check does; and one such submission stops its
autograde for the class (the trap the README warns of). Autograding, feedback and the export:
test_nbgrader_autograde.py, in a course of its own, so that pytest-xdist's workers (``--dist
loadfile``) run the two files side by side.
"""

import subprocess
import sys

import nbformat
import pytest
from _homework import ASSIGNMENTS, SOURCE
from _nbgrader import by_notebook, duplicated_grade_id, nbgrader, part, run

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def validated(course):
    """One ``nbgrader validate`` of the six instructor notebooks, and last of a copy of hw1 with
    a duplicated grade id, which stops it: (exit status, output per notebook, output)."""
    root, _ = course
    nb = nbformat.read(SOURCE / "hw1_gradient.ipynb", as_version=4)
    i = duplicated_grade_id(nb)
    (root / "duplicated").mkdir()
    nbformat.write(nb, root / "duplicated" / "twins.ipynb")
    paths = [f"source/{name}/{name}.ipynb" for name in ASSIGNMENTS] + ["duplicated/twins.ipynb"]
    status, out = run(course, "validate", *paths)
    return status, by_notebook(out), out, i


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_nbgrader_validates_the_instructor_notebook(validated, name):
    _, parts, out, _ = validated
    text = part(parts, f"{name}.ipynb", out)
    assert "Success! Your notebook passes all the tests." in text, text[-2000:]


@pytest.fixture(scope="module")
def inverted(course, released):
    """One ``nbgrader validate --invert`` of the six released notebooks."""
    paths = [str(released / name / f"{name}.ipynb") for name in ASSIGNMENTS]
    out = nbgrader(course, "validate", "--invert", *paths)
    return by_notebook(out), out


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_released_notebook_fails_every_test(inverted, name):
    parts, out = inverted
    text = part(parts, f"{name}.ipynb", out)
    assert "Success! The notebook does not pass any tests." in text, text[-2000:]


def test_a_duplicated_grade_id_is_refused_by_nbgrader_validate_and_by_the_course_writer(
    validated, tmp_path
):
    status, parts, out, i = validated
    assert status != 0, f"nbgrader validate passed a duplicated grade id:\n{out[-2000:]}"
    text = part(parts, "twins.ipynb", out)
    assert "Duplicate grade id: hw1_q2_answer" in text, text[-2000:]
    nb = nbformat.read(SOURCE / "hw1_gradient.ipynb", as_version=4)
    duplicated_grade_id(nb)
    nbformat.write(nb, tmp_path / "hw1_gradient.ipynb")
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


def test_one_duplicated_grade_id_stops_nbgraders_autograde_for_the_class(course, released):
    """The trap the README warns of: nbgrader's error blames an old metadata version. (The book's
    grader grades such a submission: test_grader_hostile's duplicate.ipynb.)"""
    root, _ = course
    release = released / "hw1_gradient" / "hw1_gradient.ipynb"
    nb = nbformat.read(release, as_version=4)
    duplicated_grade_id(nb)  # JupyterLab's Split Cell
    for student in ("split", "zed"):  # nbgrader takes the students in alphabetical order
        folder = root / "submitted" / student / "hw1_gradient"
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / "hw1_gradient.ipynb")
        nb = nbformat.read(release, as_version=4)
    out = nbgrader(course, "autograde", "hw1_gradient", "--create", "--force", fails=True)
    message = "use an old version of the nbgrader metadata format"
    assert message in " ".join(out.split()), out[-2000:]
    assert "Cell with id 'hw1_q2_answer' exists multiple times" in out
    assert not (root / "autograded" / "zed").exists()  # the honest student after it: not graded
