"""nbgrader 0.9.6 (in .venv-nbgrader; ``make test`` creates it from requirements-nbgrader.txt)
run on a course folder that ``python -m logreg_grader.nbgrader_course`` writes: the instructor
notebooks under source/, a ``python3`` kernel spec that starts the book's Python (on
``JUPYTER_PATH``) and nbgrader_config.py.

Each nbgrader command costs a start-up of about 2.5 s of CPU (its imports) before it does any
work, so the tests run each command once for all six assignments (nbgrader takes several
notebooks, or the assignment ``*``) and read each assignment's part of the output.
"""

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

from logreg_grader.editions import HIDDEN, nbgrader_meta

NBGRADER = ROOT / ".venv-nbgrader" / "bin" / "nbgrader"


def make_course(tmp_path_factory):
    """A course folder and the environment nbgrader runs in: (root, env)."""
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


def run(course, *args):
    """``nbgrader ARGS`` in the course folder: (exit status, its output)."""
    root, env = course
    # One stream, unbuffered: nbgrader logs to stderr and prints its verdicts to stdout, and
    # by_notebook reads them in the order they came.
    done = subprocess.run(
        [str(NBGRADER), *args],
        cwd=root,
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )
    return done.returncode, done.stdout


def nbgrader(course, *args, fails=False):
    status, out = run(course, *args)
    if fails:
        assert status != 0, f"nbgrader {' '.join(args)} passed:\n{out[-2000:]}"
    else:
        assert status == 0, f"nbgrader {' '.join(args)}:\n{out[-6000:]}"
    return out


def by_notebook(out):
    """nbgrader validate's output for several notebooks, cut at its "Validating 'PATH'" lines:
    file name -> that notebook's part. A notebook nbgrader never reached has no part."""
    parts = re.split(r"^.*Validating '([^']+)'.*$", out, flags=re.M)
    return {Path(path).name: text for path, text in zip(parts[1::2], parts[2::2], strict=True)}


def part(parts, filename, out):
    assert filename in parts, (
        f"nbgrader validate never reached {filename}; the end of its output:\n{out[-3000:]}"
    )
    return parts[filename]


def filled_in(released, name):
    """The released notebook with the instructor's answers in its answer cells."""
    nb = nbformat.read(released, as_version=4)
    answers = all_solutions(name)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") in answers:
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
    return nb


def duplicated_grade_id(nb, grade_id="hw1_q2_answer"):
    """``nb`` with the answer cell ``grade_id`` twice, as JupyterLab's Split Cell leaves it;
    returns the index of the first copy."""
    i = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id)
    twin = nbformat.from_dict(json.loads(json.dumps(nb.cells[i])))
    twin.id = "twin"
    nb.cells.insert(i + 1, twin)
    return i


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
