"""The built website in a real browser: offline, complete, and interactive without a kernel.

Run after the build (``make test`` does): serves ``_build/html`` on 127.0.0.1 and
opens every page of the book in Debian's Chromium through Playwright. Every
request that leaves the local server is blocked and fails the test. A
full-page screenshot of each page is saved under ``_build/screenshots/``.
"""

import functools
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from _axe import check_axe
from _browser import (
    CONTEXTS,
    DESKTOP,
    PAGES,
    ROOT,
    SETTLED_JS,
    SHOTS,
    SITE,
    Checks,
    check_layout,
)
from _figures import check_figures

PAGE_LIMIT = 5_000_000  # bytes: the heaviest page must stay below this


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)


@functools.cache
def ids_in(path):
    parser = _Ids()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def source_of(page):
    stem = ROOT / Path(page).with_suffix("")
    for suffix in (".ipynb", ".md"):
        if stem.with_suffix(suffix).exists():
            return stem.with_suffix(suffix).read_text(encoding="utf-8")
    raise FileNotFoundError(f"no source for {page}")


def test_every_book_page_is_tested():
    assert len(PAGES) >= 15, PAGES


@pytest.mark.parametrize("page_path", PAGES)
def test_page(browser, server, wide_formulas, page_path):
    """The page on a desktop, loaded once for every check of that state: offline and complete,
    its math, its layout, axe, its figures' text, images, links, boxes and demos. A failed check
    is named in the failure and does not stop the others."""
    assert (SITE / page_path).stat().st_size < PAGE_LIMIT, f"{page_path} weighs more than 5 MB"
    context = browser.new_context(**CONTEXTS["desktop"])
    errors, failed, external = [], [], []

    def route(r):
        if r.request.url.startswith(server) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    checks = Checks(f"{page_path} on a desktop")
    try:
        _check_page(context, server, page_path, errors, failed, wide_formulas, checks)
    finally:
        context.close()
    with checks("offline"):
        assert not external, f"requests to other origins: {external[:3]}"
    with checks("requests"):
        assert not failed, f"failed requests: {failed[:3]}"
    with checks("console"):
        assert not errors, f"console errors: {errors[:3]}"
    checks.done()


def _check_page(context, server, page_path, errors, failed, wide_formulas, checks):
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: _failed(r, server, failed))
    page.goto(f"{server}/{page_path}", wait_until="load")

    # MathJax finished and rendered every formula (Sphinx loads it only on pages with math).
    with checks("math"):
        n_math = page.locator(".math").count()
        if n_math == 0:
            assert page.locator("mjx-container").count() == 0
        else:
            _check_math(page, n_math)
    with checks("layout"):
        check_layout(page, page_path, DESKTOP, wide_formulas, "desktop")
    with checks("axe"):
        check_axe(page, page_path, "desktop")
    with checks("figure text"):  # opens the closed solutions to measure, then closes them
        check_figures(page, page_path, "desktop")
    with checks("images"):
        _check_images(page)
    with checks("links"):
        _check_links(page, server)
    source = source_of(page_path)
    with checks("boxes"):
        _check_boxes(page, source)
    with checks("demos"):
        _check_players(page, source)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / (re.sub(r"[/.]", "_", page_path) + ".png")), full_page=True)
    # Dark mode as a reader chooses it: the header's theme switch, on the page already loaded (a
    # reload with the stored choice drew the same page for a second load and MathJax run).
    with checks("axe in dark mode"):
        _switch_to_dark(page)
        check_axe(page, page_path, "dark")


def _switch_to_dark(page):
    theme = "document.documentElement.dataset.theme"
    button = page.locator(".theme-switch-button:visible").first
    for _ in range(3):  # the switch cycles through its modes (auto, light, dark)
        if page.evaluate(theme) == "dark":
            break
        button.click()
    assert page.evaluate(theme) == "dark", f"the theme switch left the theme {page.evaluate(theme)}"
    # the reader moves on: the switch's "Color mode" tooltip (shown on hover and focus) goes, as
    # axe once read its text half faded in, at a contrast it never has when shown
    page.mouse.move(0, DESKTOP["height"] - 1)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.wait_for_function("() => !document.querySelector('.tooltip')")
    page.evaluate(SETTLED_JS)  # colours that transition are read at their end


def _failed(request, server, failed):
    """A request to the site that failed, unless the browser itself dropped it (net::ERR_ABORTED)
    for a file that exists: Chromium once cancelled a figure's phone variant on a desktop page
    (a request the page did not need), which says nothing about the site."""
    if not request.url.startswith(server):
        return
    path = SITE / unquote(urlsplit(request.url).path).lstrip("/")
    if request.failure == "net::ERR_ABORTED" and path.is_file():
        return
    failed.append(f"{request.url} ({request.failure})")


def _check_math(page, n_math):
    page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20_000
    )
    page.evaluate("() => MathJax.startup.promise")
    assert page.locator("mjx-container").count() >= n_math, "not every formula was rendered"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported an error in a formula"


def _check_images(page):
    """Every image loaded and has alternative text."""
    broken = page.evaluate(
        "() => Array.from(document.images)"
        ".filter(i => i.complete && i.naturalWidth === 0 && i.src).map(i => i.src)"
    )
    assert not broken, f"images that did not load: {broken[:3]}"
    no_alt = page.evaluate(
        "() => Array.from(document.querySelectorAll('main img'))"
        ".filter(i => !i.alt).map(i => i.src.slice(0, 80))"
    )
    assert not no_alt, f"images without alt text: {no_alt[:3]}"


def _check_links(page, server):
    """Every internal link and anchor resolves."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in hrefs:
        if not href.startswith(server):
            continue
        parts = urlsplit(href)
        target = SITE / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        assert target.exists(), f"broken link {href}"
        if parts.fragment and target.suffix == ".html":
            assert unquote(parts.fragment) in ids_in(str(target)), f"missing anchor {href}"


def _check_boxes(page, source):
    """Theorem and exercise boxes wherever the source has them."""
    if "{prf:theorem}" in source:
        assert page.locator("div.proof.theorem").count() >= source.count("{prf:theorem}")
    if "{prf:proof}" in source:
        assert page.locator("div.proof").count() >= source.count("{prf:proof}")
    if "{exercise}" in source:
        assert page.locator("div.exercise").count() >= source.count("{exercise}")


def _check_players(page, source):
    """Each kernel-free demo responds to its buttons and to the keyboard, and names its value."""
    players = page.locator(".logreg-player")
    if ".with_animation(" in source:
        assert players.count() >= source.count(".with_animation("), "a demo animation is missing"
    for i in range(players.count()):
        _check_player(page, players.nth(i))


def _check_player(page, player):
    player.scroll_into_view_if_needed()
    image = player.locator(".lp-panels img").first
    value = player.locator(".lp-value")
    slider = player.locator("input[type=range]")
    before, label = image.get_attribute("src"), value.inner_text()
    at_end = slider.get_attribute("value") == slider.get_attribute("max")
    player.get_by_role("button", name="Previous frame" if at_end else "Next frame").click()
    assert image.get_attribute("src") != before and value.inner_text() != label
    slider.focus()
    page.keyboard.press("Home")
    assert slider.input_value() == "0" and value.inner_text() == slider.get_attribute(
        "aria-valuetext"
    )
    page.keyboard.press("ArrowRight")
    assert slider.input_value() == "1"
    # Play from two frames before the end (not from the start: the frames come at the demo's own
    # pace, and the test needs only to see them advance and stop at the last one).
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    last = int(slider.get_attribute("max"))
    assert int(slider.input_value()) == max(last - 2, 0)
    player.get_by_role("button", name="Play").click()
    page.wait_for_function("el => el.value === el.max", arg=slider.element_handle(), timeout=20_000)
    assert player.get_by_role("button", name="Play").count() == 1  # stopped at the end


CONTRAST_JS = """
() => {
  // WCAG contrast of each box's text against the nearest opaque background.
  const lum = (rgb) => {
    const c = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const bg = getComputedStyle(el).backgroundColor;
      const alpha = bg.startsWith('rgba') ? Number(bg.match(/[\\d.]+/g)[3]) : 1;
      if (alpha > 0.5) return bg;
    }
    return getComputedStyle(document.body).backgroundColor;
  };
  const out = [];
  for (const el of document.querySelectorAll(
      'div.proof p, div.proof .admonition-title, div.exercise p, div.exercise .admonition-title')) {
    if (!el.textContent.trim()) continue;
    const a = lum(getComputedStyle(el).color), b = lum(background(el));
    out.push([(Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), el.textContent.slice(0, 40)]);
  }
  return out;
}
"""


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_boxes_are_readable_in_light_and_dark_themes(browser, server, mode):
    context = browser.new_context(color_scheme=mode)
    context.add_init_script(f"localStorage.setItem('mode', '{mode}');")
    page = context.new_page()
    try:
        page.goto(f"{server}/book/softmax/shift_invariance.html", wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        ratios = page.evaluate(CONTRAST_JS)
        assert len(ratios) > 10  # theorem, corollary, proof and exercise boxes were found
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"theme_{mode}.png"))
    finally:
        context.close()
    poor = [(round(r, 2), text) for r, text in ratios if r < 4.5]  # WCAG AA for body text
    assert not poor, f"low-contrast text in {mode} mode: {poor[:3]}"
