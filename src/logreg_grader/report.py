"""What the grader writes: the terminal report, JSON lines, a gradebook, feedback, written answers.

Nothing here shows a hidden test: a feedback file gives each question's points and the reason a
check failed (the visible check's own message, the error the student's code raised, or which
value differed and by how much), never the code of a hidden check or the expected value.
"""

import csv
import json
import re
import threading
from pathlib import Path

__all__ = [
    "JsonLines",
    "StudentIds",
    "format_result",
    "write_feedback",
    "write_gradebook",
    "write_written",
]


class StudentIds:
    """Who a submission belongs to: from a roster file, a pattern on the path, or the file name."""

    def __init__(self, roster=None, pattern=None):
        self.roster = {}
        if roster:
            with open(roster, newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    if "file" not in row or "student" not in row:
                        raise ValueError(
                            f"{roster} needs the columns 'file' and 'student'; received {list(row)}"
                        )
                    self.roster[Path(row["file"]).name] = row["student"].strip()
        self.pattern = re.compile(pattern) if pattern else None
        if self.pattern is not None and "student" not in self.pattern.groupindex:
            raise ValueError(
                f"--student-pattern needs a group named 'student'; received {pattern!r}"
            )

    def __call__(self, path):
        path = Path(path)
        if path.name in self.roster:
            return self.roster[path.name]
        if self.pattern is not None:
            match = self.pattern.search(path.as_posix())
            if match:
                return match.group("student")
        return path.stem


def format_result(result):
    lines = [f"{result['student']}  {result['submission']}  ({result.get('assignment') or '?'})"]
    for q in result["questions"]:
        line = f"  {q['grade_id']:24s} {q['points']:5.1f} / {q['max_points']:.1f}"
        lines.append(line + (f"   {q['reason'][:90]}" if q["reason"] else ""))
    for note in result["notes"]:
        lines.append(f"  note: {note[:160]}")
    status = "" if result["status"] == "graded" else f"   [{result['status']}]"
    lines.append(f"  {'total':24s} {result['score']:5.1f} / {result['max_score']:.1f}{status}")
    if result.get("written_points"):
        lines.append(
            f"  (+ {result['written_points']:g} points of written answers, graded by hand)"
        )
    return "\n".join(lines)


class JsonLines:
    """One JSON object per line, written and flushed as each submission finishes."""

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
    """A CSV with one row per student and one column per question."""
    grade_ids = [t.grade_id for t in assignment.tests]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "submission", "status", *grade_ids, "score", "max_score"])
        for r in sorted(results, key=lambda r: r["student"]):
            points = {q["grade_id"]: q["points"] for q in r["questions"]}
            writer.writerow(
                [r["student"], r["submission"], r["status"]]
                + [points.get(g, "") for g in grade_ids]
                + [r["score"], r["max_score"]]
            )


def write_feedback(folder, result):
    """A Markdown file for one student: points and reasons per question, and notes."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"# Feedback: {result.get('assignment') or 'homework'}", ""]
    if result["status"] != "graded":
        lines += [f"This submission could not be graded ({result['status']}).", ""]
    for q in result["questions"]:
        lines.append(f"- **{q['grade_id']}**: {q['points']:g} / {q['max_points']:g}")
        if q["reason"]:
            lines.append(f"  - {q['reason']}")
    if result["notes"]:
        lines += ["", "Notes:", *[f"- {n}" for n in result["notes"]]]
    lines += ["", f"Total (autograded): {result['score']:g} / {result['max_score']:g}"]
    if result.get("written_points"):
        lines.append(f"Written answers: {result['written_points']:g} points, graded by hand")
    lines.append("")
    target = folder / f"{_safe(result['student'])}.md"
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def write_written(folder, results, assignment):
    """The written answers of every student, per question, for grading by hand."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for grade_id, points in assignment.written.items():
        lines = [f"# {assignment.name}: {grade_id} ({points:g} points, graded by hand)", ""]
        for r in sorted(results, key=lambda r: r["student"]):
            answer = r.get("written", {}).get(grade_id, "").strip() or "(no answer)"
            lines += [f"## {r['student']}", "", answer, ""]
        target = folder / f"{assignment.name}_{grade_id}.md"
        target.write_text("\n".join(lines), encoding="utf-8")
        paths.append(target)
    return paths


def _safe(name):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(name)) or "student"
