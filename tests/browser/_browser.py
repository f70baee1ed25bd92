"""What the browser tests share: paths, and Debian's Chromium driven by Playwright."""

import contextlib
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
# LOGREG_SITE points the tests at another build (say, a copy of the site before a change).
SITE = Path(os.environ.get("LOGREG_SITE") or ROOT / "_build" / "html")
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
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
  const article = document.querySelector("article.bd-article").getBoundingClientRect();
  return Array.from(document.querySelectorAll('mjx-container[display="true"]')).map((box) => {
    const r = box.getBoundingClientRect();
    const s = getComputedStyle(box);
    const found = items(box);
    return {
      label: label(box),
      tex: found.length ? found[0].math.trim().replace(/\\s+/g, " ").slice(0, 90) : "",
      clientWidth: box.clientWidth, scrollWidth: box.scrollWidth,
      clientHeight: box.clientHeight, scrollHeight: box.scrollHeight,
      overflowX: s.overflowX, right: r.right, articleRight: article.right,
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
    for d in page.evaluate(DISPLAYS_JS):
        where = f"{path} at {width}px, {d['label']}: {d['tex'][:40]}"
        assert d["right"] <= d["articleRight"] + 1, f"{where} passes the column"
        assert d["scrollHeight"] <= d["clientHeight"] + 1, f"{where} is cut vertically"
        if d["scrollWidth"] > d["clientWidth"] + 1:
            assert d["overflowX"] in ("auto", "scroll"), f"{where} is clipped"
            wide_formulas.setdefault(("display", name), []).append(
                (path, d["label"], d["scrollWidth"] - d["clientWidth"], d["tex"])
            )
    for d in page.evaluate(INLINE_JS):
        wide_formulas.setdefault(("inline", name), []).append(
            (path, d["label"], d["extra"], d["tex"])
        )
    for player in page.evaluate(PLAYERS_JS, width):
        assert player["right"] <= width + 0.5, f"{path}: an animation is cut at {width}px"
        assert player["valueShown"] and re.fullmatch(r"\w+ = \S+", player["value"]), player
        assert player["sliderName"] and player["valuetext"] == player["value"], player


def write_wide_report(found):
    """One file per viewport, wide_equations_<name>.md: the desktop sizes are checked by
    test_site.py and the phone by test_layout.py, and running either file alone rewrites only
    the report of what it measured."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for viewport_name in sorted({name for _, name in found}):
        viewport = VIEWPORTS[viewport_name]
        size = f"{viewport['width']}x{viewport['height']}"
        lines = [f"# Formulas wider than the text column at {size} (they scroll sideways)", ""]
        for (kind, name), rows in sorted(found.items()):
            if name != viewport_name:
                continue
            lines += [f"## {kind} math, {name} {size}: {len(rows)}"]
            lines += ["", "| page | label | px too wide | TeX starts |"]
            lines += ["| --- | --- | --- | --- |"]
            lines += [f"| {p} | {lab} | {x} | `{tex}` |" for p, lab, x, tex in rows]
            lines.append("")
        (SHOTS / f"wide_equations_{viewport_name}.md").write_text("\n".join(lines), "utf-8")
