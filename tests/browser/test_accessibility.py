"""Accessibility and small interaction checks of the built site in Chromium.

axe-core runs on every page on a phone (test_layout.py::test_page_fits_a_phone), on the desktop
and, after the header's theme switch, in dark mode (both test_site.py::test_page); the table is
_build/screenshots/axe.md. The other
tests follow a keyboard reader (every focused control shows a ring and lies in the window) and a
phone reader (the whole solution bar opens the solution; the drawers close after a tap and open at
the current chapter; tooltips go away; search excerpts are prose that fits), and print (no
"Show code cell source" placeholders). The fixes are in src/logreg_book/sphinx/static/
accessibility.css and accessibility.js. Screenshots: _build/screenshots/a11y_*.png.
"""

import re

from _browser import DESKTOP, PHONE, SETTLED_JS, SHOTS

PART_V_PAGE = "book/practice/evaluation.html"
BOOK_TITLE = "Logistic Regression: From Binary to Multi-Class"
SHOTS.mkdir(parents=True, exist_ok=True)


def load(browser, server, path, viewport, *, touch=False):
    """A fresh context (a phone with touch when asked) with ``path`` loaded and its math
    typeset."""
    extra = {"has_touch": True, "is_mobile": True, "device_scale_factor": 3} if touch else {}
    context = browser.new_context(viewport=viewport, **extra)
    page = context.new_page()
    page.goto(f"{server}/{path}", wait_until="load")
    page.evaluate(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
        " ? MathJax.startup.promise : null"
    )
    return page


# ---- Keyboard ---------------------------------------------------------------------------------

FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = (s) => {
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0
      && !/rgba\\(\\d+, \\d+, \\d+, 0\\)|transparent/.test(s.outlineColor);
    // box-shadow lengths without the colour: offset x, offset y, blur, spread
    const lengths = s.boxShadow === "none" ? [] :
      s.boxShadow.replace(/rgba?\\([^)]*\\)/g, "").match(/-?[\\d.]+px/g) || [];
    return {outline, shadow: s.boxShadow, shadowSize: lengths.map(parseFloat)
      .reduce((a, v) => a + Math.abs(v), 0)};
  };
  // an element with no box of its own (the chapter list's <summary>) shows its ring on the
  // first descendant that has one
  const sized = (e) => { const q = e.getBoundingClientRect(); return q.width > 0 && q.height > 0; };
  const box = sized(el) ? el : Array.from(el.querySelectorAll("*")).find(sized) || el;
  const focused = [ring(getComputedStyle(el)), ring(getComputedStyle(box))];
  const r = box.getBoundingClientRect();
  // the same element unfocused: a box-shadow counts only if focus changes it
  el.blur();
  const plain = [ring(getComputedStyle(el)), ring(getComputedStyle(box))];
  el.focus();
  const visible = [0, 1].some((i) => focused[i].outline ||
    (focused[i].shadowSize > 0 && focused[i].shadow !== plain[i].shadow));
  // wholly inside the window, or, for a block larger than half the window (a long code cell,
  // which the browser aligns below the sticky header), filling at least half of it
  const fits = (lo, hi, size) => (hi - lo <= size / 2 ? lo >= -1 && hi <= size + 1
    : Math.min(hi, size) - Math.max(lo, 0) >= size / 2);
  const inside = r.width > 0 && r.height > 0 && fits(r.top, r.bottom, innerHeight)
    && fits(r.left, r.right, innerWidth);
  return {
    name: (el.getAttribute("aria-label") || el.textContent || el.tagName).trim().slice(0, 40),
    tag: el.tagName, cls: String(el.className).slice(0, 40), visible, inside,
    rect: [r.left, r.top, r.right, r.bottom].map(Math.round),
  };
}"""


def test_every_focused_control_shows_a_ring_in_the_window(browser, server):
    page = load(browser, server, PART_V_PAGE, DESKTOP)
    try:
        page.keyboard.press("Tab")
        # the skip link, at once: it must not be cut off above the window when it gets focus
        first = page.evaluate(FOCUS_JS)
        assert first and "Skip to main content" in first["name"], first
        page.screenshot(path=str(SHOTS / "a11y_skip_link.png"), clip={"x": 0, "y": 0,
                        "width": DESKTOP["width"], "height": 120})  # fmt: skip
        seen, bad, header_shot = [first], [], False
        if not (first["inside"] and first["visible"]):
            bad.append(first)
        for _ in range(600):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_JS)
            if state is None or state["name"] == first["name"]:
                break  # back to the start of the page
            seen.append(state)
            if not state["inside"]:  # smooth scrolling may still be bringing it in
                page.wait_for_timeout(50)
                state = page.evaluate(FOCUS_JS) or state
            if not (state["visible"] and state["inside"]):
                bad.append(state)
            if not header_shot and "Download this page" in state["name"]:
                page.screenshot(path=str(SHOTS / "a11y_focus_header_button.png"),
                                clip={"x": 300, "y": 0, "width": 1100, "height": 80})  # fmt: skip
                header_shot = True
        assert len(seen) > 100, f"only {len(seen)} tab stops"
        assert header_shot, "the Download button was not reached"
        assert not bad, f"{len(bad)} of {len(seen)} tab stops without a visible ring: {bad[:4]}"
    finally:
        page.context.close()


SCROLLERS_JS = """() => Array.from(document.querySelectorAll("#main-content :is(pre, " +
    ".cell_output > .output, .jp-RenderedHTMLCommon, .pst-scrollable-table-container)"))
  .filter((b) => b.checkVisibility() &&
    (b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1))
  .map((b) => [b.id || b.className, b.tabIndex])"""


def test_scrolling_code_stays_a_tab_stop_whatever_the_layout_passed_through(browser, server):
    """Code that scrolls sideways is reachable by keyboard in the layout the reader ends up with.
    The theme measures once, 300 ms after a resize: a measure taken while every line fitted (here
    the code wraps for a moment, as a full-page capture or a window passing through another width
    did) left the code out of the tab order when it scrolled again (axe's
    scrollable-region-focusable, seen in CI on a busy machine). Code in a closed solution is
    checked when the solution is opened."""
    page = load(browser, server, PART_V_PAGE, DESKTOP)
    try:
        before = page.evaluate(SCROLLERS_JS)
        assert len(before) >= 5, before
        assert all(stop == 0 for _, stop in before), before
        page.evaluate(
            """() => { const s = document.createElement("style"); s.id = "wrap-for-a-moment";
            s.textContent = "#main-content pre { white-space: pre-wrap; }";
            document.head.append(s); window.dispatchEvent(new Event("resize")); }"""
        )
        # the theme's own measure, in the wrapped layout: the code is out of the tab order
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('#main-content pre'))"
            ".every((b) => b.tabIndex === -1)"
        )
        page.evaluate("() => document.getElementById('wrap-for-a-moment').remove()")
        page.evaluate(SETTLED_JS)  # two frames: no resize event, no change in the page's nodes
        after = page.evaluate(SCROLLERS_JS)
        assert len(after) == len(before), (before, after)
        left_out = [name for name, stop in after if stop != 0]
        assert not left_out, f"{len(left_out)} scrolling boxes out of the tab order: {left_out[:4]}"
        page.evaluate("() => document.querySelectorAll('#main-content details')"
                      ".forEach((d) => { d.open = true; })")  # fmt: skip
        page.evaluate(SETTLED_JS)
        opened = page.evaluate(SCROLLERS_JS)
        assert len(opened) > len(after), "no scrolling code in the page's closed parts"
        left_out = [name for name, stop in opened if stop != 0]
        assert not left_out, f"opened: {len(left_out)} scrolling boxes out: {left_out[:4]}"
    finally:
        page.context.close()


# ---- Phone ------------------------------------------------------------------------------------


def test_whole_solution_bar_opens_the_solution_on_a_phone(browser, server):
    page = load(browser, server, PART_V_PAGE, PHONE, touch=True)
    try:
        bars = page.locator("div.solution > .admonition-title")
        assert bars.count() >= 3
        for i in range(bars.count()):
            bar = bars.nth(i)
            bar.scroll_into_view_if_needed()
            url = page.url
            box = bar.bounding_box()
            page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            solution = page.locator("div.solution").nth(i)
            page.wait_for_function(
                "el => !el.classList.contains('toggle-hidden')",
                arg=solution.element_handle(),
                timeout=5000,
            )
            assert page.url == url, f"solution {i + 1}: the tap followed a link to {page.url}"
            if i == 0:
                solution.screenshot(path=str(SHOTS / "a11y_solution_tap_phone.png"))
    finally:
        page.context.close()


def test_page_contents_drawer_closes_after_a_tap(browser, server):
    page = load(browser, server, PART_V_PAGE, PHONE, touch=True)
    try:
        page.locator(".secondary-toggle").tap()
        page.wait_for_selector("#pst-secondary-sidebar-modal[open]", timeout=5000)
        link = page.locator("#pst-secondary-sidebar-modal nav a[href^='#']").nth(2)
        target = link.get_attribute("href")
        link.tap()
        page.wait_for_function(
            "() => !document.querySelector('#pst-secondary-sidebar-modal').open", timeout=5000
        )
        page.wait_for_function(
            "(id) => { const r = document.getElementById(id).getBoundingClientRect();"
            " return r.top >= 0 && r.top < innerHeight / 2; }",
            arg=target.lstrip("#"),
            timeout=5000,
        )
        page.screenshot(path=str(SHOTS / "a11y_drawer_closed_phone.png"))
    finally:
        page.context.close()


def test_chapter_menu_opens_at_the_current_chapter(browser, server):
    page = load(browser, server, PART_V_PAGE, PHONE, touch=True)
    try:
        page.locator(".primary-toggle").tap()
        page.wait_for_selector("#pst-primary-sidebar-modal[open]", timeout=5000)
        # the current chapter's link lies in the visible part of the menu (and of the window)
        page.wait_for_function(
            """() => {
              const dialog = document.querySelector('#pst-primary-sidebar-modal');
              const links = dialog.querySelectorAll('nav a.current');
              if (!links.length) return false;
              const r = links[links.length - 1].getBoundingClientRect();
              let top = 0, bottom = innerHeight;
              for (let e = links[links.length - 1].parentElement; e; e = e.parentElement) {
                if (e.scrollHeight > e.clientHeight + 1
                    && /(auto|scroll)/.test(getComputedStyle(e).overflowY)) {
                  const box = e.getBoundingClientRect();
                  top = Math.max(top, box.top); bottom = Math.min(bottom, box.bottom);
                }
              }
              return r.height > 0 && r.top >= top - 1 && r.bottom <= bottom + 1;
            }""",
            timeout=5000,
        )
        page.screenshot(path=str(SHOTS / "a11y_chapter_menu_evaluation_phone.png"))
        texts = page.locator("#pst-primary-sidebar-modal").evaluate(
            # innermost elements only: the title link holds a paragraph with the same text
            "d => Array.from(d.querySelectorAll('a, p, span')).filter((e) => e.offsetParent &&"
            " !Array.from(e.children).some((c) => c.textContent.trim() === e.textContent.trim()))"
            ".map((e) => e.textContent.trim())"
        )
        assert texts.count(BOOK_TITLE) == 1, f"the book title appears {texts.count(BOOK_TITLE)}x"
    finally:
        page.context.close()


def test_color_mode_tooltip_goes_after_a_tap_and_a_scroll(browser, server):
    page = load(browser, server, PART_V_PAGE, PHONE, touch=True)
    try:
        button = page.locator(".theme-switch-button:visible").first
        button.tap()
        page.evaluate("() => window.scrollBy(0, 1500)")
        page.wait_for_function(
            "() => !Array.from(document.querySelectorAll('.tooltip'))"
            ".some((t) => t.classList.contains('show') && t.getClientRects().length)",
            timeout=6000,
        )
    finally:
        page.context.close()


CODE_LIKE = re.compile(r"\bimport\b|\bassert\b|\bdef \w+\(|\bnp\.\w|\w+\.\w+\(|==|\[\d")


def test_search_results_are_prose_that_fits_a_phone(browser, server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{server}/search.html?q=temperature+scaling", wait_until="load")
        page.wait_for_function(
            "() => /Search finished/.test(document.querySelector('#search-results').innerText)",
            timeout=30_000,
        )
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('#search-results li'))"
            ".every((li) => li.querySelector('p.context'))",
            timeout=15_000,
        )
        excerpts = page.locator("#search-results p.context").all_inner_texts()
        assert len(excerpts) >= 3, excerpts
        code = [text for text in excerpts if CODE_LIKE.search(text)]
        assert not code, f"{len(code)} of {len(excerpts)} excerpts are code: {code[:2]}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the results page is {width}px wide"
        page.screenshot(path=str(SHOTS / "a11y_search_phone.png"))
    finally:
        context.close()


# ---- Print ------------------------------------------------------------------------------------


def test_print_has_no_code_cell_placeholders(browser, server):
    page = load(browser, server, PART_V_PAGE, DESKTOP)
    try:
        hidden_inputs = page.locator(".cell.tag_hide-input").count()
        assert hidden_inputs > 0, "the page has cells with a hidden input"
        page.emulate_media(media="print")
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        state = page.evaluate(
            """() => {
              const shown = (el) => el.getClientRects().length > 0
                && getComputedStyle(el).visibility !== 'hidden';
              const cells = Array.from(document.querySelectorAll('.cell.tag_hide-input'));
              return {
                placeholders: Array.from(document.querySelectorAll('summary, p'))
                  .filter((e) => /Show code cell/.test(e.textContent) && shown(e)).length,
                outputs: cells.filter((c) => c.querySelector('.cell_output')).length,
                outputsShown: cells.map((c) => c.querySelector('.cell_output'))
                  .filter((o) => o && shown(o)).length,
              };
            }"""
        )
        assert state["placeholders"] == 0, f"{state['placeholders']} placeholders print"
        assert state["outputsShown"] == state["outputs"], state  # what the cells show does print
    finally:
        page.context.close()
