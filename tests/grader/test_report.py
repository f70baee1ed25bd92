"""logreg_grader.report, without kernels: who a submission belongs to and what is written.

The same writers on a real grading run are tested in test_grader.py (the gradebook, feedback
and written answers of a batch)."""

import csv
import json
from types import SimpleNamespace

import pytest

from logreg_grader.report import (
    JsonLines,
    StudentIds,
    format_result,
    write_feedback,
    write_gradebook,
    write_written,
)


def result(student, points, reason="", status="graded", written=None):
    questions = [
        {"grade_id": "q1", "points": points, "max_points": 2.0, "reason": reason},
        {"grade_id": "q2", "points": 1.0, "max_points": 1.0, "reason": ""},
    ]
    return {
        "student": student,
        "submission": f"/uploads/{student}.ipynb",
        "assignment": "hw",
        "status": status,
        "questions": questions,
        "notes": [],
        "score": points + 1.0,
        "max_score": 3.0,
        "written_points": 2,
        "written": written or {},
    }


ASSIGNMENT = SimpleNamespace(
    name="hw", tests=[SimpleNamespace(grade_id=g) for g in ("q1", "q2")], written={"essay": 2}
)


def test_student_ids_from_roster_pattern_or_file_name(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("file,student\nsub/upload_7.ipynb, bob \n")
    ids = StudentIds(roster, r"/(?P<student>[a-z]+)/hw\.ipynb$")
    assert ids(tmp_path / "other" / "upload_7.ipynb") == "bob"  # by file name, trimmed
    assert ids("/x/alice/hw.ipynb") == "alice"
    assert ids("/x/Carol/hw.ipynb") == "hw"  # no match: the file's stem
    roster.write_text("name,student\nupload_7.ipynb,bob\n")
    with pytest.raises(ValueError, match="needs the columns 'file' and 'student'; received"):
        StudentIds(roster)
    with pytest.raises(ValueError, match="needs a group named 'student'; received '.*'"):
        StudentIds(pattern=r"/(\w+)/hw")


def test_gradebook_has_one_row_per_student_sorted_and_a_column_per_question(tmp_path):
    path = tmp_path / "book.csv"
    write_gradebook(path, [result("zoe", 0.0, "wrong sign"), result("ann", 2.0)], ASSIGNMENT)
    with path.open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", "submission", "status", "q1", "q2", "score", "max_score"]
    assert [r[0] for r in rows[1:]] == ["ann", "zoe"]
    assert rows[2][3:] == ["0.0", "1.0", "1.0", "3.0"]


def test_feedback_gives_points_reasons_and_a_safe_file_name(tmp_path):
    path = write_feedback(tmp_path / "fb", result("a b/../c", 0.5, "the visible check failed"))
    assert path.parent == tmp_path / "fb" and path.name == "a_b_.._c.md"
    text = path.read_text()
    assert "- **q1**: 0.5 / 2\n  - the visible check failed" in text
    assert "Total (autograded): 1.5 / 3" in text and "Written answers: 2 points" in text
    failed = write_feedback(tmp_path, result("d", 0.0, status="timeout")).read_text()
    assert "could not be graded (timeout)" in failed


def test_written_answers_per_question_and_json_lines_without_them(tmp_path):
    results = [result("bo", 2.0, written={"essay": "Because."}), result("al", 2.0)]
    [path] = write_written(tmp_path / "w", results, ASSIGNMENT)
    assert path.name == "hw_essay.md"
    text = path.read_text()
    assert text.index("## al") < text.index("(no answer)") < text.index("## bo")
    assert "Because." in text
    stream = JsonLines(tmp_path / "r.jsonl")
    for r in results:
        stream.write(r)
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 2  # flushed as written
    stream.close()
    records = [json.loads(ln) for ln in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["student"] for r in records] == ["bo", "al"] and "written" not in records[0]


def test_terminal_report_lines():
    lines = format_result(result("ann", 0.0, "wrong sign", status="error")).splitlines()
    assert lines[0] == "ann  /uploads/ann.ipynb  (hw)"
    assert lines[1].split() == ["q1", "0.0", "/", "2.0", "wrong", "sign"]
    assert lines[-2].split()[-2:] == ["3.0", "[error]"]
    assert "2 points of written answers" in lines[-1]
