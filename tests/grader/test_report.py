"""logreg_grader.report and .written, without kernels: what the grader writes, on result dicts
whose student-controlled text (file names, notes, reasons, written answers) is hostile.

The same writers on a real grading run are tested in test_grader.py (the gradebook, feedback
and written answers of a batch); student ids and file names in test_identity.py."""

import csv
import json
from types import SimpleNamespace

import pytest
from markdown_it import MarkdownIt

from logreg_grader.report import (
    FEEDBACK_NOTES,
    JsonLines,
    format_result,
    write_feedback,
    write_gradebook,
)
from logreg_grader.written import MergeError, merge_written, write_written

ESC = "\x1b"
# What an attacker puts in an exception message or a note: a screen clear, colour, a carriage
# return and forged report lines.
FORGED = f"{ESC}[2J{ESC}[31mboom\r\n  hw_q1   3.0 / 3.0\n  total  8.0 / 8.0"
# What an attacker puts in Markdown: a heading for another student, HTML that runs, a link.
HOSTILE_MD = (
    "## alice\n\n# Grade: 10/10\n<script>document.title='XSS'</script>"
    "<img src=x onerror=alert(1)> [click](javascript:alert(1)) ```\n```\n````"
)
FORMULAS = ["=2+5", '=HYPERLINK("evil.example","open")', "@SUM(1+1)", "+1", "-1", "\tx", "\rx"]


def result(student, points, reason="", status="graded", written=None, notes=(), details=()):
    questions = [
        {"grade_id": "q1", "points": points, "max_points": 2.0, "reason": reason, "detail": ""},
        {"grade_id": "q2", "points": 1.0, "max_points": 1.0, "reason": "", "detail": ""},
    ]
    return {
        "student": student,
        "submission": f"/uploads/{student}.ipynb",
        "assignment": "hw",
        "status": status,
        "questions": questions,
        "notes": list(notes),
        "details": list(details),
        "score": points + 1.0,
        "max_score": 3.0,
        "written_points": 2,
        "written": written or {},
    }


ASSIGNMENT = SimpleNamespace(
    name="hw", tests=[SimpleNamespace(grade_id=g) for g in ("q1", "q2")], written={"essay": 2}
)


def rendered(markdown):
    """The HTML a CommonMark renderer (raw HTML allowed) makes of ``markdown``."""
    return MarkdownIt("commonmark").render(markdown)


def test_gradebook_has_one_row_per_student_sorted_and_a_column_per_question(tmp_path):
    path = tmp_path / "book.csv"
    write_gradebook(path, [result("zoe", 0.0, "wrong sign"), result("ann", 2.0)], ASSIGNMENT)
    with path.open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", "submission", "status", "q1", "q2", "score", "max_score"]
    assert [r[0] for r in rows[1:]] == ["ann", "zoe"]
    assert rows[2][3:] == ["0.0", "1.0", "1.0", "3.0"]


def test_gradebook_writes_formula_like_names_as_text(tmp_path):
    path = tmp_path / "book.csv"
    write_gradebook(path, [result(name, 2.0) for name in FORMULAS + ["bob"]], ASSIGNMENT)
    with path.open(newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert len(rows) == len(FORMULAS) + 1
    for row in rows:
        for cell in row:  # no cell a spreadsheet evaluates
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    students = {r[0] for r in rows}
    assert students == {"'" + name for name in FORMULAS} | {"bob"}  # the text kept, quoted
    assert ["bob", "/uploads/bob.ipynb", "graded", "2.0", "1.0", "3.0", "3.0"] in rows


def test_terminal_report_lines():
    lines = format_result(result("ann", 0.0, "wrong sign", status="error")).splitlines()
    assert lines[0] == "ann  /uploads/ann.ipynb  (hw)"
    assert lines[1].split() == ["q1", "0.0", "/", "2.0", "wrong", "sign"]
    assert lines[-2].split()[-2:] == ["3.0", "[error]"]
    assert "2 points of written answers" in lines[-1]


def test_terminal_report_escapes_and_caps_what_a_submission_controls():
    hostile = result(
        f"mallory{ESC}[2J\n  total 9", 0.0, FORGED, notes=[FORGED] * 50_000, details=[FORGED] * 3
    )
    text = format_result(hostile)
    assert ESC not in text and "\r" not in text
    lines = text.splitlines()
    # One line per question, note and detail shown, plus the head, two caps and the totals.
    assert len(lines) == 1 + 2 + 20 + 1 + 3 + 2, lines[:5]
    assert [ln for ln in lines if ln.lstrip().startswith("total")] == [lines[-2]]
    assert "... 49980 more notes" in text and "\\x1b[2J" in text  # escaped, still readable


def test_feedback_shows_notes_and_reasons_as_inert_text_never_details(tmp_path):
    notes = [HOSTILE_MD, FORGED] + [f"note {i}" for i in range(100)]
    hostile = result("m", 0.5, HOSTILE_MD, notes=notes, details=["SECRET host /etc/shadow"])
    path = write_feedback(tmp_path / "fb", hostile, "m")
    assert path == tmp_path / "fb" / "m.md"
    text = path.read_text()
    assert "SECRET" not in text and ESC not in text
    assert [ln for ln in text.splitlines() if ln.startswith("#")] == ["# Feedback: hw"]
    html = rendered(text)
    assert html.count("<h") == 1 and "<script" not in html and "<img" not in html
    assert "<a " not in html and "<code" not in html and "<pre" not in html
    assert "&lt;script&gt;" in html and "## alice" in html  # the student's text, shown as text
    assert text.count("\n- ") == 2 + FEEDBACK_NOTES + 1  # questions, notes, "... more"
    assert text.count("\n  - ") == 1  # the one reason, on one line
    assert "and 82 more notes" in text
    failed = write_feedback(tmp_path, result("d", 0.0, status="timeout"), "d").read_text()
    assert "could not be graded (timeout)" in failed


def test_written_answers_are_text_under_headings_the_grader_writes(tmp_path):
    results = [
        result("bo", 2.0, written={"essay": "Because.\n" + HOSTILE_MD}),
        result("al", 2.0, written={"essay": "YOUR ANSWER HERE"}),
        result("mallory\n## alice <b>", 2.0, written={"essay": "`" * 7 + "\n## carol"}),
    ]
    paths = write_written(tmp_path / "w", results, ASSIGNMENT)
    assert [p.name for p in paths] == ["hw_essay.md", "hw_written.csv", "hw_written.json"]
    text = paths[0].read_text()
    assert text.index("## al") < text.index("(no answer)") < text.index("## bo")
    assert "YOUR ANSWER HERE" not in text
    html = rendered(text)
    headings = [ln for ln in html.splitlines() if ln.startswith("<h")]
    assert headings == [
        "<h1>hw: essay (2 points, graded by hand)</h1>",
        "<h2>al</h2>",
        "<h2>bo</h2>",
        "<h2>mallory\\n## alice &lt;b&gt;</h2>",
    ]
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert html.count("<pre>") == 3 and "&lt;script&gt;" in html and "## carol" in html


def test_written_answers_as_csv_and_json_for_tools(tmp_path):
    results = [result("=cmd", 2.0, written={"essay": "=1+1 and @x"}), result("al", 2.0)]
    write_written(tmp_path, results, ASSIGNMENT)
    with (tmp_path / "hw_written.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["student"], r["question"], r["max_points"], r["points"]) for r in rows] == [
        ("'=cmd", "essay", "2", ""),
        ("al", "essay", "2", ""),
    ]
    assert [r["answer"] for r in rows] == ["'=1+1 and @x", "(no answer)"]
    records = json.loads((tmp_path / "hw_written.json").read_text())
    assert records[0] == {
        "student": "=cmd",
        "submission": "/uploads/=cmd.ipynb",
        "question": "essay",
        "max_points": 2,
        "points": None,
        "answer": "=1+1 and @x",
    }


def test_merge_adds_the_written_points_to_the_gradebook(tmp_path):
    results = [result("=cmd", 2.0), result("al", 0.0), result("bo", 1.0)]
    write_gradebook(tmp_path / "book.csv", results, ASSIGNMENT)
    write_written(tmp_path, results, ASSIGNMENT)
    table = tmp_path / "hw_written.csv"
    with table.open(newline="") as f:
        rows = list(csv.DictReader(f))
    rows[0]["points"], rows[1]["points"] = "1.5", "2"  # bo left ungraded
    rows[0]["student"] = "=cmd"  # a spreadsheet drops the quote when it saves the CSV
    with table.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ungraded = merge_written(tmp_path / "book.csv", table, tmp_path / "final.csv")
    assert ungraded == [("bo", "essay")]
    with (tmp_path / "final.csv").open(newline="") as f:
        final = {r["student"]: r for r in csv.DictReader(f)}
    assert (final["'=cmd"]["written:essay"], final["'=cmd"]["total"]) == ("1.5", "4.5")
    assert (final["al"]["written_score"], final["al"]["total"]) == ("2", "3")
    assert (final["bo"]["total"], final["bo"]["written_ungraded"]) == ("2", "essay")
    for bad, message in (("3", "'3'"), ("x", "'x'"), ("nan", "'nan'")):
        rows[2]["points"] = bad
        with table.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        expected = f"line 4: points {message} for essay of bo; expected a number from 0 to 2"
        with pytest.raises(MergeError, match=expected):
            merge_written(tmp_path / "book.csv", table, tmp_path / "final.csv")


def test_json_lines_without_written_answers(tmp_path):
    results = [result("bo", 2.0, written={"essay": "Because."}), result("al", 2.0)]
    stream = JsonLines(tmp_path / "r.jsonl")
    for r in results:
        stream.write(r)
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 2  # flushed as written
    stream.close()
    records = [json.loads(ln) for ln in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [r["student"] for r in records] == ["bo", "al"] and "written" not in records[0]
