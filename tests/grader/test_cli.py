"""logreg_grader.cli: the command line an instructor uses (grade, release), its students' names
and its exit codes."""

import csv
import shutil
import subprocess
import sys

import nbformat
from _homework import ASSIGNMENTS, SOURCE, all_solutions, grade_cli, instructor, submission


def test_students_from_a_roster_or_a_pattern(tmp_path):
    good = all_solutions("hw3_sympy")
    (tmp_path / "alice").mkdir()
    a = submission(tmp_path / "alice", "hw3.ipynb", "hw3_sympy", good)
    b = submission(tmp_path, "upload_7.ipynb", "hw3_sympy", good)
    roster = tmp_path / "roster.csv"
    roster.write_text("file,student\nupload_7.ipynb,bob\n")
    done, results = grade_cli(
        [a, b], "hw3_sympy", tmp_path, "--roster", str(roster),
        "--student-pattern", r"/(?P<student>[a-z]+)/hw3\.ipynb$", "--gradebook", "book.csv",
    )  # fmt: skip
    with (tmp_path / "book.csv").open() as f:
        students = {r["student"] for r in csv.DictReader(f)}
    assert students == {"alice", "bob"}, done.stdout


def test_a_grader_failure_sets_the_exit_code(tmp_path):
    # An instructor notebook whose own solution breaks its rules: nothing can be graded fairly.
    source = tmp_path / "source"
    source.mkdir()
    nb = instructor("hw3_sympy")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "hw3_q2_answer":
            cell.source = "w_hat = w1 - w2 + 0 * x\n"
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "hw3_q2":
            cell.source = "pass\n"
            cell.metadata["logreg_homework"]["rules"] = [
                {"kind": "accuracy", "weights": "w_hat", "intercepts": "w_hat", "inputs": "w_hat",
                 "labels": "w_hat", "min": 1}
            ]  # fmt: skip
    nbformat.write(nb, source / "hw3_sympy.ipynb")
    done = subprocess.run(
        [sys.executable, "-m", "logreg_grader", "grade", "--source", str(source), "--assignment",
         "hw3_sympy", str(source / "hw3_sympy.ipynb")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1 and "instructor" in done.stderr, done.stderr


def test_usage_errors_exit_with_two(tmp_path):
    for args in (["--assignment", "hw9"], ["--assignment", "hw1_gradient", "--jobs", "0"]):
        command = [sys.executable, "-m", "logreg_grader", "grade", "--source", str(SOURCE)]
        done = subprocess.run([*command, *args, "x.ipynb"], capture_output=True, text=True)
        assert done.returncode == 2 and "expected" in done.stderr, done.stderr


def test_the_released_edition_is_what_make_homework_writes(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "logreg_grader", "release", "--source", str(SOURCE), "--dest",
         str(tmp_path / "student")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sorted(p.name for p in (tmp_path / "student").glob("*.ipynb")) == [
        f"{n}.ipynb" for n in ASSIGNMENTS
    ]
    assert done.stdout.count("wrote") == len(ASSIGNMENTS)
    shutil.rmtree(tmp_path / "student")
