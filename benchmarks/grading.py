"""How long the grader takes for a class: 20 submissions of one assignment, ``--jobs 2``.

    .venv/bin/python benchmarks/grading.py [--assignment hw2_training] [--count 20] [--jobs 2]

Builds the submissions from the student edition (a third with every answer right, a third with
the first question only, a third untouched), grades them with ``python -m logreg_grader grade``
in a temporary folder, and prints the time per submission (the grader's own count, without the
reference values it computes once per run) and the projection for a class of 200. Target: at
most 10 s per submission on average on a 2-core machine, so 200 fit in 30 minutes.
"""

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from logreg_grader.editions import SOLUTION, is_answer, nbgrader_meta, student_edition

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "book" / "homework"


def _solutions(nb):
    strip = lambda m: "".join(  # noqa: E731
        line + "\n" for line in m.group(0).splitlines() if "### " not in line
    )
    return {
        nbgrader_meta(c)["grade_id"]: SOLUTION.sub(strip, c.source)
        for c in nb.cells
        if is_answer(c)
    }


def build(folder, assignment, count):
    instructor = nbformat.read(SOURCE / f"{assignment}.ipynb", as_version=4)
    answers = _solutions(instructor)
    first = sorted(answers)[0]
    paths = []
    for i in range(count):
        nb = student_edition(instructor)
        chosen = answers if i % 3 == 0 else ({first: answers[first]} if i % 3 == 1 else {})
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") in chosen:
                cell.source = chosen[nbgrader_meta(cell)["grade_id"]]
        path = Path(folder) / f"student{i:03d}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="hw2_training")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = build(folder, args.assignment, args.count)
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "logreg_grader", "grade", "--source", str(SOURCE),
             "--assignment", args.assignment, "--jobs", str(args.jobs), "--", *map(str, paths)],
            capture_output=True, text=True, cwd=folder,
        )  # fmt: skip
        elapsed = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"grading failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    summary = done.stdout.strip().splitlines()[-1]
    # "graded N submission(s) of NAME in T s (...)": the submissions alone, without the
    # reference values (computed once per run, whatever the class size).
    match = re.match(r"graded (\d+) submission\(s\) of \S+ in ([\d.]+) s", summary)
    if not match or int(match.group(1)) != args.count:
        sys.exit(f"unexpected summary line from the grader: {summary!r}")
    per = float(match.group(2)) / args.count
    reference = elapsed - float(match.group(2))
    class_minutes = (reference + 200 * per) / 60
    print(summary)
    print(
        f"{args.count} submissions of {args.assignment}, --jobs {args.jobs}: {elapsed:.1f} s "
        f"in all ({reference:.1f} s for start-up and the reference values), {per:.2f} s per "
        f"submission (target <= 10 s: {'met' if per <= 10 else 'MISSED'}); a class of 200: "
        f"about {class_minutes:.1f} minutes (target < 30: "
        f"{'met' if class_minutes < 30 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
