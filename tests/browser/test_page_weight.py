"""A light first load on a throttled phone, the icons that replace fontawesome.js, and HTML
hygiene (light_pages.py). LOGREG_SITE_DIR points the tests at another built site (for
example an older build, on which the weight, hygiene and Proof Index tests fail)."""

import collections
import html.parser
import os
import re
from pathlib import Path

import pytest
from _browser import OVERFLOWING_JS, SHOTS, SITE
from _tools import load_tool
from playwright.sync_api import TimeoutError as PlaywrightTimeout

SITE_DIR = Path(os.environ.get("LOGREG_SITE_DIR", SITE))
PAGES = sorted(SITE_DIR.rglob("*.html"))
PAGES = [p for p in PAGES if "_static" not in p.relative_to(SITE_DIR).parts]
page_weight = load_tool("page_weight")

FIRST_PAINT_MS = 3000
WEIGHT_BYTES = 1_500_000
SHOT_PREFIX = "weight_" if SITE_DIR == SITE else "weight_other_site_"


class _Head(html.parser.HTMLParser):
    """The head's scripts (src, defer/async), its viewport tags, and every id of the page."""

    def __init__(self):
        super().__init__()
        self.in_head, self.has_head, self.scripts, self.viewports, self.ids = (
            False,
            False,
            [],
            0,
            [],
        )

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "head":
            self.in_head = self.has_head = True
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if self.in_head and tag == "script" and attrs.get("src"):
            blocking = "defer" not in attrs and "async" not in attrs
            self.scripts.append((attrs["src"].split("?")[0], blocking))
        if tag == "meta" and attrs.get("name") == "viewport":
            self.viewports += 1

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


@pytest.fixture(scope="module")
def parsed():
    if not PAGES:
        pytest.fail(f"{SITE_DIR} has no pages; build the book first (make book)")
    out = {}
    for path in PAGES:
        parser = _Head()
        parser.feed(path.read_text("utf-8"))
        out[path.relative_to(SITE_DIR).as_posix()] = parser
    return out


def test_one_viewport_tag_per_page(parsed):
    # index.html is a one-line redirect to book/intro.html, not a page.
    counts = {page: p.viewports for page, p in parsed.items() if p.has_head and p.viewports != 1}
    assert not counts, f"pages without exactly one <meta name=viewport>: {counts}"


def test_no_id_twice_on_a_page(parsed):
    repeated = {}
    for page, p in parsed.items():
        twice = {i: n for i, n in collections.Counter(p.ids).items() if n > 1}
        if twice:
            repeated[page] = twice
    assert not repeated, f"ids repeated on a page: {repeated}"


def test_no_page_blocks_on_the_search_index_or_the_icon_library(parsed):
    blocking, icon_library, index_outside_search = [], [], []
    for page, p in parsed.items():
        for src, is_blocking in p.scripts:
            name = src.rsplit("/", 1)[-1]
            if name == "searchindex.js" and is_blocking:
                blocking.append(page)
            if name == "searchindex.js" and page != "search.html":
                index_outside_search.append(page)
            if name == "fontawesome.js":
                icon_library.append(page)
    assert not blocking, f"render-blocking searchindex.js in the head of {blocking}"
    assert not index_outside_search, f"searchindex.js loaded outside search: {index_outside_search}"
    assert not icon_library, f"fontawesome.js (1.5 MB) still loaded by {icon_library}"
    assert "searchindex.js" in [s.rsplit("/", 1)[-1] for s, _ in parsed["search.html"].scripts]


def test_no_icon_left_to_a_script():
    """Every Font Awesome <i>/<span> was replaced by its SVG at build time."""
    left = re.compile(r'<(?:i|span) [^>]*class="[^"]*\bfa[bsr]?\b|class="[^"]*\bfa-solid\b')
    pages = [p.relative_to(SITE_DIR).as_posix() for p in PAGES if left.search(p.read_text())]
    assert not pages, f"icons still waiting for fontawesome.js on {pages}"


@pytest.fixture(scope="module")
def gzip_server():
    with page_weight.serve(SITE_DIR, compress=True) as base:
        yield base


@pytest.fixture(scope="module")
def raw_server():
    with page_weight.serve(SITE_DIR, compress=False) as base:
        yield base


def test_text_page_is_light_on_a_throttled_phone(browser, gzip_server, raw_server):
    """The targets, judged as a static host serves the site (GitHub Pages gzips text): first
    paint within 3 s and at most 1.5 MB on the wire for a text-only chapter. Uncompressed
    (python -m http.server) neither holds: the theme's CSS alone (0.40 MB) takes 2 s to arrive
    and MathJax is 1.16 MB; those figures are printed for the record, not asserted."""
    page = page_weight.TEXT_PAGE
    gz = _measure(browser, f"{gzip_server}/{page}")
    raw = _measure(browser, f"{raw_server}/{page}")
    print(page_weight.HEADER)
    print(page_weight.row(page, "gzip", gz))
    print(page_weight.row(page, "raw", raw))
    assert not gz["failed"] and not raw["failed"]
    assert gz["fp"] is not None and gz["fp"] <= FIRST_PAINT_MS, gz
    assert gz["encoded"] <= WEIGHT_BYTES, f"{gz['encoded']} bytes on the wire (gzip)"
    # Compressed, the old site met both targets too (1.46 MB, first paint 1.6-2.1 s); what it
    # loaded that a reader of this page does not need is checked on its own.
    unneeded = ("fontawesome.js", "searchindex.js", "searchtools.js", "sphinx-design.min.css")
    loaded = [url.split("?")[0].rsplit("/", 1)[-1] for _, _, url in gz["top"]]
    assert not set(unneeded) & set(loaded), sorted(set(unneeded) & set(loaded))


def _measure(browser, url):
    """page_weight.measure, once more in a fresh context if the load never ended: on a machine
    busy with two other CPU-bound processes and three test workers, a throttled load that takes
    10 s stalled once for the whole 240 s (a load that never ends fails twice)."""
    try:
        return page_weight.measure(browser, url, timeout=90.0)
    except (PlaywrightTimeout, TimeoutError) as stalled:
        print(f"{url}: {stalled.__class__.__name__}, measured again")
        return page_weight.measure(browser, url, timeout=90.0)


# ----- Icons, search and the Proof Index in the browser ----------------------------------------

BOTH = ("desktop", "phone")
# The header's buttons, the search field, the color mode, the table of contents and the
# previous/next arrows; at 1400px the page contents sit in a sidebar (a "Contents" title with a
# list icon) and the search field in the primary sidebar, on a phone both are header buttons.
ICONS = {
    "primary sidebar": (".primary-toggle svg", BOTH),
    # Any other header button (launch, repository: present or not depending on the build).
    "header button": (".bd-header-article .btn svg", BOTH),
    "download": (".dropdown-download-buttons > button svg", BOTH),
    "full screen": (".btn-fullscreen-button svg", BOTH),
    "color mode": (".theme-switch-button svg", BOTH),
    "search": (".search-button__button svg, .bd-sidebar-primary form.bd-search svg", BOTH),
    "page contents": (".secondary-toggle svg", ("phone",)),
    "contents title": (".page-toc.tocsection svg", ("desktop",)),
    "previous": (".prev-next-area .left-prev svg", BOTH),
    "next": (".prev-next-area .right-next svg", BOTH),
}
ICON_JS = """(selector) => Array.from(document.querySelectorAll(selector)).filter(
  (e) => e.getBoundingClientRect().width > 0 && getComputedStyle(e).display !== "none"
).map((e) => {
  const r = e.getBoundingClientRect(), path = e.querySelector("path");
  return {w: r.width, h: r.height, fill: getComputedStyle(path).fill,
          color: getComputedStyle(e).color, d: path.getAttribute("d").length};
})"""


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_icons_show_without_fontawesome(browser, gzip_server, size, mode):
    viewport = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
    context = browser.new_context(viewport=viewport[size], device_scale_factor=2)
    context.add_init_script(f'localStorage.setItem("mode", "{mode}")')
    try:
        page = context.new_page()
        requested = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{gzip_server}/book/softmax/kl_divergence.html", wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        for name, (selector, sizes) in ICONS.items():
            if size not in sizes:
                continue
            shown = page.evaluate(ICON_JS, selector)
            assert shown, f"{name} icon ({selector}) not shown at {size}, {mode}"
            for icon in shown:
                assert 8 <= icon["h"] <= 40 and icon["w"] >= 6 and icon["d"] > 20, (name, icon)
                assert icon["fill"] == icon["color"] != "rgba(0, 0, 0, 0)", (name, icon)
        if size == "phone":  # at 1400px the theme never shows it (before this change too)
            # It appears when the reader scrolls up from further down.
            page.evaluate("window.scrollTo(0, 3000)")
            page.wait_for_function("document.body.classList.contains('scrolled')")
            page.evaluate("window.scrollTo(0, 2600)")
            back = page.locator("#pst-back-to-top svg")
            back.wait_for(state="visible", timeout=30_000)
            assert back.bounding_box()["height"] >= 8
        page.evaluate("window.scrollTo(0, 0)")
        assert not [u for u in requested if "fontawesome.js" in u]
        SHOTS.mkdir(parents=True, exist_ok=True)
        header = page.locator(".bd-header-article")
        header.screenshot(path=str(SHOTS / f"{SHOT_PREFIX}icons_header_{size}_{mode}.png"))
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_search_still_finds_pages(browser, gzip_server, scheme):
    """searchindex.js is loaded (deferred) by the search page only; results appear over http
    and from the file system (where the README promises titles without excerpts)."""
    base = gzip_server if scheme == "http" else SITE_DIR.resolve().as_uri()
    page = browser.new_page()
    try:
        page.goto(f"{base}/search.html?q=softmax", wait_until="load")
        page.wait_for_function(
            "document.querySelectorAll('#search-results ul.search li').length > 3",
            timeout=60_000,
        )
        assert "softmax" in page.locator("#search-results").inner_text().lower()
    finally:
        page.close()


def test_proof_index_names_its_entries_and_fits_a_phone(browser, gzip_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(f"{gzip_server}/prf-prf.html", wait_until="load")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{SHOT_PREFIX}proof_index_phone.png"), full_page=True)
        entries = page.evaluate(
            """() => Array.from(document.querySelectorAll("table.modindextable tr:not(.cap) a"))
                 .map((a) => ({name: a.textContent.trim(), href: a.getAttribute("href"),
                               row: a.closest("tr").textContent.replace(/\\s+/g, " ").trim()}))"""
        )
        assert len(entries) >= 20, entries
        kinds = "Theorem|Definition|Lemma|Proposition|Corollary|Algorithm|Example|Remark"
        problems = [
            f"not named: {e}"
            for e in entries
            if not re.fullmatch(rf"({kinds}) \d+(\.\d+)*", e["name"])
        ]
        problems += [f"no title: {e}" for e in entries if len(e["row"]) <= len(e["name"]) + 3]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            problems.append(f"the Proof Index is {width}px wide on a 390px phone")
        problems += [f"past the edge: {o}" for o in page.evaluate(OVERFLOWING_JS, 390)]
        assert not problems, f"{len(problems)} problems: {problems[:3]} ... {problems[-2:]}"
        # Every entry leads to its theorem (the anchor exists on the target page).
        target = entries[0]["href"]
        page.goto(f"{gzip_server}/{target}", wait_until="load")
        anchor = target.split("#", 1)[1]
        assert page.evaluate("(id) => !!document.getElementById(id)", anchor), target
    finally:
        context.close()


def test_proofs_keep_their_style_without_the_repeated_id(browser, gzip_server):
    page = browser.new_page()
    try:
        page.goto(f"{gzip_server}/book/softmax/kl_divergence.html", wait_until="load")
        styles = page.evaluate(
            """() => Array.from(document.querySelectorAll("div.proof.admonition"))
                 .filter((d) => d.classList.length === 2 || d.classList.contains("proof-body"))
                 .map((d) => getComputedStyle(d).paddingLeft)"""
        )
        assert styles and set(styles) == {"32px"}, styles
    finally:
        page.close()
