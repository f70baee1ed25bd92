"""The written answers: exported for grading by hand, and their points merged back.

``write_written`` writes, for each written question, a Markdown file with one section per
student under a heading the grader writes (the student id as inert text, see
``report.md_text``), each answer in a fenced block whose fence is longer than any run of
backticks in the answer: the answer stays text, it cannot close the block, add a heading that
forges another student's section, or carry HTML that runs when the file is rendered. Beside it,
``<assignment>_written.csv`` and ``.json`` give one row per student and question (student,
submission, question, max_points, points, answer) for tools; the instructor fills ``points`` in
the CSV and ``python -m logreg_grader merge`` (:func:`merge_written`) adds them to the
gradebook's total.
"""

import csv
import json
import math
import re
from pathlib import Path

from .editions import WRITTEN_STUB
from .report import FORMULA_START, csv_cell, md_text
from .text import printable

__all__ = ["MergeError", "answer_text", "merge_written", "write_written"]

ANSWER_CHARS = 30_000  # a spreadsheet cell holds 32,767 characters
NO_ANSWER = "(no answer)"


class MergeError(ValueError):
    """A written-points CSV that does not fit its gradebook."""


def answer_text(answer):
    """The answer as the instructor reads it: "(no answer)" for an empty or untouched stub,
    cut to ANSWER_CHARS, every control character escaped except the line breaks."""
    answer = str(answer or "").strip()
    if answer in ("", WRITTEN_STUB):
        return NO_ANSWER
    if len(answer) > ANSWER_CHARS:
        answer = answer[:ANSWER_CHARS] + f"\n[cut at {ANSWER_CHARS:,} characters]"
    return "\n".join(printable(line) for line in answer.split("\n"))


def _fenced(text):
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}text", text, fence]


def write_written(folder, results, assignment):
    """Markdown per question, plus one CSV and one JSON for all questions; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    results = sorted((r for r in results if r.get("score") is not None), key=lambda r: r["student"])
    rows = [
        {
            "student": r["student"],
            "submission": r["submission"],
            "question": grade_id,
            "max_points": points,
            "points": None,
            "answer": answer_text(r.get("written", {}).get(grade_id)),
        }
        for grade_id, points in assignment.written.items()
        for r in results
    ]
    paths = []
    for grade_id, points in assignment.written.items():
        lines = [f"# {assignment.name}: {grade_id} ({points:g} points, graded by hand)", ""]
        for row in (row for row in rows if row["question"] == grade_id):
            lines += [f"## {md_text(row['student'], 120)}", ""]
            lines += [*_fenced(row["answer"]), ""]
        target = folder / f"{assignment.name}_{grade_id}.md"
        target.write_text("\n".join(lines), encoding="utf-8")
        paths.append(target)
    table = folder / f"{assignment.name}_written.csv"
    with table.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        columns = ["student", "submission", "question", "max_points", "points", "answer"]
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell("" if row[c] is None else row[c]) for c in columns])
    records = folder / f"{assignment.name}_written.json"
    records.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return [*paths, table, records]


def _plain(student):
    """The id without the quote ``csv_cell`` adds: a spreadsheet drops it when it saves the CSV
    the instructor filled in, so both spellings name the same student."""
    if student.startswith("'") and student[1:].startswith(FORMULA_START):
        return student[1:]
    return student


def _points(row, line):
    text = (row.get("points") or "").strip()
    if not text:
        return None
    try:
        value, top = float(text), float(row["max_points"])
    except ValueError:
        value = top = math.nan
    if not (math.isfinite(value) and 0 <= value <= top):
        raise MergeError(
            f"line {line}: points {text!r} for {row['question']} of {row['student']}; expected a "
            f"number from 0 to {row['max_points']}"
        )
    return value


def merge_written(gradebook, written, out):
    """Write ``out``: the gradebook with one column per written question, ``written_score``,
    ``total`` (autograded + written) and ``written_ungraded`` (questions still without points).
    Returns the list of (student, question) still ungraded."""
    with open(gradebook, newline="", encoding="utf-8") as f:
        book = list(csv.DictReader(f))
    if not book or not {"student", "score"} <= set(book[0]):
        raise MergeError(f"{gradebook}: expected a gradebook with columns student and score")
    with open(written, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        needed = {"student", "question", "max_points", "points"}
        if not needed <= set(reader.fieldnames or []):
            raise MergeError(
                f"{written}: expected the columns {sorted(needed)}; received {reader.fieldnames}"
            )
        entries = list(reader)
    students = {_plain(r["student"]) for r in book}
    questions = list(dict.fromkeys(e["question"] for e in entries))
    points = {}
    for line, entry in enumerate(entries, start=2):
        if _plain(entry["student"]) not in students:
            raise MergeError(
                f"{written} line {line}: student {entry['student']!r} is not in {gradebook}"
            )
        points[_plain(entry["student"]), entry["question"]] = _points(entry, line)
    ungraded = []
    for row in book:
        student = _plain(row["student"])
        missing = [q for q in questions if points.get((student, q)) is None]
        ungraded += [(row["student"], q) for q in missing]
        earned = sum(points.get((student, q)) or 0.0 for q in questions)
        for q in questions:
            value = points.get((student, q))
            row[f"written:{q}"] = "" if value is None else f"{value:g}"
        row["written_score"] = f"{earned:g}"
        row["total"] = "" if row["score"] == "" else f"{float(row['score']) + earned:g}"
        row["written_ungraded"] = " ".join(missing)
    with open(out, "w", newline="", encoding="utf-8") as f:
        # The gradebook's cells are already escaped (csv_cell); they are written back as read.
        writer = csv.DictWriter(f, fieldnames=list(book[0]))
        writer.writeheader()
        writer.writerows(book)
    return ungraded
