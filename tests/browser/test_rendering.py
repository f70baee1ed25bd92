"""No raw LaTeX on the website: a check of the built HTML that a browser test cannot see.

MathJax renders only what Sphinx marked as math. A formula whose delimiters the
Markdown parser did not recognize (a ``$$`` at the start of a directive, a line
that starts with ``1)`` and becomes a list) reaches the reader as ``$`` signs
and backslash commands in ordinary text, and MathJax reports no error for it. So
this test reads the visible text of every built page, outside code and math,
and fails on a ``$`` or a ``\\command``; and it fails on math whose source has a
doubled backslash before a letter (``\\\\mathbf``: an escape written twice in a
notebook's JSON), which MathJax renders as a line break followed by the letters.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
PAGES = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "book").rglob("*.html"))

# Elements whose text is not prose: code, program output, scripts, and the
# animation player's script-driven widgets.
SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "textarea", "svg", "template"}
MATH_CLASSES = {"math"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip

RAW_TEX = re.compile(r"\$|\\[A-Za-z]+")
DOUBLED = re.compile(r"\\\\[A-Za-z]")


class _Text(HTMLParser):
    """Collects visible prose and the sources of math elements, separately."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, kind) with kind in {"skip", "math", None}
        self.prose, self.math = [], []

    def _kind(self):
        for _, kind in reversed(self.stack):
            if kind:
                return kind
        return None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        kind = None
        if tag in SKIP_TAGS or "highlight" in classes:
            kind = "skip"
        elif classes & MATH_CLASSES:
            kind = "math"
            self.math.append("")
        self.stack.append((tag, kind))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        kind = self._kind()
        if kind == "math":
            self.math[-1] += data
        elif kind is None:
            self.prose.append(data)


def _parse(page):
    parser = _Text()
    parser.feed((SITE / page).read_text(encoding="utf-8"))
    return parser


def _snippets(text, pattern, width=40):
    return [text[max(0, m.start() - width) : m.end() + width] for m in pattern.finditer(text)]


def test_pages_were_built():
    assert len(PAGES) >= 15, f"expected the built book in {SITE}; found {PAGES}"


@pytest.mark.parametrize("page", PAGES)
def test_no_raw_tex_in_visible_text(page):
    parser = _parse(page)
    prose = " ".join(" ".join(parser.prose).split())
    found = _snippets(prose, RAW_TEX)
    assert not found, f"{page}: raw TeX in the visible text: {found[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_no_doubled_backslash_in_math(page):
    found = [s for source in _parse(page).math for s in _snippets(source, DOUBLED)]
    assert not found, f"{page}: math with a doubled backslash before a letter: {found[:5]}"


def test_the_check_catches_what_it_is_for():
    parser = _Text()
    parser.feed(
        "<p>Move the shift $\\mathbf u$</p><pre>cost = $5</pre>"
        '<span class="math notranslate">\\(\\\\mathbf u\\)</span>'
        '<div class="highlight"><pre>\\alpha</pre></div><p>1) = \\mathbf 0</p>'
    )
    prose = " ".join(parser.prose)
    assert len(_snippets(prose, RAW_TEX)) == 4  # "$", "\mathbf", "$", "\mathbf"
    assert _snippets(parser.math[0], DOUBLED)
    assert "cost" not in prose and "alpha" not in prose
