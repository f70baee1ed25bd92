"""Helpers for the homework tests: submissions built from the student edition, the CLI."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat

from logreg_grader.editions import (
    GRADER_KEY,
    HIDDEN,
    SOLUTION,
    is_written,
    nbgrader_meta,
    student_edition,
)

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "book" / "homework"
ASSIGNMENTS = [
    "hw1_gradient",
    "hw2_training",
    "hw3_sympy",
    "hw4_geometry",
    "hw5_second_order",
    "hw6_evaluation",
]
# Set by conftest.py for the session: grade_cli's runs share the instructor's reference values.
REFERENCE_CACHE = None


def instructor(name):
    return nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)


def solution(name, grade_id):
    """The instructor's answer to ``grade_id``, with the solution markers removed."""
    for cell in instructor(name).cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return SOLUTION.sub(lambda m: _inner(m.group(0)), cell.source)
    raise KeyError(grade_id)


def _inner(block):
    return "".join(
        line + "\n"
        for line in block.splitlines()
        if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
    )


def all_solutions(name):
    nb = instructor(name)
    return {
        nbgrader_meta(c)["grade_id"]: solution(name, nbgrader_meta(c)["grade_id"])
        for c in nb.cells
        if nbgrader_meta(c).get("solution") and c.cell_type == "code"
    }


def written_answers(name):
    """The instructor's reference texts of the written answers, by grade id."""
    return {
        nbgrader_meta(c)["grade_id"]: c.source
        for c in instructor(name).cells
        if nbgrader_meta(c).get("solution") and c.cell_type == "markdown"
    }


def submission(
    folder, filename, name, answers=None, first=(), before=None, duplicate=None, metadata=None
):
    """A student's notebook: the student edition of ``name`` with ``answers`` (grade id -> code)
    filled in, extra code cells ``first`` at the top and ``before[grade_id]`` before an answer,
    an answer cell ``duplicate`` given as (grade id, source of the first copy), and notebook
    ``metadata`` merged in."""
    nb = student_edition(instructor(name))
    cells = []
    for source in first:
        cells.append(nbformat.v4.new_code_cell(source))
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        for source in (before or {}).get(grade_id, []):
            cells.append(nbformat.v4.new_code_cell(source))
        if duplicate and grade_id == duplicate[0]:
            copy = nbformat.from_dict(json.loads(json.dumps(cell)))
            copy.source = duplicate[1]
            copy.id = "duplicate"
            cells.append(copy)
        if grade_id in (answers or {}):
            cell.source = answers[grade_id]
        cells.append(cell)
    nb.cells = cells
    for key, value in (metadata or {}).items():
        nb.metadata[key] = value
    path = Path(folder) / filename
    nbformat.write(nb, path)
    return path


def grade_cli(paths, assignment, tmp_path, *extra, timeout=900, home=None):
    """Run ``python -m logreg_grader grade``; returns (completed process, {file name: result}).

    ``home``: a folder to run the grader with as HOME (the tests' own home is private already:
    the repository's top conftest.py)."""
    jsonl = tmp_path / f"{assignment}-results.jsonl"
    env = dict(os.environ, HOME=str(home)) if home is not None else None
    command = [sys.executable, "-m", "logreg_grader", "grade", "--source", str(SOURCE)]
    if REFERENCE_CACHE is not None:
        command += ["--reference-cache", str(REFERENCE_CACHE)]
    command += ["--assignment", assignment, "--json", str(jsonl), *extra, *map(str, paths)]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env=env
    )
    results = {}
    if jsonl.exists():
        for line in jsonl.read_text().splitlines():
            record = json.loads(line)
            results[Path(record["submission"]).name] = record
    return done, results


def points(result):
    return {q["grade_id"]: q["points"] for q in result["questions"]}


def secret_lines():
    """Every substantial line of a solution, a hidden test, a reference answer or a probe that
    does not also appear in what the student may see (a visible check can share a line)."""
    lines = set()
    for name in ASSIGNMENTS:
        # The visible text as a whole, not line by line: a formatter splits a long call into
        # fragments ("assert np.allclose(") that a visible check may hold inside a longer line.
        visible = "\n".join(
            HIDDEN.sub("", SOLUTION.sub("", cell.source))
            for cell in instructor(name).cells
            if not is_written(cell)
        )
        for cell in instructor(name).cells:
            blocks = [m.group(0) for m in SOLUTION.finditer(cell.source)]
            blocks += [m.group(0) for m in HIDDEN.finditer(cell.source)]
            if is_written(cell):
                blocks.append(cell.source)
            if "probe" in cell.metadata.get(GRADER_KEY, {}):  # not the variant cell's marker
                blocks.append(cell.metadata[GRADER_KEY]["probe"])
            for block in blocks:
                lines |= {
                    ln.strip()
                    for ln in block.splitlines()
                    if len(ln.strip()) > 12 and ln.strip() not in visible
                }
    return lines


def processes_with(text):
    """The ids of the machine's processes (this one aside) whose command line holds ``text``:
    what a test looks for to see that nothing a submission started outlived grading."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(entry.name)
            except OSError:
                continue
    return found
