"""Assignments, and which assignment a submitted notebook is.

An assignment is one instructor notebook in the source folder; its name is the file's stem.
A submission names its assignment in ``metadata.logreg_homework.assignment``, but the grader
never takes a path from a submission: the name must be one of the source folder's stems, and
the submission's answer cells must be that assignment's.
"""

import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .editions import GRADER_KEY, HIDDEN, is_answer, is_test, is_written, nbgrader_meta

__all__ = [
    "Assignment",
    "SubmissionError",
    "TestCell",
    "identify",
    "load_assignments",
    "read_submission",
]

MAX_SUBMISSION_BYTES = 20_000_000


class SubmissionError(ValueError):
    """A submission that cannot be graded as what it claims to be (the student's doing)."""


@dataclass
class TestCell:
    grade_id: str
    points: float
    visible: str  # the test cell without its hidden part: what the student saw
    probe: str  # code the grader runs in the student's kernel; it emits values
    rules: list  # how the emitted values are compared with the instructor's


@dataclass
class Assignment:
    name: str
    path: Path
    notebook: nbformat.NotebookNode
    answers: dict = field(default_factory=dict)  # grade_id -> instructor answer cell
    tests: list = field(default_factory=list)
    written: dict = field(default_factory=dict)  # grade_id -> points

    @property
    def max_score(self):
        return sum(t.points for t in self.tests)


def _load(path):
    nb = nbformat.read(path, as_version=4)
    assignment = Assignment(name=path.stem, path=path, notebook=nb)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if is_answer(cell):
            assignment.answers[meta["grade_id"]] = cell
        elif is_written(cell):
            assignment.written[meta["grade_id"]] = float(meta.get("points", 0))
        elif is_test(cell):
            spec = cell.metadata.get(GRADER_KEY, {})
            if not spec.get("probe") or not spec.get("rules"):
                raise ValueError(
                    f"{path.name}: test cell {meta['grade_id']!r} has no metadata.{GRADER_KEY}"
                    ".probe and .rules; expected what the grader evaluates and how it compares"
                )
            assignment.tests.append(
                TestCell(
                    grade_id=meta["grade_id"],
                    points=float(meta.get("points", 0)),
                    visible=HIDDEN.sub("", cell.source).rstrip() + "\n",
                    probe=spec["probe"],
                    rules=spec["rules"],
                )
            )
    return assignment


def load_assignments(source_dir):
    """Every assignment in the instructor's folder, by name."""
    paths = sorted(Path(source_dir).glob("*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no notebooks in {source_dir}; expected the instructor's homework")
    return {path.stem: _load(path) for path in paths}


def _read_regular_file(path):
    """The bytes of ``path`` if it is a regular file of at most MAX_SUBMISSION_BYTES.

    The file is opened without following a symbolic link and without blocking (a FIFO or a
    device would otherwise hang the grader or feed it without end), checked on the open file
    descriptor (no race between a check and the read), and read with a cap."""
    if path.name.startswith("-"):
        raise SubmissionError(
            f"the file name {path.name[:60]!r} starts with '-'; expected a notebook name that "
            "cannot be taken for an option of the grader"
        )
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SubmissionError(
                "the file is a symbolic link; expected the notebook itself"
            ) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SubmissionError(
                f"the file is not a regular file ({_kind(info.st_mode)}); expected a notebook"
            )
        if info.st_size > MAX_SUBMISSION_BYTES:
            raise SubmissionError(
                f"the file is {info.st_size:,} bytes; expected a notebook under "
                f"{MAX_SUBMISSION_BYTES:,}"
            )
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(MAX_SUBMISSION_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_SUBMISSION_BYTES:  # it grew after fstat
        raise SubmissionError(f"the file is over {MAX_SUBMISSION_BYTES:,} bytes; expected less")
    return data


def _kind(mode):
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_submission(path):
    """The submitted notebook, read defensively: a regular file (no link, FIFO, device or
    directory, no name that looks like an option), size-limited, valid nbformat 4."""
    path = Path(path)
    data = _read_regular_file(path)
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise SubmissionError(f"not a Jupyter notebook ({type(exc).__name__})") from None
    except Exception as exc:  # nbformat's own validation errors
        raise SubmissionError(f"not a readable notebook: {str(exc)[:200]}") from None
    for cell in nb.cells:
        if not isinstance(cell.get("source"), str) or cell.get("cell_type") not in (
            "code",
            "markdown",
            "raw",
        ):
            raise SubmissionError("a cell is malformed; expected code, markdown or raw cells")
    return nb


def _grade_ids(assignment):
    return {*assignment.answers, *assignment.written, *(t.grade_id for t in assignment.tests)}


def _owners(nb, assignments):
    """The assignments whose grade ids the notebook's cells carry, by name."""
    carried = {
        nbgrader_meta(c).get("grade_id") for c in nb.cells if isinstance(nbgrader_meta(c), dict)
    }
    return sorted(a.name for a in assignments.values() if carried & _grade_ids(a))


def identify(nb, assignments, expected=None):
    """The assignment a submission is, checked against its answer cells.

    ``expected`` is the assignment the instructor is grading: a submission of another one is
    reported as such, never graded as something else. Grade ids carry the assignment's name
    (``hw1_q2_answer``), so a notebook whose metadata was changed is recognized by its cells,
    and one whose metadata was lost (cells copied into a fresh notebook) is recovered from them
    when they are all one assignment's (``assemble`` then tells the student so).
    """
    meta = nb.metadata.get(GRADER_KEY)
    claimed = meta.get("assignment") if isinstance(meta, dict) else None
    if claimed in (None, ""):
        owners = _owners(nb, assignments)
        if len(owners) != 1:
            raise SubmissionError(
                f"metadata.{GRADER_KEY}.assignment is missing, and the cells' grade ids belong "
                + (
                    f"to several assignments ({', '.join(owners)})"
                    if owners
                    else f"to none of {', '.join(sorted(assignments))}"
                )
                + "; expected the cells of one assignment"
            )
        claimed = owners[0]
    if not isinstance(claimed, str) or claimed not in assignments:
        raise SubmissionError(
            f"metadata.{GRADER_KEY}.assignment is {repr(claimed)[:60]}; expected one of "
            f"{', '.join(sorted(assignments))}"
        )
    if expected is not None and claimed != expected:
        raise SubmissionError(f"this is a submission for {claimed}, not for {expected}")
    answer_ids = {
        nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c).get("solution")
    }
    if answer_ids and not answer_ids & set(assignments[claimed].answers):
        others = sorted(a.name for a in assignments.values() if answer_ids & set(a.answers))
        raise SubmissionError(
            f"the notebook says {claimed}, but its answer cells are "
            + (f"those of {', '.join(others)}" if others else "none of its questions")
        )
    return assignments[claimed]
