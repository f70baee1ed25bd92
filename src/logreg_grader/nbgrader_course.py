"""An nbgrader course folder for the book's homework.

``python -m logreg_grader.nbgrader_course COURSE`` writes, in the folder ``COURSE``:

- ``source/<name>/<name>.ipynb``: each instructor notebook of ``book/homework`` (refused if a
  grade id is on two cells: one such notebook stops nbgrader's autograde for the whole class);
- ``jupyter/share/jupyter/kernels/python3``: a ``python3`` kernel spec that starts this
  Python (the book's ``.venv``), written by ``python -m ipykernel install --prefix COURSE/jupyter
  --name python3``; nbgrader finds it with ``JUPYTER_PATH=COURSE/jupyter/share/jupyter``;
- ``nbgrader_config.py``: the course, and feedback that does not show hidden tests.

nbgrader 0.9.6 has no option that keeps hidden tests out of ``generate_feedback``: its feedback
converter runs ``GetGrades`` on the autograded notebook, in which autograde restored the hidden
tests, and renders it whole. The configuration therefore adds a preprocessor to the feedback
(``c.GenerateFeedback.preprocessors``) that removes each test cell's hidden part, as nbgrader's
own ``ClearHiddenTests`` does for the release, and replaces that cell's outputs, since the
traceback of a failed hidden assert quotes the hidden line. The cell's score still shows.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from .editions import check_grade_ids

__all__ = ["CONFIG", "write_course"]

CONFIG = '''\
"""nbgrader's configuration for the book's homework (python -m logreg_grader.nbgrader_course).

Run nbgrader with JUPYTER_PATH={jupyter_path}
so that its kernels are the book's Python (the python3 kernel spec there).
"""

from nbgrader.preprocessors import ClearHiddenTests

c = get_config()  # noqa: F821 (traitlets defines it when it reads this file)
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "logreg"


class HideHiddenTests(ClearHiddenTests):
    """Feedback without hidden tests: each test cell's hidden part is removed, and its outputs,
    which quote the hidden lines when a hidden assert fails, are replaced by a line that says so."""

    def preprocess_cell(self, cell, resources, index):
        if self._remove_hidden_test_region(cell):
            cell.outputs = [
                {{
                    "output_type": "stream",
                    "name": "stdout",
                    "text": "(This cell's output is not shown: it runs hidden tests.)\\n",
                }}
            ]
        return cell, resources


# nbgrader 0.9.6 has no option for this: its default list is GetGrades, CSSHTMLHeaderPreprocessor.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    HideHiddenTests,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''


def write_course(root, source_dir, python=sys.executable):
    """Write the course folder ``root``; returns the folder to put on ``JUPYTER_PATH``."""
    root, source_dir = Path(root).resolve(), Path(source_dir)
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {source_dir}; expected the instructor's homework")
    for path in notebooks:
        check_grade_ids(nbformat.read(path, as_version=4), path.name)
    for path in notebooks:
        folder = root / "source" / path.stem
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / path.name)
    prefix = root / "jupyter"
    done = subprocess.run(
        [python, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", "python3"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{python} -m ipykernel install failed (exit {done.returncode}); expected the book's "
            f"Python with ipykernel: {done.stderr.strip()[-500:]}"
        )
    jupyter_path = prefix / "share" / "jupyter"
    (root / "nbgrader_config.py").write_text(
        CONFIG.format(root=str(root), jupyter_path=jupyter_path), encoding="utf-8"
    )
    return jupyter_path


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m logreg_grader.nbgrader_course",
        description="Write an nbgrader course folder for the book's homework.",
    )
    parser.add_argument("course", help="the course folder to write (created if missing)")
    parser.add_argument("--source", default="book/homework", help="the instructor's notebooks")
    parser.add_argument(
        "--python", default=sys.executable, help="the Python of the kernels (it must have logreg)"
    )
    args = parser.parse_args(argv)
    try:
        jupyter_path = write_course(args.course, args.source, args.python)
    except (FileNotFoundError, ValueError) as exc:  # no notebooks, a duplicated grade id
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {Path(args.course).resolve()}; run nbgrader there with")
    print(f"export JUPYTER_PATH={jupyter_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
