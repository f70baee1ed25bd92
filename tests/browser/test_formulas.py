"""Formulas on a phone (390 x 844): statements fit, and a display that must scroll says so.

The checks of every page at both sizes are in _browser.check_layout (run by test_layout.py's
phone test and test_site.py's desktop test): no inline formula wider than its line, no display
that scrolls on the desktop, and on the phone only the displays of _browser.SCROLLING_DISPLAYS,
none a statement, each with its cue. This file checks the cue itself (site_layout.js and .css) on
a display made too wide for the phone, and saves the screenshots that show the fixes.
"""

import io

import pytest
from _browser import (
    DESKTOP,
    DISPLAYS_JS,
    PHONE,
    SCROLLING_DISPLAYS,
    SHOTS,
    check_scroll_cue,
    display_key,
)
from PIL import Image, ImageStat
from test_layout import open_page

# The two statements the review found cut on a phone (the Hessian, the intercept).
STATEMENTS = [
    ("book/training/second_order.html", "thm-binary-hessian"),
    ("book/practice/generative_view.html", "thm-lda-posterior"),
]
# About 30 em: wider than a phone's column, narrower than the desktop's.
WIDE_TEX = (
    r"\[" + " + ".join(f"x_{{{i}}}^2" for i in range(1, 13)) + r" = \lVert\mathbf x\rVert^2 \]"
)
INJECT_JS = """async (tex) => {
  const div = document.createElement("div");
  div.className = "math notranslate nohighlight";
  div.id = "sl-test-wide";
  div.textContent = tex;
  document.querySelector("article.bd-article section").appendChild(div);
  await MathJax.typesetPromise([div]);
  window.slMeasureMath();
}"""
BOX = "#sl-test-wide mjx-container"


def the_display(page, label):
    return next(d for d in page.evaluate(DISPLAYS_JS) if d["label"] == label)


def scrollbar_darkness(png):
    """The darkest pixel of the bottom 3 rows, where site_layout.css draws the scrollbar."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return image.crop((0, image.height - 3, image.width, image.height)).getextrema()[0]


def right_edge_brightness(png, box):
    """Mean brightness of the formula's last 2 rem (its content, above the scrollbar)."""
    image = Image.open(io.BytesIO(png)).convert("L")
    strip = image.crop((image.width - 32, 4, image.width - 2, box["clientHeight"] - 4))
    return ImageStat.Stat(strip).mean[0], strip.getextrema()[0]


@pytest.mark.parametrize("path,label", STATEMENTS)
def test_statement_fits_a_phone(browser, server, path, label):
    page = open_page(browser, server, path, PHONE)
    try:
        displays = [d for d in page.evaluate(DISPLAYS_JS) if d["statement"] == label]
        assert displays, f"{label} has no display formula"
        for d in displays:
            hidden = d["scrollWidth"] - d["clientWidth"]
            assert hidden <= 1, f"{label}: {hidden}px of {d['tex'][:40]} are off screen"
        block = page.locator(f"#{label}")
        block.scroll_into_view_if_needed()
        block.screenshot(path=str(SHOTS / f"formulas_phone_{label}.png"))
    finally:
        page.close()


def test_a_display_too_wide_shows_the_cue(browser, server):
    page = open_page(browser, server, "book/softmax/softmax_function.html", PHONE)
    try:
        page.evaluate(INJECT_JS, WIDE_TEX)
        page.wait_for_function(
            f"() => document.querySelector('{BOX}').classList.contains('sl-math-more-right')"
        )
        wide = the_display(page, "sl-test-wide")
        assert wide["scrollWidth"] > wide["clientWidth"] + 40, wide
        check_scroll_cue("the injected display", wide)
        box = page.locator(BOX)
        box.scroll_into_view_if_needed()
        with_cue = box.screenshot(path=str(SHOTS / "formulas_cue_phone.png"))
        # The same pixels without the cue: the fade must be what a reader sees at the edge.
        page.evaluate(f"() => document.querySelector('{BOX}').classList.remove('sl-math-scrolls')")
        without = box.screenshot()
        faded, _ = right_edge_brightness(with_cue, wide)
        plain, ink = right_edge_brightness(without, wide)
        assert ink < 100, "the formula has no ink at the cut edge to fade"
        # ink is 255 - brightness: the fade must take away a quarter of it at least
        assert 255 - faded < 0.75 * (255 - plain), f"no visible fade ({faded:.0f} vs {plain:.0f})"
        assert scrollbar_darkness(with_cue) < 160, "no scrollbar drawn under the formula"
        assert scrollbar_darkness(without) > 200, "the scrollbar is not the cue's"
        # Scrolled to the end, the cue moves to the left edge.
        page.evaluate("() => window.slMeasureMath()")
        page.evaluate(
            f"() => {{ const b = document.querySelector('{BOX}'); b.scrollLeft = b.scrollWidth; }}"
        )
        page.wait_for_function(
            f"() => {{ const c = document.querySelector('{BOX}').classList; "
            "return c.contains('sl-math-more-left') && !c.contains('sl-math-more-right'); }"
        )
        box.screenshot(path=str(SHOTS / "formulas_cue_phone_scrolled.png"))
        # Where it fits (the desktop), the cue goes: it is re-checked when the box changes size.
        page.set_viewport_size(DESKTOP)
        page.wait_for_function(
            f"() => !document.querySelector('{BOX}').classList.contains('sl-math-scrolls')"
        )
        fits = the_display(page, "sl-test-wide")
        assert fits["scrollWidth"] <= fits["clientWidth"] + 1 and fits["mask"] == "none", fits
    finally:
        page.close()


def test_screenshots_of_the_displays_that_scroll(browser, server):
    """Each allow-listed display, with its cue, as a reader sees it (none if the list is empty)."""
    for key in sorted(SCROLLING_DISPLAYS):
        path = key.split(" | ")[0]
        page = open_page(browser, server, path, PHONE)
        try:
            displays = page.evaluate(DISPLAYS_JS)
            found = [i for i, d in enumerate(displays) if display_key(path, d) == key]
            assert found, f"{key} is allow-listed but not on its page: take it off the list"
            box = page.locator('mjx-container[display="true"]').nth(found[0])
            box.scroll_into_view_if_needed()
            name = key.replace(" | ", "_").replace("/", "_").replace(" ", "")[:80]
            box.screenshot(path=str(SHOTS / f"formulas_scrolls_{name}.png"))
        finally:
            page.close()
