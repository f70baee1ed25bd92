"""The public website carries the student edition of the homework, and nothing of the answers.

Reads every file of the built site (pages, search index, ``_sources`` downloads) for any line of a
solution, a hidden test, a written reference answer or a grader's probe. Runs after the build.
"""

import json
from pathlib import Path

import nbformat
from _homework import ASSIGNMENTS, instructor, secret_lines

from logreg_grader.editions import student_edition

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"


def _chapter_lines():
    """Lines of the chapters: a homework may ask students to assemble what a chapter teaches."""
    lines = set()
    for path in (ROOT / "book").rglob("*"):
        if path.suffix in (".ipynb", ".md") and "homework" not in path.parts:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".ipynb":
                text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
            lines |= {ln.strip() for ln in text.splitlines()}
    return lines


def test_no_answer_anywhere_on_the_website():
    chapters = "\n".join(_chapter_lines())
    secrets = {s for s in secret_lines() if s not in chapters}
    assert len(secrets) > 30
    suffixes = (".html", ".js", ".ipynb", ".txt", ".json")
    files = [p for p in SITE.rglob("*") if p.is_file() and p.suffix in suffixes]
    assert any(p.name == "searchindex.js" for p in files) and len(files) > 30
    leaks = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path.suffix == ".ipynb":  # compare cell sources, not JSON-escaped text
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        leaks += [(path.relative_to(SITE).as_posix(), s) for s in secrets if s in text]
    assert not leaks, leaks[:5]


def test_the_download_button_serves_the_student_edition():
    for name in ASSIGNMENTS:
        page = (SITE / "book" / "homework" / f"{name}.html").read_text(encoding="utf-8")
        assert f"_sources/book/homework/{name}.ipynb" in page  # the download button
        assert 'class="dropdown-launch-buttons' not in page and "launch-buttons" not in page
        served = SITE / "_sources" / "book" / "homework" / f"{name}.ipynb"
        served = nbformat.read(served, as_version=4)
        expected = student_edition(instructor(name))
        assert [c.source for c in served.cells] == [c.source for c in expected.cells]
