"""Grading one submission, and the instructor's reference values it is compared with.

For each submission the grader assembles the instructor's notebook with the student's answers
(``assemble``), runs it cell by cell in a fresh sandboxed kernel (``sandbox``, ``kernel``), and
after each test cell's visible part runs the test's probe, which emits the values to compare
(``probes``). The instructor's notebook is run the same way once per assignment to produce the
reference values. A test earns its points when its visible part and its probe both finished
with status "ok" and every rule holds on the emitted values (``rules``), checked in the
grader's own process.
"""

import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .assemble import assemble
from .assignments import SubmissionError, identify, read_submission
from .kernel import SandboxedKernel
from .probes import load_values, probe_code
from .rules import evaluate_rules
from .sandbox import Limits, Sandbox, sandbox_mode

__all__ = ["GraderError", "Options", "compute_reference", "grade_submission"]


class GraderError(RuntimeError):
    """Grading failed for a reason of the grader or the machine, not of the submission."""


@dataclass
class Options:
    cell_timeout: float = 30.0
    submission_timeout: float = 300.0
    limits: Limits = field(default_factory=Limits)
    python: str = sys.executable  # the interpreter of the kernels (it must have logreg)
    mode: str = None  # "bwrap" or "none"; None: whatever the machine offers


def _run(assignment, submission_nb, options, label):
    """Run the assembled notebook; returns (assembled, per-test record, notes)."""
    assembled = assemble(assignment, submission_nb)
    sandbox = Sandbox(options.limits, options.mode or sandbox_mode()[0], label)
    nbformat.write(submission_nb, sandbox.work / f"{assignment.name}.ipynb")  # and nothing else
    kernel = SandboxedKernel(sandbox, options.python)
    records, notes, start = {}, list(assembled.notes), time.monotonic()
    try:
        try:
            kernel.start()
        except Exception as exc:
            raise GraderError(
                f"could not start a kernel ({sandbox.mode}): {type(exc).__name__}: {exc}; "
                f"its error output: {kernel.startup_errors().strip() or '(none)'}"
            ) from None
        for step in assembled.steps:
            left = options.submission_timeout - (time.monotonic() - start)
            if left <= 0 and kernel.alive():
                kernel.kill()
                notes.append(f"the submission ran out of its {options.submission_timeout:g} s")
            timeout = max(min(options.cell_timeout, left), 0.1)
            result = kernel.run(step.source, timeout)
            if step.kind == "code":
                if result.status != "ok" and kernel.alive():
                    error = f"{result.ename}: {result.evalue}" if result.ename else result.status
                    notes.append(f"{step.label} stopped with {error[:200]}")
                elif result.status != "ok":
                    notes.append(f"the kernel stopped during {step.label} ({result.status})")
                continue
            out = sandbox.out / uuid.uuid4().hex
            out.mkdir(mode=0o700)
            probe = (
                kernel.run(probe_code(step.test.probe, out), timeout) if kernel.alive() else None
            )
            records[step.test.grade_id] = {
                "visible": result,
                "probe": probe,
                "values": load_values(out) if probe is not None else {},
            }
    finally:
        kernel.stop()
        sandbox.cleanup()
    return assembled, records, notes


def _failure(record):
    """Why a test cannot count, before its values are compared; None if it can."""
    visible, probe = record["visible"], record["probe"]
    if visible.status == "error":
        return f"the visible check failed: {visible.ename}: {visible.evalue}"[:500]
    if visible.status != "ok":
        return (
            "the visible check did not finish ("
            + "; ".join(visible.notes or [visible.status])
            + ")"
        )
    if probe is None or probe.status == "dead":
        return "the kernel stopped before this question could be checked"
    if probe.status == "error":
        return f"evaluating your answer raised {probe.ename}: {probe.evalue}"[:500]
    if probe.status != "ok":
        return (
            "evaluating your answer did not finish ("
            + "; ".join(probe.notes or [probe.status])
            + ")"
        )
    return None


def compute_reference(assignment, options):
    """The values the instructor's own notebook emits, checked against its own rules."""
    _, records, notes = _run(assignment, assignment.notebook, options, "reference")
    values = {}
    for test in assignment.tests:
        record = records.get(test.grade_id)
        why = _failure(record) if record else "it did not run"
        if why:
            raise GraderError(
                f"{assignment.name}: the instructor's {test.grade_id} fails: {why}; {notes}"
            )
        values[test.grade_id] = record["values"]
    outcome = evaluate_rules({t.grade_id: t.rules for t in assignment.tests}, values, values)
    bad = {g: why for g, (ok, why) in outcome.items() if not ok}
    if bad:
        raise GraderError(
            f"{assignment.name}: the instructor's solution breaks its own rules: {bad}"
        )
    return values


def grade_submission(path, assignments, references, options, expected=None):
    """Grade one submitted notebook; returns a plain dict (JSON-ready)."""
    path = Path(path)
    result = {
        "submission": str(path),
        "assignment": expected,
        "status": "graded",
        "score": 0.0,
        "max_score": assignments[expected].max_score if expected else 0.0,
        "questions": [],
        "notes": [],
        "written": {},
        "written_points": 0.0,
        "seconds": 0.0,
    }
    start = time.monotonic()
    try:
        nb = read_submission(path)
        assignment = identify(nb, assignments, expected)
    except SubmissionError as exc:
        result["status"], result["notes"] = "rejected", [str(exc)]
        return result
    except OSError as exc:
        result["status"], result["notes"] = "grader-error", [f"cannot read the file: {exc}"]
        return result
    result["assignment"], result["max_score"] = assignment.name, assignment.max_score
    result["written_points"] = sum(assignment.written.values())
    try:
        assembled, records, notes = _run(assignment, nb, options, path.name)
        reference = references(assignment)
    except GraderError as exc:
        result["status"], result["notes"] = "grader-error", [str(exc)]
        return result
    result["notes"] = notes
    result["written"] = {g: assembled.written.get(g, "") for g in assignment.written}
    checkable = {}
    failures = {}
    for test in assignment.tests:
        record = records.get(test.grade_id)
        why = _failure(record) if record else "it was not reached"
        if why:
            failures[test.grade_id] = why
        else:
            checkable[test.grade_id] = test.rules
    student_values = {g: records[g]["values"] for g in checkable}
    outcome = evaluate_rules(checkable, student_values, reference)
    for test in assignment.tests:
        ok, why = outcome.get(test.grade_id, (False, failures.get(test.grade_id, "")))
        earned = test.points if ok else 0.0
        result["questions"].append(
            {
                "grade_id": test.grade_id,
                "points": earned,
                "max_points": test.points,
                "reason": "" if ok else why,
            }
        )
        result["score"] += earned
    result["seconds"] = round(time.monotonic() - start, 2)
    return result
