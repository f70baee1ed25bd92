"""``python -m logreg_grader``: release the student edition, grade submissions.

    python -m logreg_grader release [--source DIR] [--dest DIR] [--instructor-html DIR]
    python -m logreg_grader grade --assignment NAME SUBMISSION.ipynb ... [--jobs N]
        [--json FILE] [--gradebook FILE] [--feedback DIR] [--written DIR]
        [--roster FILE | --student-pattern REGEX] [--timeout S] [--submission-timeout S]
        [--reference-cache DIR]

Standard output carries only the report; warnings go to standard error. The exit code is 0 when
every submission was graded (a submission of the wrong assignment, or a file that is not a
notebook, counts as graded: it is reported and scores 0), 1 when a submission could not be
graded for a reason of the grader or the machine, and 2 for a usage error.
"""

import argparse
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from .assignments import load_assignments
from .editions import instructor_html, release
from .grader import GraderError, Options, compute_reference, grade_submission
from .reference_cache import cached_reference
from .report import (
    JsonLines,
    StudentIds,
    format_result,
    write_feedback,
    write_gradebook,
    write_written,
)
from .sandbox import Limits, sandbox_mode

__all__ = ["main"]


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m logreg_grader", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="write the student edition")
    rel.add_argument("--source", default="book/homework", help="the instructor's notebooks")
    rel.add_argument("--dest", default="_build/homework/student")
    rel.add_argument("--instructor-html", help="also write the solutions as HTML into this folder")
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
        default=4096,
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


def _grade(args):
    try:
        assignments = load_assignments(args.source)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.assignment not in assignments:
        print(
            f"error: --assignment {args.assignment!r}; expected one of {', '.join(assignments)}",
            file=sys.stderr,
        )
        return 2
    if args.jobs < 1:
        print(
            f"error: --jobs must be at least 1 (expected a count of workers); received {args.jobs}",
            file=sys.stderr,
        )
        return 2
    students = StudentIds(args.roster, args.student_pattern)
    options = Options(
        cell_timeout=args.timeout,
        submission_timeout=args.submission_timeout,
        limits=Limits(memory_bytes=args.memory << 20, cpu_seconds=args.submission_timeout + 30),
        mode=_sandbox(args.sandbox),
    )
    assignment = assignments[args.assignment]
    start = time.monotonic()
    try:
        if args.reference_cache:
            reference, cached = cached_reference(assignment, options, args.reference_cache)
        else:
            reference, cached = compute_reference(assignment, options), False
    except GraderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"reference values from the instructor's {assignment.name}"
        + (f" (read from {args.reference_cache})" if cached else "")
        + f" in {time.monotonic() - start:.1f} s"
    )
    json_lines = JsonLines(args.json) if args.json else None
    results, start = [], time.monotonic()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [
            pool.submit(
                grade_submission, path, assignments, lambda a: reference, options, args.assignment
            )
            for path in args.submissions
        ]
        for future in as_completed(futures):
            result = future.result()
            result["student"] = students(result["submission"])
            results.append(result)
            print(format_result(result), flush=True)
            if json_lines:
                json_lines.write(result)
            if args.feedback:
                write_feedback(args.feedback, result)
    if json_lines:
        json_lines.close()
    if args.gradebook:
        write_gradebook(args.gradebook, results, assignment)
    if args.written:
        write_written(args.written, results, assignment)
    elapsed = time.monotonic() - start
    peak = _peak_memory_mb()
    print(
        f"graded {len(results)} submission(s) of {assignment.name} in {elapsed:.1f} s "
        f"({elapsed / max(len(results), 1):.1f} s each on average, --jobs {args.jobs}); "
        f"the grader's peak memory: {peak:.0f} MB"
    )
    return 1 if any(r["status"] == "grader-error" for r in results) else 0


def main(argv=None):
    args = _parser().parse_args(argv)
    if args.command == "release":
        for path in release(args.source, args.dest):
            print(f"wrote {path}")
        if args.instructor_html:
            for path in instructor_html(args.source, args.instructor_html):
                print(f"wrote {path}")
        return 0
    return _grade(args)


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
