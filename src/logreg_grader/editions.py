"""The two editions of an assignment: the instructor's notebook and the student edition.

The instructor's notebooks (``book/homework/*.ipynb``) follow nbgrader's conventions, so a
course that runs nbgrader can take them as they are:

- code answer cells have ``nbgrader.solution = true``; the solution sits between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
- written answers are markdown cells with ``solution = true`` and ``grade = true`` (graded by
  hand, with points); their text is the reference answer;
- test cells have ``grade = true``, ``locked = true`` and ``points``; their hidden part sits
  between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``;
- test cells also carry ``metadata.logreg_homework``: what this book's grader evaluates in the
  student's kernel and how it compares the result with the instructor's (see ``probes``).

The student edition replaces solutions by a stub, written answers by a placeholder, drops hidden
tests and the grader's metadata, and clears outputs. It is what students receive and what the
book's website shows.
"""

import copy
import re
from pathlib import Path

import nbformat

__all__ = [
    "HIDDEN",
    "SOLUTION",
    "check_grade_ids",
    "instructor_html",
    "is_answer",
    "is_test",
    "is_written",
    "nbgrader_meta",
    "release",
    "student_edition",
]

SOLUTION = re.compile(
    r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$\n?", re.M | re.S
)
HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*$\n?", re.M | re.S
)
STUB = "{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n"
WRITTEN_STUB = "YOUR ANSWER HERE"
GRADER_KEY = (
    "logreg_homework"  # the grader's own metadata (notebook: assignment name; cells: probes)
)


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell):
    """A code cell the student writes."""
    return cell["cell_type"] == "code" and bool(nbgrader_meta(cell).get("solution"))


def is_written(cell):
    """A markdown cell the student writes, graded by hand."""
    return cell["cell_type"] == "markdown" and bool(nbgrader_meta(cell).get("solution"))


def is_test(cell):
    """A code cell that the autograder scores."""
    meta = nbgrader_meta(cell)
    return cell["cell_type"] == "code" and bool(meta.get("grade")) and not meta.get("solution")


def check_grade_ids(nb, name):
    """Refuse an instructor notebook in which a grade id is on more than one cell.

    nbgrader keys its gradebook by grade id: ``validate`` refuses such a notebook, and one
    submission made from it stops ``autograde`` for the whole class with a misleading "old
    version of the nbgrader metadata" error. Raises ValueError naming the id and the cells."""
    cells = {}
    for position, cell in enumerate(nb.cells, start=1):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id:
            cells.setdefault(grade_id, []).append(position)
    twice = {g: p for g, p in cells.items() if len(p) > 1}
    if twice:
        raise ValueError(
            f"{name}: "
            + "; ".join(
                f"the grade id {g!r} is on cells {', '.join(map(str, p))}" for g, p in twice.items()
            )
            + "; expected each grade id on one cell (nbgrader keys its gradebook by grade id)"
        )


def student_edition(nb):
    """The student edition of an instructor notebook (a new notebook object)."""
    student = copy.deepcopy(nb)
    for cell in student.cells:
        metadata = cell.setdefault("metadata", {})
        metadata.pop(GRADER_KEY, None)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if is_answer(cell):
                cell["source"] = SOLUTION.sub(
                    lambda m: STUB.format(indent=m.group(1)), cell["source"]
                )
            if is_test(cell):
                cell["source"] = HIDDEN.sub("", cell["source"]).rstrip() + "\n"
        elif is_written(cell):
            cell["source"] = WRITTEN_STUB
        # Tags that folded solutions away on an instructor's page mean nothing to students.
        if "tags" in metadata:
            metadata["tags"] = [t for t in metadata["tags"] if t != "hide-input"]
    student.metadata.setdefault(GRADER_KEY, {})["edition"] = "student"
    return student


def release(source_dir, dest_dir, roster=None, term=None, key=None):
    """Write the student edition of every notebook in ``source_dir``; returns the paths.

    With a ``roster`` (a CSV with a column ``student``), a ``term`` and the instructor's ``key``
    (bytes), write one edition per student instead, each a signed variant (``variants``)."""
    if roster is not None:
        from .variants import release_variants  # it builds on this module

        if term is None or key is None:
            raise ValueError("a release per student needs a term and a key besides the roster")
        return release_variants(source_dir, dest_dir, roster, term, key)
    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {source_dir}; expected the instructor's homework")
    dest_dir.mkdir(parents=True, exist_ok=True)
    written = []
    books = {path: nbformat.read(path, as_version=4) for path in notebooks}
    for path, nb in books.items():  # all checked before any is written
        check_grade_ids(nb, path.name)
    for path, nb in books.items():
        target = dest_dir / path.name
        nbformat.write(student_edition(nb), target)
        written.append(target)
    return written


def instructor_html(source_dir, dest_dir, timeout=120):
    """Execute each instructor notebook and write it as HTML, solutions and outputs included.

    For the instructor only: ``make homework`` writes these outside the public website.
    """
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    written = []
    for path in sorted(source_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(source_dir)}},
        ).execute()
        html, _ = exporter.from_notebook_node(nb)
        target = dest_dir / f"{path.stem}.html"
        target.write_text(html, encoding="utf-8")
        written.append(target)
    return written
