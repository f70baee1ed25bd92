"""Grading one submission, and the instructor's reference values it is compared with.

For each submission the grader assembles the instructor's notebook with the student's answers
(``assemble``), runs it cell by cell in a fresh sandboxed kernel (``sandbox``, ``kernel``), and
after each test cell's visible part runs the test's probe, whose values come back over the
kernel's messages (``probes``). The instructor's notebook is run the same way once per
assignment to produce the reference values. A test earns its points when its visible part and
its probe both finished with status "ok" and every rule holds on the sent values (``rules``),
checked by a sandboxed worker (``checker``): the grader's own process never decodes them.

A result carries two views of what happened: ``notes`` and each question's ``reason`` are what
the student may read (an exception's message at most as one short escaped line, at most
``MAX_NOTES`` notes); ``details`` and each question's ``detail`` keep the full text, escaped, for
the instructor. Anything that goes wrong while grading one submission becomes that
submission's "grader-error" record, never an exception for the batch.
"""

import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .assemble import assemble
from .assignments import SubmissionError, identify, read_submission
from .checker import CheckerError, check
from .kernel import SandboxedKernel
from .probes import Budget, Collector, probe_code
from .sandbox import Limits, Sandbox, sandbox_mode
from .text import printable, short_line

__all__ = ["GraderError", "Options", "compute_reference", "grade_submission"]

MAX_NOTES = 20  # notes a student reads; more are counted, not listed
MAX_DETAILS = 200  # lines of the instructor's details per submission
DETAIL_CHARS = 2000  # characters of one detail line
HINT_CHARS = 240  # a visible check's message: the instructor's hint, one line


class GraderError(RuntimeError):
    """Grading failed for a reason of the grader or the machine, not of the submission."""


@dataclass
class Options:
    cell_timeout: float = 30.0
    submission_timeout: float = 300.0
    limits: Limits = field(default_factory=Limits)
    python: str = sys.executable  # the interpreter of the kernels (it must have logreg)
    mode: str = None  # "bwrap" or "none"; None: whatever the machine offers


@dataclass
class _Log:
    notes: list = field(default_factory=list)  # for the student
    details: list = field(default_factory=list)  # for the instructor

    def add(self, note, detail=None):
        self.notes.append(note)
        self.details.append(printable(detail if detail is not None else note, DETAIL_CHARS))


def _capped(lines, limit):
    if len(lines) <= limit:
        return list(lines)
    return lines[:limit] + [f"and {len(lines) - limit} more"]


def _error_line(ename, evalue, limit=None):
    """``Type: message`` as a student may read it: one escaped line, cut."""
    name = short_line(ename, 60) or "an error"
    message = short_line(evalue, limit) if limit else short_line(evalue)
    return f"{name}: {message}" if message else name


def _start(kernel, sandbox, options):
    try:
        kernel.start()
    except Exception as exc:
        mb = options.limits.memory_bytes >> 20
        errors = kernel.startup_errors().strip()
        # Name --memory only when memory is what stopped it: the memory limit killed a process,
        # or the kernel's own error output says so.
        memory = getattr(sandbox, "memory_kills", lambda: 0)() > 0 or "MemoryError" in errors
        hint = (
            f" The kernel ran out of memory: raise --memory (now --memory {mb}, e.g. "
            f"--memory {max(2 * mb, 1024)})"
            if memory
            else ""
        )
        raise GraderError(
            f"could not start a kernel ({sandbox.mode}) with a memory limit of {mb} MB: "
            f"{type(exc).__name__}: {printable(exc, 500)}; its error output: "
            f"{printable(errors, 2000) or '(none)'}.{hint}"
        ) from None


def _stopped(log, sandbox, options, step, status, instructor_only):
    """Note a kernel that died during ``step``. A death the memory limit caused while only the
    instructor's set-up cells had run is the grader's: ``--memory`` is too small for them."""
    # memory_kills() comes with the control groups of the sandbox (branch limits); without a
    # control group nothing counts the kills, and the note gives the status alone.
    kills = getattr(sandbox, "memory_kills", lambda: 0)()
    if not kills:
        log.add(f"the kernel stopped during {step.label} ({status})")
        return
    mb = options.limits.memory_bytes >> 20
    if instructor_only:
        raise GraderError(
            f"the kernel ran out of its memory limit of {mb} MB during the instructor's "
            f"{step.label}, before any cell of the submission ran: raise --memory (now "
            f"--memory {mb}, e.g. --memory {max(2 * mb, 1024)})"
        )
    log.add(f"the kernel ran out of its memory limit ({mb} MB) during {step.label}")


def _run(assignment, submission_nb, options, label):
    """Run the assembled notebook; returns (assembled, per-test record, log)."""
    assembled = assemble(assignment, submission_nb)
    sandbox = Sandbox(options.limits, options.mode or sandbox_mode()[0], label)
    log = _Log()
    for note in assembled.notes:
        log.add(printable(note, 300), note)
    records, start, budget = {}, time.monotonic(), Budget()
    instructor_only = True  # no cell of the student's has run yet
    try:
        nbformat.write(submission_nb, sandbox.work / f"{assignment.name}.ipynb")  # nothing else
        kernel = SandboxedKernel(sandbox, options.python)
        try:
            _start(kernel, sandbox, options)
            for step in assembled.steps:
                left = options.submission_timeout - (time.monotonic() - start)
                if left <= 0 and kernel.alive():
                    kernel.kill()
                    log.add(f"the submission ran out of its {options.submission_timeout:g} s")
                timeout = max(min(options.cell_timeout, left), 0.1)
                result = kernel.run(step.source, timeout)
                if step.kind == "code":
                    if result.status != "ok" and kernel.alive():
                        # The student's own cells: the type only (they can run them to read
                        # the message; a message is a channel out of the sandbox). Answers and
                        # set-up cells: the type and one short line.
                        if not result.ename:
                            shown = ""
                        elif step.label.startswith("your cell"):
                            shown = short_line(result.ename, 60)
                        else:
                            shown = _error_line(result.ename, result.evalue)
                        full = f"{result.ename}: {result.evalue}" if result.ename else ""
                        log.add(
                            f"{step.label} stopped with {shown or result.status}",
                            f"{step.label} stopped with {full or result.status}",
                        )
                    elif result.status != "ok":
                        _stopped(log, sandbox, options, step, result.status, instructor_only)
                    instructor_only = instructor_only and step.label.startswith("set-up")
                    continue
                collector = Collector(budget)
                probe = None
                if kernel.alive():
                    probe = kernel.run(probe_code(step.test.probe), timeout, collector)
                records[step.test.grade_id] = {
                    "visible": result,
                    "probe": probe,
                    "values": collector.values(),
                }
        finally:
            kernel.stop()
    finally:
        sandbox.cleanup()
    return assembled, records, log


def _failure(record):
    """Why a test cannot count, before its values are compared, as (reason for the student,
    detail for the instructor); None if it can."""
    visible, probe = record["visible"], record["probe"]
    if visible.status == "error":
        return (
            "the visible check failed: " + _error_line(visible.ename, visible.evalue, HINT_CHARS),
            f"the visible check failed: {visible.ename}: {visible.evalue}",
        )
    if visible.status != "ok":
        why = "the visible check did not finish (" + "; ".join(visible.notes or [visible.status])
        return why + ")", ""
    if probe is None or probe.status == "dead":
        return "the kernel stopped before this question could be checked", ""
    if probe.status == "error":
        return (
            "evaluating your answer raised " + _error_line(probe.ename, probe.evalue),
            f"evaluating your answer raised {probe.ename}: {probe.evalue}",
        )
    if probe.status != "ok":
        why = "evaluating your answer did not finish (" + "; ".join(probe.notes or [probe.status])
        return why + ")", ""
    return None


def _rules(assignment):
    return {t.grade_id: t.rules for t in assignment.tests}


def compute_reference(assignment, options):
    """The values the instructor's own notebook sends (grade id -> name -> JSON text, as the
    probe encoded them), checked against its own rules by the checker."""
    _, records, log = _run(assignment, assignment.notebook, options, "reference")
    values = {}
    for test in assignment.tests:
        record = records.get(test.grade_id)
        why = _failure(record) if record else ("it did not run", "")
        if why:
            raise GraderError(
                f"{assignment.name}: the instructor's {test.grade_id} fails: "
                f"{printable(why[1] or why[0], 2000)}; {log.details}"
            )
        values[test.grade_id] = record["values"]
    try:
        outcome = check(_rules(assignment), values, values, options, "reference")
    except CheckerError as exc:
        raise GraderError(
            f"{assignment.name}: the checker failed on the instructor's values: "
            f"{printable(exc, 2000)}"
        ) from None
    bad = {g: why for g, (ok, why) in outcome.items() if not ok}
    if bad:
        raise GraderError(
            f"{assignment.name}: the instructor's solution breaks its own rules: {bad}"
        )
    return values


def grade_submission(path, assignments, references, options, expected=None):
    """Grade one submitted notebook; returns a plain dict (JSON-ready). Never raises: whatever
    goes wrong becomes this submission's "grader-error" record."""
    path = Path(path)
    result = {
        "submission": str(path),
        "assignment": expected,
        "status": "graded",
        "score": 0.0,
        "max_score": 0.0,
        "questions": [],
        "notes": [],
        "details": [],
        "written": {},
        "written_points": 0.0,
        "seconds": 0.0,
    }
    start = time.monotonic()
    try:
        if expected:
            result["max_score"] = assignments[expected].max_score
        _grade(path, assignments, references, options, expected, result)
    except Exception as exc:  # the grader's or the machine's fault: this submission's alone
        result["status"], result["score"], result["questions"] = "grader-error", 0.0, []
        result["notes"] = [
            f"the grader could not grade this submission ({short_line(type(exc).__name__)}); "
            "your instructor has the details"
        ]
        trace = traceback.format_exception_only(type(exc), exc)[-1].strip()
        result["details"] = [printable(trace, DETAIL_CHARS)]
    result["seconds"] = round(time.monotonic() - start, 2)
    return result


def _grade(path, assignments, references, options, expected, result):
    try:
        nb = read_submission(path)
        assignment = identify(nb, assignments, expected)
    except SubmissionError as exc:
        result["status"] = "rejected"
        result["notes"], result["details"] = [printable(exc, 300)], [printable(exc, DETAIL_CHARS)]
        return
    except OSError as exc:
        result["status"] = "grader-error"
        result["notes"] = [f"the file could not be read ({short_line(type(exc).__name__)})"]
        result["details"] = [printable(f"cannot read the file: {exc}", DETAIL_CHARS)]
        return
    result["assignment"], result["max_score"] = assignment.name, assignment.max_score
    result["written_points"] = sum(assignment.written.values())
    try:
        assembled, records, log = _run(assignment, nb, options, path.name)
        reference = references(assignment)
    except GraderError as exc:
        result["status"] = "grader-error"
        result["notes"] = [
            "the grader could not run this submission; your instructor has the details"
        ]
        result["details"] = [printable(exc, DETAIL_CHARS)]
        return
    result["written"] = {g: assembled.written.get(g, "") for g in assignment.written}
    verdicts = {}
    for test in assignment.tests:
        record = records.get(test.grade_id)
        why = _failure(record) if record else ("it was not reached", "")
        if why:
            verdicts[test.grade_id] = (False, why[0], why[1])
    checkable = {t.grade_id: t.rules for t in assignment.tests if t.grade_id not in verdicts}
    if checkable:
        student = {g: records[g]["values"] for g in checkable}
        try:
            outcome = check(checkable, student, reference, options, path.name)
        except CheckerError as exc:
            log.add(
                f"your answers could not be checked: {exc.why}",
                f"the checker failed: {exc}",
            )
            outcome = {g: (False, f"it could not be checked: {exc.why}") for g in checkable}
        for grade_id, (ok, why) in outcome.items():
            verdicts[grade_id] = (ok, short_line(why, 200), why)
    for test in assignment.tests:
        ok, reason, detail = verdicts.get(test.grade_id, (False, "it was not checked", ""))
        earned = test.points if ok else 0.0
        result["questions"].append(
            {
                "grade_id": test.grade_id,
                "points": earned,
                "max_points": test.points,
                "reason": "" if ok else reason,
                "detail": "" if ok else printable(detail, DETAIL_CHARS),
            }
        )
        result["score"] += earned
    result["notes"] = _capped(log.notes, MAX_NOTES)
    result["details"] = _capped(log.details, MAX_DETAILS)
