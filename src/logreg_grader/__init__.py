"""Homework for the book: editions for students, and a grader an instructor can trust.

- ``editions``: the instructor's notebooks follow nbgrader's conventions; the student edition
  drops solutions, hidden tests, reference answers and the grader's probes.
- ``assignments``, ``assemble``: which assignment a submission is, and the cells to run.
- ``sandbox``, ``cgroups``, ``kernel``: a fresh kernel per submission in a bubblewrap sandbox,
  as an unprivileged user, with limits that hold for the whole submission.
- ``probes``, ``checker``, ``rules``, ``symcheck``: answers leave the kernel as its own messages
  (plain data, capped); a sandboxed checker decodes and compares them with the instructor's.
- ``grader``: one submission; ``report``: gradebook, feedback, written answers; ``cli``: the
  command ``python -m logreg_grader``.
"""

import sys

# nbformat imports jsonschema, which imports rfc3987_syntax (when installed) for its "iri"
# format checks and builds that package's Lark grammar at import: about 1 s of CPU in every
# process that starts the grader, a quarter of its start-up. nbformat validates without a format
# checker (Draft4Validator(schema), or fastjsonschema), so those checks never run on a notebook;
# with the module marked absent, jsonschema leaves them out (it imports it under
# suppress(ImportError)). Nothing else changes: tests/grader/test_grader_imports.py.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

from .assignments import SubmissionError, load_assignments
from .editions import HIDDEN, SOLUTION, release, student_edition
from .grader import GraderError, Options, compute_reference, grade_submission

__all__ = [
    "HIDDEN",
    "SOLUTION",
    "GraderError",
    "Options",
    "SubmissionError",
    "compute_reference",
    "grade_submission",
    "load_assignments",
    "release",
    "student_edition",
]
