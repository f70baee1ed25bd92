"""What the grader writes: the terminal report, JSON lines, a gradebook and feedback files.

Every string a submission controls (its file name and so its student id, exception messages,
notes) is written so that opening the output is safe:

- on the terminal, through :func:`~logreg_grader.text.printable` (no ANSI escape, no carriage
  return, no forged line), with a cap on the notes shown per submission;
- in a CSV, as text: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading ``'`` (OWASP's rule against CSV injection), so a spreadsheet never runs
  it as a formula;
- in Markdown, as inline text (:func:`md_text`): one line, HTML escaped and Markdown's
  structure characters backslash-escaped, so it cannot add a heading, a link or HTML.

A feedback file is what the student reads: each question's points and its ``reason``, and the
result's ``notes`` (at most :data:`FEEDBACK_NOTES`), never the instructor's ``details``, a
hidden test or an expected value. The terminal report and the JSON lines carry everything.
"""

import csv
import html
import json
import re
import threading
from pathlib import Path

from .text import printable

__all__ = [
    "FEEDBACK_NOTES",
    "JsonLines",
    "csv_cell",
    "format_result",
    "md_text",
    "write_feedback",
    "write_gradebook",
]

REPORT_NOTES = 20  # notes (and details) printed per submission on the terminal
REPORT_LINE = 300  # characters of one such line
FEEDBACK_NOTES = 20  # notes in a student's feedback file
FEEDBACK_LINE = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters that give inline Markdown a meaning (emphasis, code, links, images, tables, headings
# inside a list item, strikethrough); "<", ">" and "&" are handled by html.escape. An underscore
# between two letters or digits never delimits emphasis, so ids like hw2_q1 stay readable.
MARKDOWN = re.compile(r"([\\`*{}\[\]#|~!]|_(?![^\W_])|(?<![^\W_])_)")


def csv_cell(value):
    """``value`` for a CSV cell: text that a spreadsheet could take for a formula is prefixed
    with ``'``; numbers and empty cells are written as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def md_text(text, limit=FEEDBACK_LINE):
    """``text`` as one line of inert Markdown text (see the module's docstring)."""
    line = MARKDOWN.sub(r"\\\1", html.escape(printable(text, limit), quote=False))
    # A leading "-", "+" or "1." would open a nested list; escaped, it stays a character.
    return re.sub(r"^([-+]|\d+(?=[.)]))", r"\\\1", line)


def _capped(lines, cap, what):
    lines = list(lines)
    shown = [printable(line, REPORT_LINE) for line in lines[:cap]]
    if len(lines) > cap:
        shown.append(f"... {len(lines) - cap} more {what} (in --json)")
    return shown


def format_result(result):
    """The terminal report of one result; every line escaped, notes and details capped."""
    head = f"{printable(result['student'], 120)}  {printable(result['submission'], 300)}"
    lines = [f"{head}  ({printable(result.get('assignment') or '?', 60)})"]
    for q in result.get("questions", []):
        line = f"  {printable(q['grade_id'], 40):24s} {q['points']:5.1f} / {q['max_points']:.1f}"
        if q.get("reason"):
            line += f"   {printable(q['reason'], 120)}"
        lines.append(line)
        if q.get("detail"):
            lines.append(f"    detail: {printable(q['detail'], REPORT_LINE)}")
    lines += [f"  note: {n}" for n in _capped(result.get("notes", []), REPORT_NOTES, "notes")]
    details = _capped(result.get("details", []), REPORT_NOTES, "details")
    lines += [f"  detail: {d}" for d in details]
    status = "" if result["status"] == "graded" else f"   [{printable(result['status'], 60)}]"
    if result.get("score") is None:
        lines.append(f"  {'total':24s}     - / {result['max_score']:.1f}{status}")
    else:
        total = f"{result['score']:5.1f} / {result['max_score']:.1f}"
        lines.append(f"  {'total':24s} {total}{status}")
    if result.get("written_points"):
        lines.append(
            f"  (+ {result['written_points']:g} points of written answers, graded by hand)"
        )
    return "\n".join(lines)


class JsonLines:
    """One JSON object per line, written and flushed as each submission finishes. JSON escapes
    every control character, so a line is one record whatever the submission wrote."""

    def __init__(self, path):
        self._file = open(path, "w", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, result):
        record = {k: v for k, v in result.items() if k != "written"}
        with self._lock:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()

    def close(self):
        self._file.close()


def write_gradebook(path, results, assignment):
    """A CSV with one row per student and one column per question; a submission not graded
    (interrupted) has a row with its status and empty points."""
    grade_ids = [t.grade_id for t in assignment.tests]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "submission", "status", *grade_ids, "score", "max_score"])
        for r in sorted(results, key=lambda r: r["student"]):
            points = {q["grade_id"]: q["points"] for q in r.get("questions", [])}
            row = [r["student"], r["submission"], r["status"]]
            row += [points.get(g, "") for g in grade_ids]
            row += ["" if r.get("score") is None else r["score"], r["max_score"]]
            writer.writerow([csv_cell(cell) for cell in row])


def write_feedback(folder, result, stem):
    """A Markdown file for one student, ``folder/stem.md``: points and reasons per question, and
    notes (at most FEEDBACK_NOTES), all as inert text."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# Feedback: {md_text(result.get('assignment') or 'homework', 80)}", ""]
    if result["status"] != "graded":
        lines += [f"This submission could not be graded ({md_text(result['status'], 80)}).", ""]
    for q in result.get("questions", []):
        lines.append(f"- **{md_text(q['grade_id'], 80)}**: {q['points']:g} / {q['max_points']:g}")
        if q.get("reason"):
            lines.append(f"  - {md_text(q['reason'])}")
    notes = list(result.get("notes", []))
    if notes:
        lines += ["", "Notes:", *[f"- {md_text(n)}" for n in notes[:FEEDBACK_NOTES]]]
        if len(notes) > FEEDBACK_NOTES:
            lines.append(f"- ... and {len(notes) - FEEDBACK_NOTES} more notes like these")
    lines += ["", f"Total (autograded): {result['score']:g} / {result['max_score']:g}"]
    if result.get("written_points"):
        lines.append(f"Written answers: {result['written_points']:g} points, graded by hand")
    lines.append("")
    target = folder / f"{stem}.md"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target
