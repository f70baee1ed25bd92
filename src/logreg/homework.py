"""Homework editions and grading, following nbgrader's conventions.

An instructor's notebook (``book/homework/*.ipynb``) marks

- solution code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in
  cells whose metadata has ``nbgrader.solution = true``;
- written answers in markdown cells with ``nbgrader.solution = true``;
- graded test cells (``nbgrader.grade = true``, ``points``, ``grade_id``), whose
  hidden part lies between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

``python -m logreg.homework release`` writes the student edition;
``python -m logreg.homework grade SUBMISSION.ipynb ...`` grades submissions.
Grading runs the instructor's test cells (hidden tests included) against the
student's solution cells, in a fresh kernel with a per-cell timeout, so a
submission that deletes or edits the tests, raises, loops forever or prints
without end is graded without crashing the grader and without unearned credit.
"""

import argparse
import copy
import json
import re
import sys
from pathlib import Path

import nbformat

__all__ = ["grade", "main", "release", "release_notebook"]

SOLUTION = re.compile(
    r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION[ \t]*$\n?", re.M | re.S
)
HIDDEN = re.compile(
    r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS[ \t]*$\n?", re.M | re.S
)
STUB = "{indent}# YOUR CODE HERE\n{indent}raise NotImplementedError()\n"
WRITTEN_STUB = "YOUR ANSWER HERE"
OUTPUT_LIMIT = 100_000  # characters of output a graded notebook may print in all

# Run first in every graded notebook: caps what student code can print.
_OUTPUT_CAP = f"""
import sys as _sys


class _CappedStream:
    def __init__(self, stream, limit):
        self._stream, self._left = stream, limit

    def write(self, text):
        if self._left > 0:
            self._stream.write(text[: self._left])
            if len(text) > self._left:
                self._stream.write("\\n[output truncated by the grader]\\n")
        self._left -= len(text)
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


_sys.stdout = _CappedStream(_sys.stdout, {OUTPUT_LIMIT})
_sys.stderr = _CappedStream(_sys.stderr, {OUTPUT_LIMIT})
"""


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_solution(cell):
    return bool(_meta(cell).get("solution"))


def _is_test(cell):
    return bool(_meta(cell).get("grade")) and cell["cell_type"] == "code"


def release_notebook(nb):
    """The student edition of an instructor notebook (a new notebook object)."""
    student = copy.deepcopy(nb)
    for cell in student.cells:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if _is_solution(cell):
                cell["source"] = SOLUTION.sub(
                    lambda m: STUB.format(indent=m.group(1)), cell["source"]
                )
            if _is_test(cell):
                cell["source"] = HIDDEN.sub("", cell["source"]).rstrip() + "\n"
        elif _is_solution(cell):
            cell["source"] = WRITTEN_STUB
        # the book shows solutions in dropdowns; the student edition has nothing to hide
        tags = [t for t in cell.get("metadata", {}).get("tags", []) if t != "hide-input"]
        if "tags" in cell.get("metadata", {}):
            cell["metadata"]["tags"] = tags
    student.metadata.setdefault("logreg_homework", {})["edition"] = "student"
    return student


def release(source_dir, dest_dir):
    """Write the student edition of every notebook in ``source_dir``; returns the paths."""
    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {source_dir}; expected the instructor's homework")
    dest_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        target = dest_dir / path.name
        nbformat.write(release_notebook(nb), target)
        written.append(target)
    return written


def _assignment(nb, path):
    name = nb.metadata.get("logreg_homework", {}).get("assignment")
    if not name:
        raise ValueError(
            f"{path} has no metadata.logreg_homework.assignment; expected a notebook released "
            "from book/homework"
        )
    return name


def _graded_notebook(instructor, submission):
    """Instructor cells everywhere except the solution cells, taken from the submission."""
    answers = {
        _meta(c)["grade_id"]: c
        for c in submission.cells
        if _is_solution(c) and "grade_id" in _meta(c)
    }
    graded = copy.deepcopy(instructor)
    for cell in graded.cells:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if _is_solution(cell) and cell["cell_type"] == "code":
            answer = answers.get(_meta(cell)["grade_id"])
            # a deleted answer earns nothing: it becomes the unanswered stub
            cell["source"] = answer["source"] if answer else "raise NotImplementedError()\n"
    graded.cells.insert(0, nbformat.v4.new_code_cell(_OUTPUT_CAP))
    return graded


def grade(submission_path, source_dir, timeout=30):
    """Grade one submission; returns a dict with per-question points and the total."""
    from nbclient import NotebookClient

    submission_path, source_dir = Path(submission_path), Path(source_dir)
    result = {
        "submission": str(submission_path),
        "questions": [],
        "score": 0.0,
        "max_score": 0.0,
        "error": None,
    }
    try:
        submission = nbformat.read(submission_path, as_version=4)
        name = _assignment(submission, submission_path)
        instructor = nbformat.read(source_dir / f"{name}.ipynb", as_version=4)
    except Exception as exc:  # unreadable or foreign file: graded as zero, never a crash
        result["error"] = f"could not read the submission: {exc}"
        return result
    result["assignment"] = name
    graded = _graded_notebook(instructor, submission)
    client = NotebookClient(
        graded,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(source_dir)}},
    )
    try:
        client.execute()
    except Exception as exc:  # a kernel that died: every question not yet run scores zero
        result["error"] = f"execution stopped: {type(exc).__name__}: {str(exc)[:200]}"
    for cell in graded.cells:
        if not _is_test(cell):
            continue
        points = float(_meta(cell).get("points", 0))
        ran = cell.get("execution_count") is not None
        failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        earned = points if ran and not failed else 0.0
        result["questions"].append(
            {"grade_id": _meta(cell)["grade_id"], "points": earned, "max_points": points}
        )
        result["score"] += earned
        result["max_score"] += points
    return result


def _table(results):
    lines = []
    for r in results:
        lines.append(f"{r['submission']}  ({r.get('assignment', '?')})")
        for q in r["questions"]:
            lines.append(f"  {q['grade_id']:28s} {q['points']:5.1f} / {q['max_points']:.1f}")
        if r["error"]:
            lines.append(f"  note: {r['error']}")
        lines.append(f"  {'total':28s} {r['score']:5.1f} / {r['max_score']:.1f}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m logreg.homework", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="write the student edition")
    rel.add_argument("--source", default="book/homework")
    rel.add_argument("--dest", default="_build/homework/student")
    gr = sub.add_parser("grade", help="grade submissions")
    gr.add_argument("submissions", nargs="+")
    gr.add_argument("--source", default="book/homework")
    gr.add_argument("--timeout", type=float, default=30.0, help="seconds per cell")
    gr.add_argument("--json", help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    if args.command == "release":
        for path in release(args.source, args.dest):
            print(f"wrote {path}")
        return 0
    results = [grade(path, args.source, timeout=args.timeout) for path in args.submissions]
    print(_table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
