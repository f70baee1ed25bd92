"""logreg_book.pdf.edition: the built pages joined into one document, references kept."""

import pytest
from bs4 import BeautifulSoup

from logreg_book.pdf.edition import CONTENTS_PAGE, Combiner

PAGE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="{up}_static/site.css"><link rel="icon" href="{up}_static/x.svg">
<script src="{up}_static/site.js"></script></head><body>
<article class="bd-article"><section id="{name}-top"><h1>{title}</h1>
<p><a href="#{name}-top">here</a> <a href="{other}#eq-1">there</a> <a href="{other}">page</a>
<a href="{up}_sources/x.ipynb">source</a> <a href="https://example.org/a">web</a></p>
<img src="../_images/f.png"><label for="box">box</label><input id="box">
<svg><clipPath id="c1"></clipPath><path clip-path="url(#c1)"></path></svg>
<details><summary>Solution</summary>text</details>
<h2>Part of {name}</h2></section></article></body></html>"""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: 'Part I: One'\n"
        "    chapters:\n      - file: book/a/one\n"
        "        sections:\n          - file: book/a/two\n",
        encoding="utf-8",
    )
    pages = {
        "book/intro": ("Intro", "a/one.html"),
        "book/a/one": ("1. One", "two.html"),
        "book/a/two": ("1.1. Two", "one.html"),
    }
    for docname, (title, other) in pages.items():
        path = tmp_path / "html" / f"{docname}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        up = "../" * docname.count("/")
        name = docname.rsplit("/", 1)[1]
        path.write_text(PAGE.format(up=up, title=title, other=other, name=name), encoding="utf-8")
    return tmp_path


def test_pages_join_in_toc_order_with_unique_ids_and_inner_links(site):
    combiner = Combiner(site / "html", site)
    soup = BeautifulSoup(combiner.document(), "html.parser")
    sections = [s["id"] for s in soup.select("section.pe-chapter")]
    assert sections == ["p-book-intro", "p-book-a-one", "p-book-a-two"]
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), "an id repeats"
    one = soup.select_one("#p-book-a-one")
    hrefs = [a.get("href") for a in one.select("p a")]
    # its own anchor, another page's anchor, another page, a site file (no address), the web
    assert hrefs == [
        "#p-book-a-one--one-top",
        "#p-book-a-two--eq-1",
        "#p-book-a-two",
        None,
        "https://example.org/a",
    ]
    assert one.img["src"] == "/book/_images/f.png"
    assert one.label["for"] == one.input["id"] == "p-book-a-one--box"
    assert one.path["clip-path"] == "url(#p-book-a-one--c1)"
    assert one.details.has_attr("open")
    # a chapter's headings go one level down, a section's two; Parts are h1
    assert one.find("h2").get_text() == "1. One"
    assert soup.select_one("#p-book-a-two").find("h3").get_text() == "1.1. Two"
    assert soup.select_one(".pe-part-title").get_text() == "Part I: One"
    # the head: the site's style sheets and scripts once each, root-relative; no icons
    heads = [t.get("href") or t.get("src") for t in soup.head.find_all(["link", "script"])]
    assert heads == ["/_static/site.css", "/_static/site.js", "/_static/print_edition.css"]


def test_contents_take_page_numbers_when_given(site):
    combiner = Combiner(site / "html", site)
    first = BeautifulSoup(combiner.document(), "html.parser")
    assert {p.get_text() for p in first.select(".pe-page")} == {CONTENTS_PAGE}
    numbers = {"p-book-intro": 3, "pe-part-0": 4, "p-book-a-one": 4, "p-book-a-two": 6}
    assert combiner.contents_targets() == list(numbers)
    second = BeautifulSoup(combiner.document(numbers), "html.parser")
    links = second.select(".pe-contents a")
    rows = [(a["href"], a.select_one(".pe-page").get_text()) for a in links]
    assert rows == [(f"#{key}", str(value)) for key, value in numbers.items()]
    # alone: the same contents, each target an empty element of its own, no page of the book
    front = BeautifulSoup(combiner.document(numbers, front_only=True), "html.parser")
    assert [a["href"] for a in front.select(".pe-contents a")] == [f"#{k}" for k in numbers]
    assert [span["id"] for span in front.select(".pe-contents span[id]")] == list(numbers)
    assert not front.select("section") and front.select_one(".pe-title")


def test_links_to_site_files_go_to_the_published_site_when_it_has_an_address(site):
    combiner = Combiner(site / "html", site, baseurl="https://book.example/")
    soup = BeautifulSoup(combiner.document(), "html.parser")
    hrefs = [a.get("href") for a in soup.select("#p-book-a-one p a")]
    assert hrefs[3] == "https://book.example/_sources/x.ipynb"


def test_a_page_missing_from_the_build_is_named(site):
    (site / "html" / "book" / "a" / "two.html").unlink()
    with pytest.raises(FileNotFoundError, match=r"book/a/two.html.*make book"):
        Combiner(site / "html", site).document()
