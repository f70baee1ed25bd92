"""README.md as a newcomer reads it: tables that render as tables, paths and targets that exist.

The README is rendered with markdown-it-py (installed with MyST) with GitHub's table syntax on.
"""

import re
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# A cell boundary: a pipe not escaped with a backslash (GitHub splits at it even inside code).
PIPE = re.compile(r"(?<!\\)\|")


def cells(line):
    return PIPE.split(line.strip().removeprefix("|").removesuffix("|"))


def tables(text):
    """[(first line, [source lines of the table])] of every table markdown-it renders."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    lines = text.splitlines()
    return [(t.map[0], lines[t.map[0] : t.map[1]]) for t in tokens if t.type == "table_open"]


def test_every_table_line_renders_in_a_table_of_full_rows():
    found = tables(README)
    assert len(found) >= 1
    in_tables = {start + i for start, rows in found for i in range(len(rows))}
    fenced = {
        i
        for t in MarkdownIt("commonmark").parse(README)
        if t.type in ("fence", "code_block")
        for i in range(*t.map)
    }
    stray = [
        (i + 1, line)
        for i, line in enumerate(README.splitlines())
        if line.lstrip().startswith("|") and i not in in_tables | fenced
    ]
    assert stray == [], "table rows outside a table (a blank line or text in between?)"
    for start, rows in found:
        width = len(cells(rows[0]))
        wrong = [
            (start + i + 1, len(cells(r))) for i, r in enumerate(rows) if len(cells(r)) != width
        ]
        assert wrong == [], f"the table at line {start + 1} has {width} columns"


def test_every_path_the_layout_table_names_exists():
    section = README[README.index("## Layout") :]
    section = section[: section.index("\n## ", 1)]
    ((start, rows),) = tables(section)
    named = [p for row in rows[2:] for p in re.findall(r"`([^`]+)`", cells(row)[0])]
    assert len(named) >= 10
    assert [p for p in named if not (ROOT / p).exists()] == []


def test_every_make_target_named_exists():
    # The README, the front page and the config name targets; none is another's alias.
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    texts = [README] + [
        (ROOT / f).read_text(encoding="utf-8") for f in ("_config.yml", "book/intro.md")
    ]
    named = {t for text in texts for t in re.findall(r"\bmake ([a-z][a-z-]+)", text)}
    assert {"book", "test", "lab", "sync-notebooks"} <= named
    assert named - targets == set()
