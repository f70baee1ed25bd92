"""The book as one PDF (make pdf, logreg_book.pdf), read back with pypdf and pypdfium2.

Checked against the website it was printed from: an outline entry for every Part and every page of
_toc.yml, nested; sampled theorems with the website's numbers and titles; the contents' page
numbers where the chapters begin; every link inside the document leads to a page; no text past
the margins; no raw TeX, no "??"; every figure of the site's pages present; under 30 MB.
"""

import functools
import math
import random
import re
from pathlib import Path

import pytest
import yaml
from _browser import ROOT, SHOTS, SITE
from bs4 import BeautifulSoup

PDF = ROOT / "_build" / "pdf" / "logistic-regression.pdf"
MARGIN_PT = 15 / 25.4 * 72
# Left by a formula MathJax did not typeset, or a reference Sphinx could not resolve ("??")
RAW_TEX = (r"\?\?", r"\\\(|\\\)|\\\[|\\\]", r"\$", r"\\(frac|mathbf|sum|left|begin|mathrm)\b")


def _text(node):
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True).replace("#", "")).strip()


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            files += [chapter["file"], *(s["file"] for s in chapter.get("sections", []))]
    return toc, files


@functools.cache  # the pages carry their figures inline: each is parsed once per worker
def _site_page(docname):
    return BeautifulSoup((SITE / f"{docname}.html").read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def book():
    if not PDF.exists():
        pytest.fail(f"{PDF} is missing: make pdf (make test and make book write it)")
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    reader = PdfReader(PDF)
    doc = pdfium.PdfDocument(str(PDF))
    # pdfium writes a hyphen it takes for a line-end one as U+FFFE
    texts = [doc[i].get_textpage().get_text_range().replace("\ufffe", "-") for i in range(len(doc))]
    yield reader, doc, texts
    doc.close()


def _outline(reader, items=None, depth=0):
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            yield from _outline(reader, item, depth + 1)
        else:
            yield depth, item.title, reader.get_destination_page_number(item)


def _squash(text):
    return re.sub(r"\s+", "", text)


def _shoot(doc, index, name):
    """A PNG of the PDF's page (from 0) beside the browser tests' screenshots, to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    doc[index].render(scale=1.5).to_pil().save(SHOTS / f"pdf_{name}_p{index + 1:03d}.png")


def test_outline_has_every_part_and_page_nested(book):
    reader, _, texts = book
    toc, files = _toc_files()
    entries = list(_outline(reader))
    top = [title for depth, title, _ in entries if depth == 0]
    for part in toc["parts"]:
        assert part["caption"] in top, f"Part {part['caption']!r} is not a top-level bookmark"
    titles = {title: (depth, page) for depth, title, page in entries}
    for docname in files:
        title = _text(_site_page(docname).select_one("article.bd-article h1"))
        assert title in titles, f"{docname}: no bookmark {title!r}"
        depth, page = titles[title]
        assert depth <= 2, f"{title!r} is nested {depth} deep"
        # the bookmark's page shows the title (the PDF's text has no spaces at line ends)
        assert _squash(title) in _squash(texts[page]), f"bookmark {title!r} -> page {page + 1}"
    assert any(depth >= 2 for depth, _, _ in entries), "no section under a chapter"


def test_contents_page_numbers_are_where_chapters_begin(book):
    _, _, texts = book
    contents = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Contents"))
    toc, _ = _toc_files()
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            title = _text(_site_page(chapter["file"]).select_one("article.bd-article h1"))
            found = re.search(
                re.escape(title) + r"\s*(\d+)", " ".join(texts[contents : contents + 3])
            )
            assert found, f"{title!r} has no page number in the contents"
            page = int(found.group(1))
            assert _squash(title) in _squash(texts[page - 1]), f"{title!r}: not on page {page}"


def test_sampled_theorems_carry_the_websites_numbers(book):
    _, doc, texts = book
    squashed = [_squash(text) for text in texts]
    theorems = []
    for html in sorted((SITE / "book").rglob("*.html")):
        page = html.relative_to(SITE).as_posix()
        for title in _site_page(page.removesuffix(".html")).select(
            "div.proof.theorem > p.admonition-title"
        ):
            theorems.append((page, _text(title)))
    assert len(theorems) >= 10, f"only {len(theorems)} theorems found on the website"
    sample = random.Random().sample(theorems, 3)  # a different three each run
    for page, title in sample:
        assert re.match(r"Theorem \d+\.\d+", title), (page, title)
        where = [i for i, text in enumerate(squashed) if _squash(title) in text]
        assert where, f"{page}: {title!r} is not in the PDF"
        _shoot(doc, where[0], "theorem")


def test_links_inside_the_document_lead_to_pages(book):
    reader, _, _ = book
    names = {name.removeprefix("/") for name in reader.named_destinations}
    internal = external_local = 0
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            if "/Dest" in annotation:
                internal += 1
                assert str(annotation["/Dest"]).removeprefix("/") in names
            uri = str((annotation.get("/A") or {}).get("/URI", ""))
            if re.match(r"https?://(127\.0\.0\.1|localhost)", uri):
                external_local += 1
    assert internal > 300, f"only {internal} links inside the document"
    assert external_local == 0, f"{external_local} links to the local server that printed it"


def test_no_text_past_the_margins_and_no_raw_tex(book):
    _, doc, texts = book
    for i in range(len(doc)):
        page = doc[i]
        width, _ = page.get_size()
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(j) for j in range(textpage.count_chars())]
        # MathJax draws a bar or a brace as one glyph stretched to its length, whose box pdfium
        # gives unstretched (an overline 3400 pt wide): those are judged by the ink below
        rights = [
            box[2]
            for j, box in enumerate(boxes)
            if box[2] - box[0] < width / 2 and not textpage.get_text_range(j, 1).isspace()
        ]
        assert max(rights, default=0) <= width - MARGIN_PT + 2, f"page {i + 1}: past the margin"
        scale = 0.5
        image = page.render(scale=scale).to_pil().convert("L")
        # from a pixel past the text's edge (a rule or an underline ends on it, antialiased)
        edge = math.ceil((width - MARGIN_PT + 2) * scale) + 1
        margin = image.crop((edge, 0, image.width, image.height))
        ink = margin.point(lambda v: 255 if v < 200 else 0).getbbox()
        assert ink is None, f"page {i + 1}: ink in the right margin at {ink}"
    for i, text in enumerate(texts):
        if any(re.search(p, text) for p in RAW_TEX):  # then without the code, set in monospace
            text = _prose(doc[i].get_textpage())
        for pattern in RAW_TEX:
            found = re.search(pattern, text)
            where = text[max(0, found.start() - 60) : found.end() + 60] if found else ""
            assert not found, f"page {i + 1}: {pattern!r} in the text: {where!r}"


def _prose(textpage):
    """The page's text less the characters set in a monospace font (code and its output)."""
    import ctypes

    import pypdfium2.raw as raw

    kept = []
    for j in range(textpage.count_chars()):
        size = raw.FPDFText_GetFontInfo(textpage.raw, j, None, 0, None)
        name = ctypes.create_string_buffer(size)
        raw.FPDFText_GetFontInfo(textpage.raw, j, name, size, None)
        if b"Mono" not in name.value:
            kept.append(textpage.get_text_range(j, 1))
    return "".join(kept)


def test_every_figure_is_there_and_the_file_is_small(book):
    import pypdfium2.raw as raw

    _, doc, _ = book
    images = 0
    for i in range(len(doc)):
        _, height = doc[i].get_size()
        for o in doc[i].get_objects(max_depth=4):
            if o.type != raw.FPDF_PAGEOBJ_IMAGE:
                continue
            images += 1
            _, bottom, _, top = o.get_bounds()  # a figure taller than the room left is cut
            assert bottom >= MARGIN_PT - 2 and top <= height - MARGIN_PT + 2, f"page {i + 1}"
    _, files = _toc_files()
    figures = 0  # an animation prints one frame: one image per player
    for docname in files:
        article = _site_page(docname).select_one("article.bd-article")
        players = article.select(".logreg-player")
        figures += len(players) + sum(
            not img.find_parent(class_="logreg-player") for img in article.select("img")
        )
    assert images >= figures, f"{images} images in the PDF, {figures} figures on the website"
    first = next(
        i
        for i in range(len(doc))
        if any(o.type == raw.FPDF_PAGEOBJ_IMAGE for o in doc[i].get_objects(max_depth=4))
    )
    _shoot(doc, first, "figure")
    assert PDF.stat().st_size < 30e6, f"{PDF.stat().st_size / 1e6:.1f} MB"


def test_animations_print_a_frame_with_its_value_and_solutions_follow_exercises(book):
    _, doc, texts = book
    squashed = _squash(" ".join(texts))
    _, files = _toc_files()
    values = [
        _text(value)
        for docname in files
        for value in _site_page(docname).select(".logreg-player .lp-value")
    ]
    assert len(values) >= 5, f"only {len(values)} animations on the website"
    missing = [value for value in values if _squash(value) not in squashed]
    assert not missing, f"animations whose value is not printed: {missing[:5]}"
    # every exercise's solution is printed unfolded, after it
    text = " ".join(texts)
    solutions = list(re.finditer(r"Solution to Exercise (\d+\.\d+)", text))
    assert len(solutions) >= 20, f"only {len(solutions)} solutions in the PDF"
    for solution in solutions:
        exercise = text.find(f"Exercise {solution.group(1)}")
        assert 0 <= exercise < solution.start(), f"{solution.group(0)} before its exercise"
    both = next(i for i, t in enumerate(texts) if "Exercise 1.1" in t and "Solution to" in t)
    _shoot(doc, both, "exercise")


def test_site_links_the_pdf():
    assert (SITE / PDF.name).exists(), "the site does not carry the PDF"
    intro = _site_page("book/intro")
    link = intro.select_one('article a[href$="logistic-regression.pdf"]')
    assert link and "PDF" in link.get_text(), "the intro does not link the PDF"
    assert (SITE / "book" / Path(link["href"])).resolve() == (SITE / PDF.name).resolve()
    header = intro.select_one('.article-header-buttons a[href$="logistic-regression.pdf"]')
    assert header is not None, "the header's download menu does not offer the PDF"
