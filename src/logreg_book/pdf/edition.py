"""The whole book as one HTML document, made from the built website, for Chromium to print.

Every page of ``_toc.yml`` is taken from ``_build/html`` as the website serves it (its numbers of
theorems, figures and equations are the website's because they are the website's HTML), in the
table of contents' order, under its Part. One document rather than one print per page, so that
Chromium numbers the pages through the book, turns cross-references into links inside the PDF
and writes one outline (PDF bookmarks) from the headings:

- each page's content (``article.bd-article``) is moved under a ``section`` of its own, its
  headings one level down (Parts are ``h1``, chapters ``h2``, their sections ``h3``...);
- ids are made unique by a per-page prefix, and every reference to one (``href="#..."``,
  ``url(#...)`` in SVG, ``aria-*``, ``for``) follows; a link to another page of the book, with or
  without an anchor, becomes a link inside the document; other links to the site become links to
  the published website (``html.baseurl``), or plain text where there is none;
- relative URLs of images, scripts and style sheets are made root-relative (the document is
  served from the site's root);
- solutions folded in dropdowns are unfolded.

A title page and a table of contents come first; the contents' page numbers are filled in by
``logreg_book.pdf.printer`` after the print (``CONTENTS_PAGE`` marks them).
"""

import html
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

TITLE = "Logistic Regression: From Binary to Multi-Class"
CONTENTS_PAGE = "000"  # placeholder of the contents' page numbers, as wide as three digits
ID_ATTRIBUTES = ("aria-labelledby", "aria-describedby", "aria-controls", "for")
URL_REF = re.compile(r"url\(#([^)]+)\)")


@dataclass
class Chapter:
    docname: str  # "book/softmax/cross_entropy"
    level: int  # 0: a chapter of a Part; 1: a section of a chapter in _toc.yml
    title: str = ""
    slug: str = ""


@dataclass
class Part:
    caption: str
    chapters: list = field(default_factory=list)


def read_toc(root):
    """The front page's docname and the Parts of ``_toc.yml``, in order."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    parts = []
    for part in toc.get("parts", []):
        chapters = []
        for entry in part.get("chapters", []):
            chapters.append(Chapter(entry["file"], 0))
            chapters += [Chapter(s["file"], 1) for s in entry.get("sections", [])]
        parts.append(Part(part["caption"], chapters))
    return toc["root"], parts


def _slug(docname):
    return "p-" + re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")


def _resolve(page_dir, url):
    """A site-root-relative path for a URL relative to the page's directory, or None."""
    if not url or re.match(r"^[a-z][a-z0-9+.-]*:|^//|^#", url, re.I):
        return None
    return posixpath.normpath(posixpath.join(page_dir, url)).lstrip("/")


class Combiner:
    def __init__(self, site, root=".", baseurl=""):
        self.site, self.baseurl = Path(site), baseurl.rstrip("/")
        self.front, self.parts = read_toc(root)
        self.docs = {self.front: _slug(self.front)}
        for part in self.parts:
            for chapter in part.chapters:
                chapter.slug = _slug(chapter.docname)
                self.docs[chapter.docname] = chapter.slug
        self.head_items, self.seen_head = [], set()

    def page(self, docname):
        path = self.site / f"{docname}.html"
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is in _toc.yml but not in the built site: build the website first "
                "(make book)"
            )
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")

    def _link(self, page_dir, url):
        """Where a link of a page points in the combined document (or outside it)."""
        target, _, fragment = url.partition("#")
        path = _resolve(page_dir, target) if target else None
        if path is None:
            return None
        docname = path.removesuffix(".html")
        if docname in self.docs:
            slug = self.docs[docname]
            return f"#{slug}--{fragment}" if fragment else f"#{slug}"
        if self.baseurl:
            return f"{self.baseurl}/{path}" + (f"#{fragment}" if fragment else "")
        return ""

    def _collect_head(self, soup, page_dir):
        for tag in soup.head.find_all(["link", "script", "style"]):
            if tag.name == "link" and "stylesheet" not in (tag.get("rel") or []):
                continue
            for attr in ("href", "src"):
                path = _resolve(page_dir, tag.get(attr))
                if path is not None:
                    tag[attr] = "/" + path
            key = str(tag)
            if key not in self.seen_head:
                self.seen_head.add(key)
                self.head_items.append(key)

    def content(self, docname, heading_shift):
        """The page's article, rewritten for the combined document, and its title."""
        soup = self.page(docname)
        page_dir = posixpath.dirname(docname)
        self._collect_head(soup, page_dir)
        article = soup.select_one("article.bd-article") or soup.select_one("main")
        slug = self.docs[docname]
        for tag in article.find_all(True):
            if tag.get("id"):
                tag["id"] = f"{slug}--{tag['id']}"
            for attr in ID_ATTRIBUTES:
                if tag.get(attr):
                    tag[attr] = " ".join(f"{slug}--{v}" for v in str(tag[attr]).split())
            for attr in ("href", "xlink:href"):
                url = tag.get(attr)
                if not url:
                    continue
                if url.startswith("#"):
                    tag[attr] = f"#{slug}--{url[1:]}" if len(url) > 1 else f"#{slug}"
                elif attr == "href" and tag.name == "a":
                    new = self._link(page_dir, url)
                    if new == "":
                        del tag[attr]  # a file of the site with no published address
                    elif new is not None:
                        tag[attr] = new
                elif attr == "href":
                    path = _resolve(page_dir, url)
                    if path is not None:
                        tag[attr] = "/" + path
            for attr in ("src", "data"):
                path = _resolve(page_dir, tag.get(attr))
                if path is not None:
                    tag[attr] = "/" + path
            for attr in ("style", "clip-path", "mask", "fill", "filter", "marker-end"):
                value = tag.get(attr)
                if value and "url(#" in value:
                    tag[attr] = URL_REF.sub(lambda m: f"url(#{slug}--{m.group(1)})", value)
            if tag.name == "details":
                tag["open"] = ""
        for style in article.find_all("style"):
            if style.string and "url(#" in style.string:
                style.string = URL_REF.sub(lambda m: f"url(#{slug}--{m.group(1)})", style.string)
        for tag in article.find_all(re.compile(r"^h[1-6]$")):
            level = min(6, int(tag.name[1]) + heading_shift)
            tag["class"] = [*tag.get("class", []), f"pe-was-{tag.name}"]
            tag.name = f"h{level}"
        heading = article.find(re.compile(r"^h[1-6]$"))
        title = heading.get_text(" ", strip=True).replace("#", "").strip() if heading else docname
        return "".join(str(c) for c in article.contents), title

    def document(self, page_numbers=None, front_only=False):
        """The combined HTML (str); ``page_numbers`` maps a chapter's slug to its first page.

        ``front_only``: the title page and the contents alone (after a call for the whole book),
        each entry's target an empty element, so that Chromium links the entries inside the PDF
        as it does in the whole book, by the target's name."""
        page_numbers = page_numbers or {}
        body = []
        if front_only:
            targets = "".join(f'<span id="{i}"></span>' for i in self.contents_targets())
            return self._html(self._contents(page_numbers).replace("</nav>", targets + "</nav>"))
        front, _ = self.content(self.front, 0)
        body.append(
            f'<section class="pe-chapter pe-front" id="{self.docs[self.front]}">{front}</section>'
        )
        for index, part in enumerate(self.parts):
            chapters = []
            for chapter in part.chapters:
                text, chapter.title = self.content(chapter.docname, 1 + chapter.level)
                kind = "pe-chapter" if chapter.level == 0 else "pe-chapter pe-section"
                chapters.append(f'<section class="{kind}" id="{chapter.slug}">{text}</section>')
            body.append(
                f'<section class="pe-part" id="pe-part-{index}">'
                f'<h1 class="pe-part-title">{html.escape(part.caption)}</h1>'
                + "".join(chapters)
                + "</section>"
            )
        return self._html(self._contents(page_numbers) + "".join(body))

    def contents_targets(self):
        """The ids the contents link to: the front page, each Part and each page of the book."""
        ids = [self.docs[self.front]] + [f"pe-part-{i}" for i in range(len(self.parts))]
        return ids + [chapter.slug for part in self.parts for chapter in part.chapters]

    def _html(self, body):
        head = "\n".join(self.head_items)
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="en" data-theme="light"><head><meta charset="utf-8">'
            f"<title>{html.escape(TITLE)}</title>{head}"
            '<link rel="stylesheet" href="/_static/print_edition.css"></head>'
            '<body class="pe-book"><main id="main-content" class="bd-main">'
            '<div class="bd-article-container">'
            f'<div class="pe-title"><p class="pe-book-title">{html.escape(TITLE)}</p>'
            '<p class="pe-subtitle">An interactive textbook, printed from its website</p></div>'
            f"{body}</div></main></body></html>"
        )

    def _contents(self, page_numbers):
        front = self.docs[self.front]
        rows = [
            f'<li class="pe-toc-part"><a href="#{front}">'
            f"<span>{html.escape(self._title(self.front))}</span>"
            f'<span class="pe-page">{page_numbers.get(front, CONTENTS_PAGE)}</span></a></li>'
        ]
        for index, part in enumerate(self.parts):
            number = page_numbers.get(f"pe-part-{index}", CONTENTS_PAGE)
            rows.append(
                f'<li class="pe-toc-part"><a href="#pe-part-{index}">'
                f"<span>{html.escape(part.caption)}</span>"
                f'<span class="pe-page">{number}</span></a></li>'
            )
            for chapter in part.chapters:
                title = chapter.title or self._title(chapter.docname)
                chapter.title = title
                number = page_numbers.get(chapter.slug, CONTENTS_PAGE)
                rows.append(
                    f'<li class="pe-toc-chapter pe-toc-level-{chapter.level}">'
                    f'<a href="#{chapter.slug}"><span>{html.escape(title)}</span>'
                    f'<span class="pe-page">{number}</span></a></li>'
                )
        return (
            f'<nav class="pe-contents" id="pe-contents"><h1>Contents</h1>'
            f"<ol>{''.join(rows)}</ol></nav>"
        )

    def _title(self, docname):
        heading = self.page(docname).select_one("article.bd-article h1")
        return heading.get_text(" ", strip=True).replace("#", "").strip() if heading else docname
