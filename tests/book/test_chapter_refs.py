"""Cross-references to chapters read as English inside a sentence.

A {ref} or {doc} to a chapter without link text renders as the chapter's full title, and so does
link text that repeats the title: "the proof that Why the sigmoid? The Bernoulli distribution as
an exponential family and ... point to". Inside running prose a reference to a chapter therefore
names it in words of the sentence ("the Bernoulli chapter", "Chapter 'Separable data'") rather
than pasting its title. Tables, and list items that consist of the reference, are lists of
chapters, where the title is the point.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
PAGES = sorted(
    p for p in [*BOOK.rglob("*.ipynb"), *BOOK.rglob("*.md")] if ".ipynb_checkpoints" not in p.parts
)
LABEL = re.compile(r"^\((chap-[\w-]+)\)=\s*\n#\s+(.+?)\s*$", re.MULTILINE)
ROLE = re.compile(r"\{(ref|doc)\}`([^`]*)`")
CODE_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def markdown_of(path):
    """The page's markdown: a notebook's markdown cells, or the whole file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text)["cells"]
    return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def chapters():
    """Every chapter's label and title, and its document (for {doc} references)."""
    found = {}
    for path in PAGES:
        for label, title in LABEL.findall(markdown_of(path)):
            doc = path.relative_to(BOOK).with_suffix("").as_posix()
            found[label] = (title, doc)
    return found


def normalized(text):
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def pasted_titles(markdown, titles):
    """The chapter references in running prose that show a chapter's bare title."""
    by_doc = {doc: (label, title) for label, (title, doc) in titles.items()}
    prose = CODE_FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), markdown)
    found = []
    for line in prose.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):  # a table row
            continue
        item = re.sub(r"^(?:[-*+]|\d+\.)\s+", "", stripped)
        for match in ROLE.finditer(line):
            role, body = match.groups()
            explicit = re.fullmatch(r"(.*?)\s*<([^<>]+)>", body, re.DOTALL)
            text, target = explicit.groups() if explicit else (None, body.strip())
            if role == "doc":
                target = target.lstrip("/").removeprefix("book/")
                title = by_doc.get(target, (None, None))[1]
            else:
                title = titles.get(target, (None,))[0]
            if title is None:
                continue
            if item != stripped and item.startswith(match.group(0)):
                continue  # a list of chapters: "- {ref}`chap-x`: ..."
            if text is None or normalized(text) == normalized(title):
                found.append(f"{match.group(0)} (title: {title!r})")
    return found


def test_the_chapters_are_found():
    titles = chapters()
    assert len(titles) >= 20, sorted(titles)
    assert titles["chap-bernoulli-glm"][0].startswith("Why the sigmoid?")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_chapter_title_pasted_into_a_sentence(path):
    found = pasted_titles(markdown_of(path), chapters())
    assert not found, f"name the chapter in words of the sentence instead: {found}"


def test_the_check_catches_a_pasted_title():
    titles = {
        "chap-bernoulli-glm": (
            "Why the sigmoid? The Bernoulli distribution as an exponential family",
            "logistic/bernoulli_glm",
        )
    }
    pasted = (
        "{ref}`Why the sigmoid? The Bernoulli distribution as an exponential family "
        "<chap-bernoulli-glm>` derived the sigmoid."
    )
    assert pasted_titles(pasted, titles)
    assert pasted_titles("As {ref}`chap-bernoulli-glm` shows, the sigmoid follows.", titles)
    assert pasted_titles("See {doc}`/book/logistic/bernoulli_glm` for it.", titles)
    assert not pasted_titles("The {ref}`Bernoulli chapter <chap-bernoulli-glm>` shows it.", titles)
    assert not pasted_titles("- {ref}`chap-bernoulli-glm`: the exponential family", titles)
    assert not pasted_titles("| $b(y)$ | base measure | {ref}`chap-bernoulli-glm` |", titles)
    assert not pasted_titles("```\n{ref}`chap-bernoulli-glm` in code\n```", titles)
