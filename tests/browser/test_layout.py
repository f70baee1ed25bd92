"""The website's layout in Chromium, at a phone's size (390 x 844) and a desktop's (1400 x 900).

Navigation works at both sizes with one search box; no page is wider than the window and no
formula is clipped (wide ones scroll); margin notes move below the text on a phone; the
animations fit and show their value; print (Chromium's print to PDF, checked in the PDF itself)
keeps everything within the margins, without site chrome or animation controls and without
half-blank pages; a favicon; clean search excerpts. The fixes are in
src/logreg_book/sphinx/site_layout.py and src/logreg_book/sphinx/static/. Screenshots and PDFs go
to _build/screenshots/, and the formulas still wider than their column to
_build/screenshots/wide_equations_<viewport>.md.
"""

import re

import pytest
from _axe import check_axe
from _browser import (
    CONTEXTS,
    DESKTOP,
    OVERFLOWING_JS,
    PAGES,
    PHONE,
    SEARCH_DONE_JS,
    SETTLED_JS,
    SHOTS,
    SITE,
    TYPESET_JS,
    VIEWPORTS,
    Checks,
    check_layout,
    shot_name,
)
from _figures import check_figures

PROOF_PAGE = "book/softmax/shift_invariance.html"
MARGIN_PAGE = "book/softmax/shift_invariance.html"
PRINT_PAGES = [PROOF_PAGE, "book/training/training_explorer.html"]
# A4 with 15 mm margins: the printable width in CSS pixels (96 per inch).
PDF_MARGIN_MM = 15
PRINT_WIDTH = round((210 - 2 * PDF_MARGIN_MM) / 25.4 * 96)
SHOTS.mkdir(parents=True, exist_ok=True)


def open_page(browser, server, path, viewport, errors=None, missing=None):
    """A new page at ``viewport`` with ``path`` loaded and its math typeset."""
    page = browser.new_page(viewport=viewport)
    if errors is not None:
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
    if missing is not None:
        page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto(f"{server}/{path}", wait_until="load")
    page.evaluate(TYPESET_JS)
    return page


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone(browser, server, wide_formulas, path):
    """The page on a reader's phone, loaded once for every check of that state: its layout,
    axe and its figures' text (the desktop is checked the same way by test_site.py::test_page).
    A failed check is named in the failure and does not stop the others."""
    context = browser.new_context(**CONTEXTS["phone"])
    checks = Checks(f"{path} on a phone")
    try:
        page = context.new_page()
        page.goto(f"{server}/{path}", wait_until="load")
        page.evaluate(TYPESET_JS)
        with checks("layout"):
            check_layout(page, path, PHONE, wide_formulas, "phone")
        # CSS pixels, as at the desktop's scale: the screenshot shows what the check measured.
        page.screenshot(path=str(SHOTS / shot_name(path, "_phone.png")), scale="css")
        with checks("axe"):
            check_axe(page, path, "phone")
        with checks("figure text"):
            check_figures(page, path, "phone")
    finally:
        context.close()
    checks.done()


# ---- 1. Navigation --------------------------------------------------------------------------


@pytest.mark.parametrize("name", VIEWPORTS)
def test_one_header_one_search_box(browser, server, name):
    page = open_page(browser, server, PROOF_PAGE, VIEWPORTS[name])
    try:
        # pydata-sphinx-theme's top bar is not rendered: no second search box, no hidden toggles.
        assert page.locator("header.bd-header *").count() == 0
        assert page.locator(".primary-toggle").count() == 1
        assert page.locator(".secondary-toggle").count() == 1
        visible = [b for b in page.locator(".search-button__button").all() if b.is_visible()]
        assert len(visible) == 1, f"{len(visible)} search controls visible"
        if name == "desktop":
            assert page.locator(".search-button-field:visible").count() == 1
    finally:
        page.close()


def test_chapter_list_on_phone(browser, server):
    page = open_page(browser, server, PROOF_PAGE, PHONE)
    try:
        page.locator(".primary-toggle").click()
        page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=3000)
        link = page.locator("#pst-primary-sidebar-modal a", has_text="The softmax function")
        assert link.is_visible()
        page.screenshot(path=str(SHOTS / "nav_phone_chapters.png"))
        link.click()
        page.wait_for_url("**/softmax_function.html*", timeout=5000)
    finally:
        page.close()


def test_page_contents_on_phone(browser, server):
    page = open_page(browser, server, PROOF_PAGE, PHONE)
    try:
        page.locator(".secondary-toggle").click()
        page.wait_for_selector("#pst-secondary-sidebar-modal[open]", timeout=3000)
        assert page.locator("#pst-secondary-sidebar-modal a", has_text="The theorem").is_visible()
        page.screenshot(path=str(SHOTS / "nav_phone_contents.png"))
    finally:
        page.close()


def test_chapter_list_toggles_on_desktop(browser, server):
    page = open_page(browser, server, PROOF_PAGE, DESKTOP)
    sidebar = page.locator("#pst-primary-sidebar")
    right = "el => el.getBoundingClientRect().right"
    try:
        assert sidebar.is_visible() and sidebar.evaluate(right) > 0
        page.locator(".primary-toggle").click()
        page.wait_for_function(
            "() => document.querySelector('#pst-primary-sidebar').getBoundingClientRect().right"
            " <= 0 && getComputedStyle(document.querySelector('#pst-primary-sidebar'))"
            ".visibility === 'hidden'",
            timeout=3000,
        )
        page.screenshot(path=str(SHOTS / "nav_desktop_sidebar_closed.png"))
        page.locator(".primary-toggle").click()
        page.wait_for_function(
            "() => document.querySelector('#pst-primary-sidebar').getBoundingClientRect().left"
            " >= 0 && getComputedStyle(document.querySelector('#pst-primary-sidebar'))"
            ".visibility === 'visible'",
            timeout=3000,
        )
    finally:
        page.close()


# ---- 3. Margin notes ------------------------------------------------------------------------


def test_margin_notes_below_the_text_on_phone(browser, server):
    page = open_page(browser, server, MARGIN_PAGE, PHONE)
    try:
        notes = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                 'aside.margin, aside.sidebar, div.margin, .cell.tag_margin')).map(el => ({
              float: getComputedStyle(el).float, width: el.getBoundingClientRect().width,
              column: el.parentElement.getBoundingClientRect().width}))"""
        )
        assert notes, "the page has margin notes"
        for note in notes:
            assert note["float"] == "none"
            assert note["width"] >= 0.9 * note["column"]
        cells = page.evaluate(
            """() => Array.from(document.querySelectorAll('article div.cell')).map(
                 c => c.getBoundingClientRect().width / c.parentElement.clientWidth)"""
        )
        assert min(cells) > 0.9, "a code cell is squeezed"
        page.locator("aside.margin").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "margin_phone.png"))
    finally:
        page.close()


@pytest.mark.parametrize("width", [1024, 1199, 1400])
def test_margin_notes_stay_in_the_window(browser, server, width):
    """Wide screens, with the chapter list shown and hidden (the text then widens)."""
    page = open_page(browser, server, MARGIN_PAGE, {"width": width, "height": 900})
    try:
        for toggle in (False, True):
            if toggle:
                page.locator(".primary-toggle").click()
                page.evaluate(SETTLED_JS)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"sidebar hidden={toggle}: page is {scroll_width}px"
            outside = page.evaluate(OVERFLOWING_JS, width)
            assert not outside, f"sidebar hidden={toggle}: {outside[:3]}"
    finally:
        page.close()


# ---- 4. Print -------------------------------------------------------------------------------


PRINT_STATE_JS = """() => {
  const shown = (sel) => Array.from(document.querySelectorAll(sel)).filter(
    (el) => getComputedStyle(el).display !== "none" && el.getClientRects().length > 0).length;
  const math = Array.from(document.querySelectorAll('mjx-container[display="true"]')).map(
    (box) => box.querySelector("mjx-math").getBoundingClientRect().right);
  return {
    chrome: shown(".bd-header-article, .bd-sidebar-primary, .bd-sidebar-secondary, "
                  + ".prev-next-footer, .bd-footer, #pst-back-to-top, button"),
    controls: shown(".lp-controls button, .lp-controls input"),  // logreg_book.player's
    frames: shown(".logreg-player .lp-panels img"),
    mathRight: Math.max(0, ...math),
  };
}"""


@pytest.mark.parametrize("path", PRINT_PAGES)
def test_print(browser, server, path):
    page = open_page(browser, server, path, {"width": PRINT_WIDTH, "height": 1100})
    try:
        page.emulate_media(media="print")
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        page.evaluate(SETTLED_JS)
        state = page.evaluate(PRINT_STATE_JS)
        assert state["chrome"] == 0, "navigation, header or buttons are printed"
        assert state["controls"] == 0, "animation controls are printed"
        html = (SITE / path).read_text(encoding="utf-8")
        if "logreg-player" in html:
            assert state["frames"] > 0, "the animations' current frames are not printed"
        assert state["mathRight"] <= PRINT_WIDTH + 1, "a formula passes the right margin"
        outside = page.evaluate(OVERFLOWING_JS, PRINT_WIDTH)
        assert not outside, f"printed past the right margin: {outside[:5]}"
        pdf = SHOTS / shot_name(path, ".pdf")
        margin = f"{PDF_MARGIN_MM}mm"
        page.pdf(
            path=str(pdf),
            format="A4",
            print_background=True,
            margin={"top": margin, "bottom": margin, "left": margin, "right": margin},
        )
        check_pdf(pdf, page)
    finally:
        page.close()


def check_pdf(pdf, page):
    """No text past the right margin, no page (but the last) half blank; a PNG of each page."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    fill = []
    for i in range(len(doc)):
        pdf_page = doc[i]
        width, _ = pdf_page.get_size()
        text = pdf_page.get_textpage()
        rights = [
            text.get_charbox(j)[2]
            for j in range(text.count_chars())
            if not text.get_text_range(j, 1).isspace()  # pdfium adds line breaks at line ends
        ]
        limit = width - PDF_MARGIN_MM / 25.4 * 72 + 2
        assert max(rights, default=0) <= limit, f"{pdf.name} p{i + 1}: text past the margin"
        image = pdf_page.render(scale=1).to_pil()
        image.save(pdf.with_name(f"{pdf.stem}_p{i + 1:02d}.png"))
        ink = image.convert("L").point(lambda v: 255 if v < 245 else 0).getbbox()
        fill.append(ink[3] / image.height if ink else 0)
    blank = [i + 1 for i, f in enumerate(fill[:-1]) if f < 0.6]
    assert not blank, f"{pdf.name}: pages {blank} are mostly blank ({fill})"


# ---- 5. Favicon -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["book/intro.html", "search.html", *PAGES[:3]])
def test_favicon_and_no_missing_files(browser, server, path):
    missing = []
    page = open_page(browser, server, path, DESKTOP, missing=missing)
    try:
        href = page.get_attribute("link[rel='icon']", "href")
        assert href, "no favicon link"
        assert page.request.get(page.url.rsplit("/", 1)[0] + "/" + href).ok
        page.wait_for_load_state("networkidle")  # what the page requests late has answered
        assert not missing, f"404s: {missing}"
    finally:
        page.close()


# ---- 6. Search ------------------------------------------------------------------------------


def search_results(browser, url, viewport, errors):
    page = browser.new_page(viewport=viewport)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url, wait_until="load")
    page.wait_for_selector("#search-results ul.search li", timeout=15_000)
    page.wait_for_function(SEARCH_DONE_JS, timeout=15_000)
    return page


@pytest.mark.parametrize("name", VIEWPORTS)
def test_search_excerpts_are_clean(browser, server, name):
    errors = []
    page = search_results(browser, f"{server}/search.html?q=softmax", VIEWPORTS[name], errors)
    try:
        excerpts = page.locator("#search-results p.context").all_inner_texts()
        assert len(excerpts) >= 5
        for text in excerpts:
            assert "\\(" not in text and "\\[" not in text and "\\frac" not in text, text
            assert not re.search(r"\.(pdf|ipynb|md)\b", text), text
            assert "Contents" not in text[:80], text
        page.screenshot(path=str(SHOTS / f"search_{name}.png"), full_page=False)
        assert not errors, errors[:3]
    finally:
        page.close()


def test_search_from_the_file_system(browser):
    errors = []
    url = (SITE / "search.html").as_uri() + "?q=softmax"
    page = search_results(browser, url, DESKTOP, errors)
    try:
        assert page.locator("#search-results ul.search li").count() >= 5
        assert not errors, f"{len(errors)} console errors, e.g. {errors[:2]}"
    finally:
        page.close()


# ---- Screenshots ----------------------------------------------------------------------------


def test_screenshots(browser, server):
    for name, viewport in VIEWPORTS.items():
        for path in [PROOF_PAGE, "book/training/learning_features.html"]:
            page = open_page(browser, server, path, viewport)
            page.screenshot(path=str(SHOTS / shot_name(path, f"_{name}.png")))
            theorem = page.locator("#thm-shift-invariance, #prop-two-layer-backward").first
            theorem.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / shot_name(path, f"_{name}_math.png")))
            page.close()
        page = open_page(browser, server, "book/training/training_explorer.html", viewport)
        player = page.locator(".logreg-player").first
        player.scroll_into_view_if_needed()
        player.screenshot(path=str(SHOTS / f"player_{name}.png"))
        page.close()
