"""The book as one PDF, printed by Chromium from the built website.

    python -m logreg_book.pdf [--site _build/html] [--out _build/pdf/logistic-regression.pdf]

Route (README, "The PDF"): ``logreg_book.pdf.edition`` joins every page of ``_toc.yml`` into
one HTML document; Debian's Chromium, driven by Playwright as the browser tests drive it, lays
it out with the website's print style sheet (MathJax typeset, each animation at its
representative frame with its value, solutions unfolded) and prints it once. Chromium turns
each link inside the document into a link to a named destination, and every heading has one
(its "#" link, printed invisible): the destinations say on which page each Part, chapter and
section begins. The title page and the contents are then printed again alone, with those page
numbers, and take the place of their first print (they fill the same pages: the numbers'
placeholders are as wide). pypdf writes the outline (bookmarks) from the headings and their
destinations, and the title. The file is written to ``--out`` and copied into the site
(``logistic-regression.pdf``), which links it.
"""

import argparse
import contextlib
import functools
import http.server
import io
import shutil
import sys
import threading
import time
from pathlib import Path

import yaml

from .edition import TITLE, Combiner

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
BOOK_PATH = "/__print_edition__.html"
FRONT_PATH = "/__print_edition_front__.html"
FILE_NAME = "logistic-regression.pdf"
MARGIN_MM = 15
PRINT_WIDTH = 680  # A4 less two 15 mm margins, in CSS pixels (96 per inch)
# Printed at 0.9: text at 10.8 pt, 410 pages rather than 488. Figures come in the layout the site
# gives a page 680 px wide, the narrow one where a figure has two (its text as large as on a phone).
SCALE = 0.9
FOOTER = (
    '<div style="width:100%;font-size:8pt;text-align:center;color:#444;'
    'font-family:sans-serif"><span class="pageNumber"></span></div>'
)
READY_JS = """async () => {
  const startup = window.MathJax && MathJax.startup;
  if (startup && startup.promise) await startup.promise;
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map((img) => img.decode().catch(() => null)));
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const running = document.getAnimations().filter(
    (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(running.map((a) => a.finished.catch(() => null)));
}"""
# Each heading a reader sees, in order: its level, its text as printed (without its "#" link)
# and the id its destination has (its "#" link's target, else the section or nav it heads).
HEADINGS_JS = """() => Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
  .filter((h) => h.getClientRects().length > 0)
  .map((h) => {
    const copy = h.cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach((a) => a.remove());
    const link = h.querySelector("a.headerlink");
    const id = link ? link.getAttribute("href").slice(1) : h.closest("[id]").id;
    return [Number(h.tagName[1]), copy.textContent.replace(/\\s+/g, " ").trim(), id];
  })"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    documents = {}  # path -> str: documents made here, served beside the site's files

    def do_GET(self):
        document = self.documents.get(self.path.split("?")[0])
        if document is None:
            return super().do_GET()
        body = document.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site, documents):
    """The site's files, and ``documents`` (path -> HTML, changeable while served), locally."""
    handler = type("Handler", (_Handler,), {"documents": documents})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _print(page):
    """The PDF (bytes): A4, the website's print style, page numbers at the foot."""
    margin = f"{MARGIN_MM}mm"
    return page.pdf(
        format="A4",
        print_background=True,
        margin={"top": margin, "bottom": margin, "left": margin, "right": margin},
        display_header_footer=True,
        header_template="<div></div>",
        footer_template=FOOTER,
        scale=SCALE,
    )


def _open(browser, url):
    """A page at ``url`` laid out for print, typeset, its images decoded."""
    page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": 1100})
    page.set_default_timeout(300_000)
    page.goto(url, wait_until="load")
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.evaluate(READY_JS)
    return page


def _reader(pdf_bytes):
    import logging

    from pypdf import PdfReader

    # pypdf reports Chromium's trailer, which counts fewer objects than the file holds, on
    # every read; the file is read correctly
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    return PdfReader(io.BytesIO(pdf_bytes))


def destinations(reader):
    """Named destination -> page index (from 0)."""
    return {
        name.removeprefix("/"): reader.get_destination_page_number(destination)
        for name, destination in reader.named_destinations.items()
    }


def assemble(book, front, headings, out, depth=4):
    """``book`` with its first pages replaced by ``front`` (as many), an outline from
    ``headings`` (level, title, destination) down to ``depth`` levels, and the title; to ``out``.

    The outline is written here, not by Chromium: its own repeats the text of a heading that
    moved to the next page while being laid out ("1.8. 1.8. ExercisesExercises")."""
    from pypdf import PdfWriter

    pages = destinations(book)
    front_pages = len(front.pages)
    missing = [target for _, _, target in headings if target not in pages]
    if missing != ["pe-contents"]:  # the contents page has no link to it
        raise RuntimeError(f"no destination in the PDF for the headings {missing[:5]}")
    writer = PdfWriter(clone_from=book)
    if "/Outlines" in writer.root_object:
        del writer.root_object["/Outlines"]
    for index in range(front_pages):  # the same pages, with the page numbers in the contents
        writer.insert_page(front.pages[index], index)
        writer.remove_page(index + 1)
    parents = {}
    for level, title, target in headings:
        if level > depth:
            continue
        parent = next((parents[k] for k in range(level - 1, 0, -1) if k in parents), None)
        page = pages.get(target, 1)  # the contents: the page after the title's
        parents[level] = writer.add_outline_item(title=title, page_number=page, parent=parent)
        for deeper in [k for k in parents if k > level]:
            del parents[deeper]
    writer.add_metadata({"/Title": TITLE, "/Creator": "logreg_book.pdf (Chromium)"})
    writer.page_mode = "/UseOutlines"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        writer.write(f)


def baseurl(root):
    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8")) or {}
    return ((config.get("html") or {}).get("baseurl") or "").strip()


def build(site, out, root=".", log=print):
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    site, out = Path(site), Path(out)
    if not CHROMIUM.exists():
        raise FileNotFoundError(
            f"Chromium not found at {CHROMIUM}: install Debian's package chromium (.ci/run does)"
        )
    combiner = Combiner(site, root, baseurl(root))
    documents = {BOOK_PATH: combiner.document()}
    with serve(site, documents) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = _open(browser, origin + BOOK_PATH)
            headings = page.evaluate(HEADINGS_JS)
            book = _reader(_print(page))
            page.close()
            pages = destinations(book)
            numbers = {i: pages[i] + 1 for i in combiner.contents_targets() if i in pages}
            if len(numbers) < len(combiner.contents_targets()):
                raise RuntimeError("Chromium wrote no destination for some chapters")
            log(f"printed {len(book.pages)} pages ({time.perf_counter() - started:.0f} s)")
            documents[FRONT_PATH] = combiner.document(numbers, front_only=True)
            front = _reader(_print(_open(browser, origin + FRONT_PATH)))
        finally:
            browser.close()
    placeholders = pages[combiner.docs[combiner.front]]  # the pages before the front page's
    if len(front.pages) != placeholders:
        raise RuntimeError(
            f"the title and contents took {len(front.pages)} pages with their page numbers, "
            f"{placeholders} with the placeholders"
        )
    assemble(book, front, headings, out)
    shutil.copyfile(out, site / FILE_NAME)
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="_build/html", help="the built website")
    parser.add_argument("--out", default=f"_build/pdf/{FILE_NAME}")
    parser.add_argument("--root", default=".", help="the folder of _toc.yml and _config.yml")
    args = parser.parse_args(argv)
    try:
        build(args.site, args.out, args.root)
    except (FileNotFoundError, RuntimeError) as error:
        sys.exit(f"make pdf: {error}")


if __name__ == "__main__":
    main()
