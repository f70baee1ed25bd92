"""Figures on a phone and on a desktop: the layout each gets, and a tap that opens one full size.

Every figure's smallest text, as the reader sees it, is checked on every page at both sizes by
_figures.check_figures, on the pages that test_site.py::test_page (desktop) and
test_layout.py::test_page_fits_a_phone (phone) load for their own checks; the table of every
figure is _build/screenshots/figure_text.md.
"""

from _browser import CONTEXTS, PAGES, PHONE, SHOTS
from _figures import images_in_html


def test_the_book_has_figures_to_measure(browser):
    """The per-page check compares what it measures with the built page's output images: that
    must be more than nothing, or it would pass on a selector that finds none."""
    page = browser.new_page()
    try:
        counts = {path: images_in_html(page, path) for path in PAGES}
    finally:
        page.close()
    assert sum(counts.values()) >= 20, f"output images per page: {counts}"
    assert sum(n > 0 for n in counts.values()) >= 10, f"output images per page: {counts}"


def test_a_tap_opens_a_figure_full_size_on_a_phone(browser, server):
    path = "book/softmax/kl_divergence.html"
    context = browser.new_context(**CONTEXTS["phone"])
    try:
        page = context.new_page()
        page.goto(f"{server}/{path}", wait_until="load")
        link = page.locator("figure a.logreg-figure-link").first
        img = link.locator("img")
        alt = img.get_attribute("alt")
        assert alt and len(alt) > 20  # the link's accessible name is the image's alt text
        link.scroll_into_view_if_needed()
        in_page = img.evaluate("(img) => img.getBoundingClientRect().width")
        page.screenshot(path=str(SHOTS / "figures_phone_before_tap.png"))
        shown_src = img.evaluate("(img) => img.currentSrc")
        assert shown_src.endswith(".narrow.png")
        with page.expect_navigation():
            link.tap()
        assert page.url == shown_src  # the layout the reader was looking at, on its own
        shown = page.evaluate(
            "() => { const i = document.images[0]; return {type: document.contentType, "
            "width: i.getBoundingClientRect().width, natural: i.naturalWidth}; }"
        )
        page.screenshot(path=str(SHOTS / "figures_phone_after_tap.png"))
        assert shown["type"] == "image/png"
        # the whole figure across the screen, wider than in the page's 342-px column
        assert shown["width"] >= 0.9 * min(PHONE["width"], shown["natural"]), shown
        assert shown["width"] > in_page, (shown, in_page)
        page.go_back(wait_until="load")
        assert page.url.endswith(path)
    finally:
        context.close()


SHOWN = {
    "book/training/softmax_from_scratch.html": "fig-digits-mistakes",
    "book/softmax/softmax_function.html": "fig-softmax-temperature",
    "book/practice/evaluation.html": "fig-reliability",
}


def test_a_phone_gets_the_narrow_layout_and_a_desktop_the_wide_one(browser, server):
    """Screenshots of three figures at both sizes: figures_<viewport>_<figure id>.png."""
    for viewport_name in ("phone", "desktop"):
        context = browser.new_context(**CONTEXTS[viewport_name])
        try:
            page = context.new_page()
            for path, figure_id in SHOWN.items():
                page.goto(f"{server}/{path}", wait_until="load")
                figure = page.locator(f"figure#{figure_id}")
                figure.scroll_into_view_if_needed()
                img = figure.locator("img")
                page.wait_for_function(
                    "(img) => img.complete && img.naturalWidth > 0", arg=img.element_handle()
                )
                chosen = img.evaluate("(img) => img.currentSrc")
                narrow = chosen.endswith(".narrow.png")
                assert narrow == (viewport_name == "phone"), f"{path} at {viewport_name}: {chosen}"
                assert figure.locator("figcaption").inner_text().strip()  # the caption is kept
                figure.screenshot(path=str(SHOTS / f"figures_{viewport_name}_{figure_id}.png"))
        finally:
            context.close()
