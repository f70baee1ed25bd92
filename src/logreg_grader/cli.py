"""``python -m logreg_grader``: release the student edition, grade submissions, merge points.

    python -m logreg_grader release [--source DIR] [--dest DIR] [--instructor-html DIR]
        [--roster FILE --seed TERM --key-file KEY]
    python -m logreg_grader grade --assignment NAME [--jobs N]
        [--json FILE] [--gradebook FILE] [--feedback DIR] [--written DIR]
        [--roster FILE | --student-pattern REGEX] [--timeout S] [--submission-timeout S]
        [--reference-cache DIR] [--key-file KEY] -- SUBMISSION.ipynb ...
    python -m logreg_grader merge --gradebook FILE --written FILE --out FILE

Put the submissions after ``--``: a file named like an option (``--gradebook=bob.ipynb``) is
then a submission, which the grader refuses, never an option. Standard output carries only the
report; warnings go to standard error. The exit code is 0 when every submission was graded (a
submission of the wrong assignment, or a file that is not a notebook, counts as graded: it is
reported and scores 0), 1 when a submission could not be graded for a reason of the grader or
the machine, 2 for a usage error (duplicate student ids included) and 130 when interrupted
(Ctrl-C: what was graded is written, the rest is listed as not graded).
"""

import argparse
import faulthandler
import os
import resource
import signal
import sys
import time
from pathlib import Path

from .assignments import load_assignments
from .batch import INTERRUPTED, run_batch, stop_sandboxes
from .editions import instructor_html, release
from .grader import GraderError, Options, compute_reference, grade_submission
from .identity import IdentityError, StudentIds, assign_ids, file_names
from .reference_cache import cached_reference
from .report import JsonLines, format_result, write_feedback, write_gradebook
from .sandbox import Limits, sandbox_mode
from .text import printable
from .variants import read_key, variant_grader
from .written import MergeError, merge_written, write_written

__all__ = ["main"]

DEFAULT_MEMORY_MB = 4096


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m logreg_grader", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="write the student edition")
    rel.add_argument("--source", default="book/homework", help="the instructor's notebooks")
    rel.add_argument("--dest", default="_build/homework/student")
    rel.add_argument("--instructor-html", help="also write the solutions as HTML into this folder")
    rel.add_argument(
        "--roster",
        help="CSV with a column 'student': write DEST/<student>/<name>.ipynb for each student, a "
        "signed variant where the notebook has a variant cell (needs --seed and --key-file)",
    )
    rel.add_argument("--seed", metavar="TERM", help="the term, e.g. 2027-spring (new seeds)")
    rel.add_argument(
        "--key-file", help="the course's secret key (never in a notebook; keep it for grading)"
    )
    gr = sub.add_parser("grade", help="grade submissions")
    gr.add_argument("submissions", nargs="+")
    gr.add_argument(
        "--assignment", required=True, help="the assignment being graded, e.g. hw1_gradient"
    )
    gr.add_argument("--source", default="book/homework", help="the instructor's notebooks")
    gr.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    gr.add_argument("--timeout", type=float, default=30.0, help="seconds per cell")
    gr.add_argument(
        "--submission-timeout", type=float, default=300.0, help="seconds per submission"
    )
    gr.add_argument(
        "--memory",
        type=int,
        default=DEFAULT_MEMORY_MB,
        help="MB of memory per submission: its kernel, every child and the files in its /tmp, "
        "where a control group enforces it (the grader warns if not: then per process)",
    )
    gr.add_argument("--sandbox", choices=["auto", "bwrap", "none"], default="auto")
    gr.add_argument("--json", help="write one JSON line per submission as it finishes")
    gr.add_argument("--gradebook", help="write a CSV, one row per student, one column per question")
    gr.add_argument("--feedback", help="write one Markdown feedback file per student here")
    gr.add_argument("--written", help="write the written answers here, for grading by hand")
    gr.add_argument("--roster", help="CSV with columns file,student")
    gr.add_argument("--student-pattern", help="regex with a group 'student', searched in the path")
    gr.add_argument(
        "--reference-cache",
        help="keep the instructor's reference values in this folder and reuse them while the "
        "notebook and the code are unchanged (a folder students cannot write to)",
    )
    gr.add_argument(
        "--key-file",
        help="the key the notebooks were released with: verify each per-student variant and "
        "grade it against its own reference",
    )
    mg = sub.add_parser("merge", help="add the hand-graded written points to a gradebook")
    mg.add_argument("--gradebook", required=True, help="the CSV that grade wrote")
    mg.add_argument(
        "--written", required=True, help="<assignment>_written.csv with its points filled in"
    )
    mg.add_argument("--out", required=True, help="the gradebook with written points and totals")
    return parser


def _sandbox(choice):
    mode, why = sandbox_mode()
    if choice == "bwrap" and mode != "bwrap":
        raise SystemExit(f"error: --sandbox bwrap, but {why}")
    if choice == "none" or mode == "none":
        print(
            "WARNING: grading without a sandbox ("
            + (why if mode == "none" else "--sandbox none")
            + "): a submission runs with your permissions and can read your files and other "
            "submissions. Install bubblewrap to grade safely.",
            file=sys.stderr,
        )
        return "none"
    return "bwrap"


def _usage(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


def _check_outputs(args, submissions):
    """A usage error (as a message) if an output path is a notebook or one of the submissions:
    a file named ``--gradebook=bob.ipynb`` must never make the grader write over bob's file."""
    inputs = {os.path.realpath(p) for p in submissions}
    for option in ("json", "gradebook", "feedback", "written"):
        value = getattr(args, option)
        if value is None:
            continue
        if value.lower().endswith(".ipynb") or os.path.realpath(value) in inputs:
            return (
                f"--{option} {printable(value, 200)!r} is a notebook or one of the submissions; "
                "expected a new file or folder for the grader's output (put the submissions "
                "after '--')"
            )
    return None


def _grade(args):
    # As grade_submission names them (str of a Path), once each: a glob may list a file twice.
    submissions = list(dict.fromkeys(str(Path(p)) for p in args.submissions if p != "--"))
    try:
        assignments = load_assignments(args.source)
    except (FileNotFoundError, ValueError) as exc:
        return _usage(exc)
    if args.assignment not in assignments:
        return _usage(f"--assignment {args.assignment!r}; expected one of {', '.join(assignments)}")
    if args.jobs < 1:
        return _usage(
            f"--jobs must be at least 1 (expected a count of workers); received {args.jobs}"
        )
    problem = _check_outputs(args, submissions)
    if problem:
        return _usage(problem)
    try:
        ids = assign_ids(submissions, StudentIds(args.roster, args.student_pattern))
    except (IdentityError, ValueError, OSError) as exc:
        return _usage(exc)
    stems = file_names(ids.values())
    options = Options(
        cell_timeout=args.timeout,
        submission_timeout=args.submission_timeout,
        limits=Limits(memory_bytes=args.memory << 20, cpu_seconds=args.submission_timeout + 30),
        mode=_sandbox(args.sandbox),
    )
    assignment = assignments[args.assignment]
    # Per-student variants (variants.py): each submission's signed seed is verified against the
    # student it is assigned to, and graded against the reference of its own variant.
    try:
        grade = variant_grader(
            args.key_file, lambda path: ids[str(Path(path))], options, args.reference_cache,
            grade_submission,
        )  # fmt: skip
    except ValueError as exc:
        return _usage(exc)
    start = time.monotonic()
    try:
        if args.reference_cache:
            reference, cached = cached_reference(assignment, options, args.reference_cache)
        else:
            reference, cached = compute_reference(assignment, options), False
    except GraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        stop_sandboxes(lambda: True)
        print("interrupted while computing the reference values: nothing graded", file=sys.stderr)
        return 130
    print(
        f"reference values from the instructor's {assignment.name}"
        + (f" (read from {args.reference_cache})" if cached else "")
        + f" in {time.monotonic() - start:.1f} s"
    )
    json_lines = JsonLines(args.json) if args.json else None

    def grade_one(path):
        return grade(path, assignments, lambda a: reference, options, args.assignment)

    def on_result(result):
        result["student"] = ids[result["submission"]]
        print(format_result(result), flush=True)
        if json_lines:
            json_lines.write(result)
        if args.feedback:
            write_feedback(args.feedback, result, stems[result["student"]])

    start = time.monotonic()
    results, interrupted, ended = run_batch(submissions, grade_one, args.jobs, on_result)
    elapsed = time.monotonic() - start
    if interrupted:
        graded = {r["submission"] for r in results}
        for path in (p for p in submissions if p not in graded):
            result = _not_graded(path, ids[path], assignment)
            results.append(result)
            print(f"{printable(ids[path], 120)}  {printable(path, 300)}  {INTERRUPTED}")
            if json_lines:
                json_lines.write(result)
    if json_lines:
        json_lines.close()
    if args.gradebook:
        write_gradebook(args.gradebook, results, assignment)
    if args.written:
        write_written(args.written, results, assignment)
    count = sum(r["status"] != INTERRUPTED for r in results)
    print(
        f"graded {count} submission(s) of {assignment.name} in {elapsed:.1f} s "
        f"({elapsed / max(count, 1):.1f} s each on average, --jobs {args.jobs}); "
        f"the grader's peak memory: {_peak_memory_mb():.0f} MB",
        flush=True,
    )
    if interrupted:
        print(f"interrupted: {len(results) - count} submission(s) not graded", file=sys.stderr)
        if not ended:
            # A worker still waits on something that no kill ends; its sandbox is gone, and
            # the interpreter would join the thread before exiting.
            sys.stderr.flush()
            os._exit(130)
        return 130
    return 1 if any(r["status"] == "grader-error" for r in results) else 0


def _not_graded(path, student, assignment):
    return {
        "submission": path,
        "student": student,
        "assignment": assignment.name,
        "status": INTERRUPTED,
        "score": None,
        "max_score": assignment.max_score,
        "questions": [],
        "notes": [],
        "details": [],
        "written": {},
    }


def _merge(args):
    if args.out.lower().endswith(".ipynb"):
        return _usage(f"--out {args.out!r} is a notebook; expected a CSV file")
    try:
        ungraded = merge_written(args.gradebook, args.written, args.out)
    except (MergeError, OSError) as exc:
        return _usage(exc)
    print(f"wrote {args.out}: the gradebook with the written points and the total")
    if ungraded:
        listed = ", ".join(f"{printable(s, 60)} {printable(q, 60)}" for s, q in ungraded[:20])
        more = f" and {len(ungraded) - 20} more" if len(ungraded) > 20 else ""
        print(
            f"warning: {len(ungraded)} written answer(s) have no points yet ({listed}{more}); "
            "their total counts them as 0 (column written_ungraded)",
            file=sys.stderr,
        )
    return 0


def main(argv=None):
    # `kill -USR1 <pid>` prints where every thread of a grader waits (a batch that seems stuck).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    args = _parser().parse_args(argv)
    if args.command == "release":
        return _release(args)
    if args.command == "merge":
        return _merge(args)
    # A command started in the background by a shell without job control (make's lanes, `cmd &`
    # in a script) inherits SIGINT ignored, and Python then never raises KeyboardInterrupt: the
    # instructor's Ctrl-C or `kill -INT` would do nothing. Grading always stops on SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _grade(args)
    except KeyboardInterrupt:  # before or after the batch: nothing of a submission is lost
        stop_sandboxes(lambda: True)
        print("interrupted", file=sys.stderr)
        return 130


def _release(args):
    options = {"--roster": args.roster, "--seed": args.seed, "--key-file": args.key_file}
    given = [name for name, value in options.items() if value]
    if given and len(given) < 3:
        print(
            "error: a release per student needs --roster, --seed and --key-file together; "
            f"received only {', '.join(given)}",
            file=sys.stderr,
        )
        return 2
    try:
        if args.roster:
            paths = release(args.source, args.dest, args.roster, args.seed, read_key(args.key_file))
            students = {p.parent for p in paths}
            print(f"wrote {len(paths)} notebooks for {len(students)} students into {args.dest}")
        else:
            for path in release(args.source, args.dest):
                print(f"wrote {path}")
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.instructor_html:
        for path in instructor_html(args.source, args.instructor_html):
            print(f"wrote {path}")
    return 0


def _peak_memory_mb():
    """The grader's own peak resident memory. Linux's ``ru_maxrss`` keeps the peak of the process
    that started the grader (it survives fork and exec), so the kernel's VmHWM is read instead."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
