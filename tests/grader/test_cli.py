"""logreg_grader.cli: the command line an instructor uses (grade, release, merge), its students'
names, its exit codes, file names that look like options, and Ctrl-C."""

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import _homework
import nbformat
import pytest
from _homework import (
    ASSIGNMENTS,
    SOURCE,
    all_solutions,
    grade_cli,
    instructor,
    processes_with,
    submission,
)

from logreg_grader.report import write_gradebook
from logreg_grader.written import write_written

GRADE = [sys.executable, "-m", "logreg_grader", "grade", "--source", str(SOURCE)]


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


def test_a_memory_limit_too_small_for_a_kernel_is_named(tmp_path):
    # No --reference-cache: the instructor's notebook itself runs, and cannot under 64 MB (the
    # whole submission's memory where a control group counts it, else per process).
    done = subprocess.run(
        [*GRADE, "--assignment", "hw3_sympy", "--memory", "64", "--", "x.ipynb"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]
    assert "raise --memory (now --memory 64" in done.stderr, done.stderr[-2000:]


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


# The usage errors below each run the command line's main() as ``python -m logreg_grader``
# does, all in one fresh interpreter (``refusals``): every start of one costs about 1.5 s of CPU
# (it imports the grader), and none of them grades anything.
RUNS = """
import contextlib, io, json, os, sys
from logreg_grader.cli import main


class Captured(io.StringIO):
    def fileno(self):  # main() registers faulthandler, which writes to the file descriptor
        return 2


out = []
for cwd, argv in json.loads(sys.argv[1]):
    os.chdir(cwd)
    stdout, stderr = Captured(), Captured()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    out.append({"code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()})
print(json.dumps(out))
"""
HW3 = ["grade", "--source", str(SOURCE), "--assignment", "hw3_sympy"]
USAGE = {
    "no such assignment": ["grade", "--source", str(SOURCE), "--assignment", "hw9", "x.ipynb"],
    "no jobs": ["grade", "--source", str(SOURCE), "--assignment", "hw1_gradient", "--jobs", "0",
                "x.ipynb"],
    # The bare glob: the name is taken as the option.
    "gradebook=bob.ipynb": [*HW3, "--gradebook=bob.ipynb", "bob.ipynb"],
    "json BOB.IPYNB": [*HW3, "--json", "BOB.IPYNB", "bob.ipynb"],
    "feedback x/../plain": [*HW3, "--feedback", "x/../plain", "plain", "bob.ipynb"],  # a submission
    "duplicate ids": [*HW3, "--", "a/x/hw3.ipynb", "b/x/hw3.ipynb"],
}  # fmt: skip
OUTPUT_PATHS = ["gradebook=bob.ipynb", "json BOB.IPYNB", "feedback x/../plain"]


@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """Each command line of ``USAGE`` run in one folder: its exit code, output and errors."""
    folder = tmp_path_factory.mktemp("usage")
    bob = submission(folder, "bob.ipynb", "hw3_sympy", {})
    (folder / "--gradebook=bob.ipynb").write_bytes(bob.read_bytes())
    (folder / "plain").write_text("not a notebook")
    for sub in ("a/x", "b/x"):  # the same file name in folders of the same name
        (folder / sub).mkdir(parents=True)
        submission(folder / sub, "hw3.ipynb", "hw3_sympy", {})
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    runs = [(str(folder), argv) for argv in USAGE.values()]
    done = subprocess.run(
        [sys.executable, "-c", RUNS, json.dumps(runs)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = dict(zip(USAGE, json.loads(done.stdout.splitlines()[-1]), strict=True))
    return folder, before, results


@pytest.mark.parametrize("case", ["no such assignment", "no jobs"])
def test_usage_errors_exit_with_two(refusals, case):
    done = refusals[2][case]
    assert done["code"] == 2 and "expected" in done["stderr"], done


@pytest.mark.parametrize("case", OUTPUT_PATHS)
def test_output_paths_that_are_notebooks_or_submissions_are_usage_errors(refusals, case):
    done = refusals[2][case]
    assert done["code"] == 2, done
    assert "is a notebook or one of the submissions; expected a new file" in done["stderr"], done
    assert "reference values" not in done["stdout"]  # refused before any grading


def test_refused_command_lines_leave_every_file_as_it_was(refusals):
    folder, before, _ = refusals
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before, sorted(set(after) ^ set(before))


def test_an_option_like_file_name_after_the_double_dash_is_a_refused_submission(tmp_path):
    bob = submission(tmp_path, "bob.ipynb", "hw3_sympy", all_solutions("hw3_sympy"))
    (tmp_path / "--gradebook=bob.ipynb").write_bytes(bob.read_bytes())
    digest = hashlib.sha256(bob.read_bytes()).hexdigest()
    names = sorted(p.name for p in tmp_path.glob("*.ipynb"))  # what the shell's *.ipynb gives
    assert names == ["--gradebook=bob.ipynb", "bob.ipynb"]
    done, results = grade_cli([], "hw3_sympy", tmp_path, "--gradebook", "book.csv", "--", *names)
    assert done.returncode == 0, done.stderr[-2000:]
    assert hashlib.sha256(bob.read_bytes()).hexdigest() == digest
    assert results["bob.ipynb"]["score"] == results["bob.ipynb"]["max_score"] > 0
    refused = results["--gradebook=bob.ipynb"]
    assert refused["status"] == "rejected" and "starts with '-'" in refused["notes"][0]
    with (tmp_path / "book.csv").open(newline="") as f:
        assert sorted(r["student"] for r in csv.DictReader(f)) == ["'--gradebook=bob", "bob"]


def test_duplicate_student_ids_stop_the_grader_before_any_grading(refusals):
    folder, _, results = refusals
    done = results["duplicate ids"]
    assert done["code"] == 2 and done["stdout"] == "", done
    assert "1 student id(s) belong to more than one submission (x: " in done["stderr"], done
    assert all(path in done["stderr"] for path in ("a/x/hw3.ipynb", "b/x/hw3.ipynb")), done


def test_merge_puts_the_written_points_into_the_total(tmp_path):
    assignment = instructor_assignment("hw3_sympy")
    results = [_graded(s, 3.0, assignment) for s in ("=evil", "ann")]
    write_gradebook(tmp_path / "book.csv", results, assignment)
    [*_, table, _] = write_written(tmp_path / "written", results, assignment)
    with table.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 * len(assignment.written) > 0
    for row in rows:
        row["points"] = row["max_points"] if row["student"] == "ann" else ""
    with table.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    merge = [sys.executable, "-m", "logreg_grader", "merge", "--gradebook", "book.csv"]
    merge += ["--written", str(table), "--out", "final.csv"]
    done = subprocess.run(merge, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"warning: {len(assignment.written)} written answer(s) have no points" in done.stderr
    with (tmp_path / "final.csv").open(newline="") as f:
        final = {r["student"]: r for r in csv.DictReader(f)}
    written = sum(assignment.written.values())
    assert float(final["ann"]["total"]) == 3.0 + written
    assert float(final["'=evil"]["total"]) == 3.0 and final["'=evil"]["written_ungraded"]
    rows[0]["points"] = "99"
    with table.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    done = subprocess.run(merge, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 2 and "points '99'" in done.stderr, done.stderr


def instructor_assignment(name):
    from logreg_grader.assignments import load_assignments

    return load_assignments(SOURCE)[name]


def _graded(student, score, assignment):
    return {
        "student": student,
        "submission": f"{student}.ipynb",
        "assignment": assignment.name,
        "status": "graded",
        "questions": [],
        "notes": [],
        "score": score,
        "max_score": assignment.max_score,
        "written": {g: f"my answer to {g}" for g in assignment.written},
    }


def test_ctrl_c_writes_what_was_graded_kills_the_sandboxes_and_exits_130(tmp_path):
    good = all_solutions("hw3_sympy")
    fast = submission(tmp_path, "fast.ipynb", "hw3_sympy", good)
    slow = submission(
        tmp_path, "slow.ipynb", "hw3_sympy", good, first=["import time\ntime.sleep(900)\n"]
    )
    scratch = tmp_path / "tmp"  # the grader's TMPDIR: its sandboxes' folders go here
    scratch.mkdir()
    jsonl = tmp_path / "results.jsonl"
    command = [*GRADE, "--assignment", "hw3_sympy", "--jobs", "2", "--timeout", "1000"]
    command += ["--submission-timeout", "1000", "--json", str(jsonl), "--gradebook", "book.csv"]
    command += ["--feedback", "fb", "--written", "written"]
    if _homework.REFERENCE_CACHE is not None:
        command += ["--reference-cache", str(_homework.REFERENCE_CACHE)]
    out = (tmp_path / "out.txt").open("w")
    grader = subprocess.Popen(
        [*command, "--", str(fast), str(slow)], stdout=out, stderr=subprocess.STDOUT,
        cwd=tmp_path, env=dict(os.environ, TMPDIR=str(scratch)),
        # As a shell's background job (or make's lanes) starts it: with SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        while not (jsonl.exists() and "fast.ipynb" in jsonl.read_text()):
            assert grader.poll() is None, (tmp_path / "out.txt").read_text()
            assert time.monotonic() < deadline, "the fast submission was not graded in 600 s"
            time.sleep(0.5)
        # The slow one is still running (its record, if any, says why it is not).
        assert "slow.ipynb" not in jsonl.read_text(), jsonl.read_text()
        assert processes_with(str(scratch)), "the slow submission's kernel is not running"
        grader.send_signal(signal.SIGINT)
        sent = time.monotonic()
        try:
            code = grader.wait(timeout=120)  # the slow cell alone would take 900 s
        except subprocess.TimeoutExpired:
            grader.send_signal(signal.SIGUSR1)  # faulthandler: where each thread waits
            time.sleep(3)
            out.flush()
            stuck = (tmp_path / "out.txt").read_text()[-6000:]
            raise AssertionError(f"no exit 120 s after SIGINT:\n{stuck}") from None
        print(f"exited {time.monotonic() - sent:.1f} s after SIGINT")
    finally:
        if grader.poll() is None:
            grader.kill()
            grader.wait()
        out.close()
    report = (tmp_path / "out.txt").read_text()
    assert code == 130, report
    assert "slow" in report and "not graded: interrupted" in report
    assert "Traceback" not in report
    with (tmp_path / "book.csv").open(newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert rows["fast"]["status"] == "graded" and float(rows["fast"]["score"]) > 0
    assert (rows["slow"]["status"], rows["slow"]["score"]) == ("not graded: interrupted", "")
    assert sorted(p.name for p in (tmp_path / "fb").iterdir()) == ["fast.md"]
    with (tmp_path / "written" / "hw3_sympy_written.csv").open(newline="") as f:
        assert {r["student"] for r in csv.DictReader(f)} == {"fast"}
    records = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [r["status"] for r in records] == ["graded", "not graded: interrupted"]
    assert list(scratch.iterdir()) == []  # no sandbox folder, no student notebook left
    assert processes_with(str(scratch)) == []  # no kernel left
