"""What the browser tests share: paths, and Debian's Chromium driven by Playwright."""

import contextlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
# LOGREG_SITE points the tests at another build (say, a copy of the site before a change).
SITE = Path(os.environ.get("LOGREG_SITE") or ROOT / "_build" / "html")
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# Each page is checked in three states, each loaded once: on a desktop (test_site.py), on a
# reader's phone (test_layout.py: three device pixels per CSS px, touch, the page's viewport tag
# honoured) and on a desktop in dark mode (test_accessibility.py).
CONTEXTS = {
    "desktop": {"viewport": DESKTOP},
    "phone": {"viewport": PHONE, "device_scale_factor": 3, "is_mobile": True, "has_touch": True},
}
PAGES = sorted(p.relative_to(SITE).as_posix() for p in (SITE / "book").rglob("*.html"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def launch_chromium():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install Debian's package: apt-get install chromium "
            "(.ci/run does this)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


# MathJax has typeset the page (Sphinx loads it only on pages with math) and a frame has been
# drawn since: site_layout.js measured the displays then, and its ResizeObserver reported.
TYPESET_JS = """async () => {
  const startup = window.MathJax && MathJax.startup;
  if (startup && startup.promise) await startup.promise;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""


# A frame has been drawn since the last change, and every CSS transition and finite animation it
# started has ended (a sidebar sliding out, print styles applied).
SETTLED_JS = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const running = document.getAnimations().filter(
    (a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.all(running.map((a) => a.finished.catch(() => null)));
}"""

# Sphinx's search has shown every result, and every excerpt it fetches: a result gets its excerpt
# (p.context) from a fetch of its page after "Search finished", unless it has a description of
# its own (a span) or excerpts are off (as site_layout.js sets them from the file system).
SEARCH_DONE_JS = """() => {
  const results = document.querySelector("#search-results");
  if (!results || !/Search finished/.test(results.innerText)) return false;
  if (!DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY) return true;
  return Array.from(results.querySelectorAll("ul.search > li")).every(
    (li) => li.querySelector(":scope > span, p.context"));
}"""


class Checks:
    """The checks made on one loaded page, run one after another: a failed one is recorded under
    its name and the next still runs; ``done`` fails with every failure, the page named."""

    def __init__(self, where):
        self.where, self.failed = where, []

    @contextlib.contextmanager
    def __call__(self, name):
        try:
            yield
        except AssertionError as error:
            self.failed.append(f"[{name}] {error}")

    def done(self):
        assert not self.failed, f"{self.where}: " + "\n".join(self.failed)


def shot_name(path, suffix):
    return re.sub(r"[/.]", "_", path.removesuffix(".html")) + suffix


# Elements whose right edge passes the viewport and that no scrolling or clipping ancestor
# contains (closed dialogs, hidden and off-canvas sidebars excluded).
OVERFLOWING_JS = """(limit) => {
  const out = [];
  const scrolls = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (["auto", "scroll"].includes(s.overflowX)) return true;
    }
    return false;
  };
  for (const el of document.querySelectorAll("main *")) {
    if (el.closest("dialog:not([open]), .bd-sidebar-primary, .bd-sidebar-secondary")) continue;
    if (el.closest("mjx-assistive-mml")) continue;  // MathML for screen readers, clipped to 1px
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= limit + 1) continue;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none") continue;
    if (scrolls(el)) continue;
    out.push(`${el.tagName.toLowerCase()}.${String(el.className).slice(0, 40)} right=${r.right}`);
  }
  return out;
}"""

# Every display formula: its size, scrolling, and where it is (label, TeX) for the author.
DISPLAYS_JS = """() => {
  const items = (box) => {
    try { return MathJax.startup.document.getMathItemsWithin(box); } catch (e) { return []; }
  };
  const heading = (el) => {
    const sec = el.closest("section[id]");
    return sec ? sec.id : "";
  };
  const label = (box) => {
    const math = box.closest("div.math");
    if (math && math.id) return math.id;
    const block = box.closest(".proof, .admonition, .exercise, .solution");
    if (block && block.id && block.id !== "proof") return block.id;
    if (block && block.classList.contains("proof")) {
      let prev = block.previousElementSibling;
      while (prev && !(prev.id && prev.id !== "proof")) prev = prev.previousElementSibling;
      return "proof" + (prev ? ` (after ${prev.id})` : "");
    }
    return "section " + heading(box);
  };
  // the statement of a theorem, lemma, proposition, corollary or definition (not its proof)
  const statement = (box) => {
    const block = box.closest(".proof.theorem, .proof.lemma, .proof.proposition, "
                              + ".proof.corollary, .proof.definition");
    return block ? block.id : "";
  };
  const article = document.querySelector("article.bd-article").getBoundingClientRect();
  return Array.from(document.querySelectorAll('mjx-container[display="true"]')).map((box) => {
    const r = box.getBoundingClientRect();
    const s = getComputedStyle(box);
    const found = items(box);
    return {
      label: label(box), statement: statement(box),
      tex: found.length ? found[0].math.trim().replace(/\\s+/g, " ").slice(0, 90) : "",
      clientWidth: box.clientWidth, scrollWidth: box.scrollWidth,
      clientHeight: box.clientHeight, scrollHeight: box.scrollHeight,
      overflowX: s.overflowX, right: r.right, articleRight: article.right,
      // the scroll cue: site_layout.js's classes, the fade (a mask) and the scrollbar that
      // site_layout.css draws (its size, if drawn)
      classes: Array.from(box.classList),
      mask: s.maskImage || s.webkitMaskImage || "none",
      scrollbar: s.backgroundImage.includes("gradient") ? s.backgroundSize : "",
    };
  });
}"""

# Inline formulas longer than their line (they scroll sideways; worth rewording on a phone).
INLINE_JS = """() => Array.from(document.querySelectorAll("article span.math"))
  .filter((span) => span.offsetParent && span.scrollWidth > span.clientWidth + 1)
  .map((span) => {
    const sec = span.closest("section[id]");
    const block = span.closest(".proof[id], .admonition[id], .exercise[id]");
    let tex = "";
    try { tex = MathJax.startup.document.getMathItemsWithin(span)[0].math; } catch (e) {}
    return {
      label: (block && block.id !== "proof" ? block.id : "section " + (sec ? sec.id : "")),
      extra: span.scrollWidth - span.clientWidth,
      tex: tex.trim().replace(/\\s+/g, " ").slice(0, 90),
    };
  })"""


PLAYERS_JS = """(limit) => Array.from(document.querySelectorAll(".logreg-player")).map((p) => {
  const r = p.getBoundingClientRect();
  const value = p.querySelector(".lp-value");
  const slider = p.querySelector("input[type=range]");
  const rights = Array.from(p.querySelectorAll("img, button, input, output")).map(
    (e) => e.getBoundingClientRect().right);
  return {
    right: Math.max(r.right, ...rights), limit,
    value: value ? value.textContent : "", valueShown: !!value && value.offsetParent !== null,
    sliderName: slider ? slider.getAttribute("aria-label") : null,
    valuetext: slider ? slider.getAttribute("aria-valuetext") : null,
    // rendered size of a tick label: frames are shown at most at their CSS size
    scale: Math.min(...Array.from(p.querySelectorAll(".lp-panels img")).map(
      (i) => i.getBoundingClientRect().width / i.width)),
  };
})"""


# The only display formulas allowed to scroll sideways on a phone (390 px), each keyed by
# "page | label | start of its TeX" as DISPLAYS_JS reports them. None may be a theorem's,
# lemma's, proposition's, corollary's or definition's statement, and each must show the
# scroll cue. Everything else is written to fit (aligned lines, shorter notation).
SCROLLING_DISPLAYS = frozenset()


# Every display that scrolls is marked as such, and no other.
CUE_SETTLED_JS = """() => Array.from(document.querySelectorAll('mjx-container[display="true"]'))
  .every((b) => (b.scrollWidth > b.clientWidth + 1) === b.classList.contains("sl-math-scrolls"))"""


def display_key(path, display):
    return f"{path} | {display['label']} | {display['tex'][:30]}"


def check_scroll_cue(where, display):
    """A display that scrolls says so: faded where it goes on, with a scrollbar drawn."""
    assert "sl-math-scrolls" in display["classes"], f"{where}: not marked as scrolling"
    assert "sl-math-more-right" in display["classes"], f"{where}: no cue at the hidden right edge"
    assert display["mask"] not in ("", "none"), f"{where}: no fade at the cut edge"
    assert display["scrollbar"], f"{where}: no scrollbar drawn"


def check_formulas(path, width, name, displays, inline):
    """At 390 px: no inline formula wider than its line, and only the allow-listed displays
    (none a statement) scroll, each with its cue; at desktop width nothing scrolls."""
    assert len(SCROLLING_DISPLAYS) <= 5, "at most five displays in the book may scroll"
    assert not inline, f"{path} at {width}px, inline formulas wider than the line: {inline[:3]}"
    for d in displays:
        if d["scrollWidth"] <= d["clientWidth"] + 1:
            continue
        where = f"{path} at {width}px, {d['label']}: {d['tex'][:40]}"
        assert name == "phone", f"{where} scrolls on the desktop"
        assert not d["statement"], f"{where}: the statement of {d['statement']} scrolls"
        assert display_key(path, d) in SCROLLING_DISPLAYS, (
            f"{where} scrolls: {display_key(path, d)}"
        )
        check_scroll_cue(where, d)


def check_layout(page, path, viewport, wide_formulas, name):
    """Nothing past the right edge but in scroll containers; display math scrolls instead of
    being clipped; every animation shows its value, names its slider and fits the window."""
    width = viewport["width"]
    for kind in ("display", "inline"):  # this size was checked: its report is rewritten
        wide_formulas.setdefault((kind, name), [])
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path} at {width}px: the page is {scroll_width}px wide"
    outside = page.evaluate(OVERFLOWING_JS, width)
    assert not outside, f"{path} at {width}px, past the right edge: {outside[:5]}"
    try:  # site_layout.js marks the displays once MathJax is done; a site without it never does
        page.wait_for_function(CUE_SETTLED_JS, timeout=5_000)
    except PlaywrightTimeout:
        pass  # the checks below then say which display lacks its cue
    displays = page.evaluate(DISPLAYS_JS)
    for d in displays:
        where = f"{path} at {width}px, {d['label']}: {d['tex'][:40]}"
        assert d["right"] <= d["articleRight"] + 1, f"{where} passes the column"
        assert d["scrollHeight"] <= d["clientHeight"] + 1, f"{where} is cut vertically"
        if d["scrollWidth"] > d["clientWidth"] + 1:
            assert d["overflowX"] in ("auto", "scroll"), f"{where} is clipped"
            hidden = d["scrollWidth"] - d["clientWidth"]
            wide_formulas.setdefault(("display", name), []).append(
                (path, d["label"], f"{hidden} ({hidden / d['scrollWidth']:.0%})", d["tex"])
            )
    inline = page.evaluate(INLINE_JS)
    for d in inline:
        wide_formulas.setdefault(("inline", name), []).append(
            (path, d["label"], d["extra"], d["tex"])
        )
    check_formulas(path, width, name, displays, inline)
    for player in page.evaluate(PLAYERS_JS, width):
        assert player["right"] <= width + 0.5, f"{path}: an animation is cut at {width}px"
        assert player["valueShown"] and re.fullmatch(r"\w+ = \S+", player["value"]), player
        assert player["sliderName"] and player["valuetext"] == player["value"], player


def write_wide_report(found):
    """One file per viewport, wide_equations_<name>.md: the desktop sizes are checked by
    test_site.py and the phone by test_layout.py, and running either file alone rewrites only
    the report of what it measured.

    The pages of one size may be checked by several pytest-xdist workers (``--dist worksteal``),
    each with its own ``found``: each worker stores its part under _build/screenshots/wide/<the
    run's id>/ and writes the reports from every part of the run stored so far, so the worker
    that ends last writes them whole (as _axe.write_axe_table does)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run:
        parts = SHOTS / "wide" / run
        parts.mkdir(parents=True, exist_ok=True)
        for old in (SHOTS / "wide").iterdir():  # parts of earlier runs
            if old.name != run:
                shutil.rmtree(old, ignore_errors=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        rows = [[kind, name, found[(kind, name)]] for kind, name in found]
        (parts / f"{worker}.json").write_text(json.dumps(rows), "utf-8")
        found = {}
        for part in sorted(parts.glob("*.json")):
            for kind, name, items in json.loads(part.read_text("utf-8")):
                found.setdefault((kind, name), []).extend(tuple(item) for item in items)
        for key in found:  # the same order whichever worker checked which page
            found[key].sort()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport_name in sorted({name for _, name in found}):
        viewport = VIEWPORTS[viewport_name]
        size = f"{viewport['width']}x{viewport['height']}"
        lines = [f"# Formulas wider than the text column at {size} (they scroll sideways)", ""]
        for (kind, name), rows in sorted(found.items()):
            if name != viewport_name:
                continue
            lines += [f"## {kind} math, {name} {size}: {len(rows)}"]
            lines += ["", "| page | label | px hidden (share) | TeX starts |"]
            lines += ["| --- | --- | --- | --- |"]
            lines += [f"| {p} | {lab} | {x} | `{tex}` |" for p, lab, x, tex in rows]
            lines.append("")
        (SHOTS / f"wide_equations_{viewport_name}.md").write_text("\n".join(lines), "utf-8")
