"""Local Sphinx extension: the website shows the student edition of the graded homework.

The repository keeps the instructor's notebooks (solutions, hidden tests, written reference
answers, the grader's probes). For every page under ``book/homework/`` this extension

- replaces the notebook's text by its student edition as Sphinx reads it, so the page, its
  search-index entry and its table of contents never see a solution (the homework pages are not
  executed: ``execute.exclude_patterns`` in ``_config.yml``);
- writes the student edition over the copy in ``_sources/``, which the page's download button
  serves.

The page's launch and repository buttons, which would open the repository's (instructor's)
notebook, are dropped by ``launch_buttons``.

Chapter exercises are not affected: their solutions stay in dropdowns for self-study.
"""

import json
from pathlib import Path

import nbformat

from logreg_grader.editions import student_edition

HOMEWORK = "book/homework/"


def _student_text(text):
    nb = nbformat.reads(text, as_version=4)
    return nbformat.writes(student_edition(nb))


def _on_source_read(app, docname, source):
    if docname.startswith(HOMEWORK) and str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = _student_text(source[0])


def _replace_sources(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    sources = Path(app.outdir) / "_sources"
    for docname in app.env.found_docs:
        if not docname.startswith(HOMEWORK):
            continue
        original = Path(app.env.doc2path(docname))
        if original.suffix != ".ipynb":
            continue
        student = _student_text(original.read_text(encoding="utf-8"))
        for copy in (sources / f"{docname}.ipynb", sources / f"{docname}.ipynb.txt"):
            if copy.exists():
                copy.write_text(student, encoding="utf-8")
        json.loads(student)  # what was written is a notebook


def setup(app):
    app.connect("source-read", _on_source_read)
    app.connect("build-finished", _replace_sources)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
