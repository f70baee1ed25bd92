"""axe-core on the built site: every page, on a phone, on the desktop and in dark mode.

axe-core comes bundled with the pinned ``axe-playwright-python`` (requirements.txt), so nothing
is fetched when the tests run. Every rule runs, the experimental ones included (one of them,
label-content-name-mismatch, caught the theme's Search and Color-mode buttons), except two:
hidden-content, which visits every element only to list hidden ones as "needs review" and never
reports a violation, and css-orientation-lock, the one rule that needs axe to re-fetch the
stylesheets: axe resolves their @imports against the page instead of the stylesheet (a 404 for
/basic.css, which test_page reports as a console error), so it does not preload them. The book
has no audio or video, axe's other preload. A page passes with no serious and no critical violation;
moderate and minor ones are reported, not failed.

Each check writes its findings to ``_build/screenshots/axe/<mode>__<page>.json``, and the table
``_build/screenshots/axe.md`` (page x mode x rule) is rebuilt from all of them at the end of every
test session, so that the test files, which run in different workers, add to one table.
"""

import json
import re
import time

from _browser import SHOTS

AXE_DIR = SHOTS / "axe"
FAILING = ("serious", "critical")
SKIPPED = ("hidden-content", "css-orientation-lock")  # experimental; see above


def _axe_script():
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


# color-contrast is most of axe's time (87% on the longest page), and in it the parsing of CSS
# colours: each text element parses the computed colour of every element behind it, the same
# few strings thousands of times, each through colorjs's gamut mapping. Color.parseString is a
# function of its string alone (it sets r, g, b and alpha), so it is remembered per string; a
# string that fails to parse is not remembered, and throws as before. The results are the same
# (checked by test_axe.py); the parse costs ~15% of an axe run less. An axe
# without Color.parseString runs unchanged.
REMEMBER_COLOURS_JS = """() => {
  const Color = axe.commons && axe.commons.color && axe.commons.color.Color;
  if (!Color || typeof Color.prototype.parseString !== "function") return false;
  const parse = Color.prototype.parseString, seen = new Map();
  Color.prototype.parseString = function (text) {
    const known = seen.get(text);
    if (known) {
      [this.r, this.g, this.b, this.alpha] = known;
      return this;
    }
    parse.call(this, text);
    seen.set(text, [this.r, this.g, this.b, this.alpha]);
    return this;
  };
  Color.prototype.parseString.remembers = true;
  return true;
}"""


def load_axe(page, remember_colours=True):
    """axe-core in ``page`` (once), its colour parsing remembered unless told otherwise; the
    rule options of every run: axe's default rules and the experimental ones but SKIPPED."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_script())
        if remember_colours:
            page.evaluate(REMEMBER_COLOURS_JS)
    rules = page.evaluate("() => axe.getRules(['experimental']).map((r) => r.ruleId)")
    return {
        "resultTypes": ["violations"],
        "preload": False,
        "rules": {rule: {"enabled": rule not in SKIPPED} for rule in rules},
    }


# axe's time on a page of code goes to its contrast rule, which checks every element that holds
# text: a page has thousands of pygments tokens (8635 on the evaluation page, where axe took
# 5.3 s, 3.4 s of them in color-contrast). Two tokens with the same computed colour, weight,
# size, style and shadow over the same layers of background (colour, image, opacity, blend,
# filter up to the first opaque one), alike in their text (with letters or digits or not, one
# character or more: axe passes over punctuation alone and leaves a single character
# undecided), lying the same way in their block's window (inside it, outside it or across its
# edge, on one line or more) and under another element of the block (the copy button) or not,
# have the same contrast, and axe decides it for both or for neither. So for the length of a
# run, code blocks keep one token of each such kind: every other plain token (a <span> with no
# attribute but its class) gives way to its text, which keeps the block's size and lines. axe
# then checks one token of each kind (the evaluation page: 3.1 s). The text that gave way takes
# its block's colour, so the run can find a failure the page does not have, never hide one. The
# page's own nodes are put back (the same objects) and a finding in code is named by its place
# in the page as it is. test_axe.py plants low-contrast colours on token kinds drawn at random
# and checks that a sampled run finds a token of every failing kind the full run finds, and
# nothing else.
SAMPLE_TOKENS_JS = """() => {
  const opaque = (c) => /^rgb\\(/.test(c) || /^rgba\\(.*, 1\\)$/.test(c);
  // how the token lies in its block's window: axe leaves a token it sees only in part undecided
  const place = (el, box) => {
    const r = el.getBoundingClientRect(), lines = el.getClientRects().length;
    const left = box.left + box.clientLeft, right = left + box.clientWidth;
    const top = box.top + box.clientTop, bottom = top + box.clientHeight;
    const inside = r.left >= left - 0.5 && r.right <= right + 0.5 &&
      r.top >= top - 0.5 && r.bottom <= bottom + 0.5;
    const outside = r.right <= left || r.left >= right || r.bottom <= top || r.top >= bottom;
    return [lines, inside ? "in" : outside ? "out" : "part"].join();
  };
  // text of punctuation alone, and a single character, axe passes over or leaves undecided
  const text = (el) => {
    const t = el.textContent.trim();
    return [/[\\p{L}\\p{N}]/u.test(t), Math.min(t.length, 4)].join();
  };
  // a token under another element of its block (the copy button) is one axe may not decide
  const under = (el, covers) => {
    const r = el.getBoundingClientRect();
    return covers.some((c) => r.left < c.right && c.left < r.right && r.top < c.bottom &&
      c.top < r.bottom);
  };
  const key = (el, pre, covers) => {
    const parts = [text(el), place(el, pre), under(el, covers)];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (e === el) parts.push(s.color, s.fontWeight, s.fontSize, s.fontStyle, s.textShadow);
      parts.push(s.backgroundColor, s.backgroundImage, s.opacity, s.mixBlendMode, s.filter);
      if (opaque(s.backgroundColor) && s.backgroundImage === "none") break;
    }
    return parts.join("|");
  };
  const plain = (node) => node.tagName === "SPAN" && node.children.length === 0 &&
    Array.from(node.attributes).every((a) => a.name === "class");
  const seen = new Set(), saved = [];
  let tokens = 0;
  document.querySelectorAll("div.highlight pre").forEach((pre) => {
    const nodes = Array.from(pre.childNodes);
    const rect = pre.getBoundingClientRect();
    const preBox = { left: rect.left, top: rect.top, clientLeft: pre.clientLeft,
      clientTop: pre.clientTop, clientWidth: pre.clientWidth, clientHeight: pre.clientHeight };
    const covers = Array.from(pre.parentElement.children)
      .filter((c) => c !== pre).map((c) => c.getBoundingClientRect());
    let changed = false;
    const kept = nodes.map((node) => {
      if (node.nodeType !== Node.ELEMENT_NODE) return node;
      if (!plain(node)) return node;
      const k = key(node, preBox, covers);
      if (!seen.has(k)) {
        seen.add(k);
        return node;
      }
      changed = true;
      tokens += 1;
      return document.createTextNode(node.textContent);
    });
    if (changed) {
      saved.push([pre, nodes]);
      pre.replaceChildren(...kept);
    }
  });
  // the page's own nodes back (the same objects); a second call does nothing
  window.__axeRestore = () =>
    saved.splice(0).forEach(([pre, nodes]) => pre.replaceChildren(...nodes));
  window.__axeMoved = saved.map(([pre]) => pre);
  return tokens;
}"""
# A finding's place in the page: the nearest ancestor with an id, then each step's position.
RUN_SAMPLED_JS = """async (options) => {
  const where = (el) => {
    const steps = [];
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      if (e.id) return ["#" + CSS.escape(e.id), ...steps].join(" > ");
      const i = Array.from(e.parentElement.children).indexOf(e) + 1;
      steps.unshift(`${e.tagName.toLowerCase()}:nth-child(${i})`);
    }
    return ["html", ...steps].join(" > ");
  };
  const result = await axe.run(document, options);
  const found = result.violations.map((v) => v.nodes.map((n) =>
    n.target.length === 1 ? document.querySelector(n.target[0]) : null));
  const moved = window.__axeMoved;
  window.__axeRestore();
  result.violations.forEach((v, i) => v.nodes.forEach((n, j) => {
    const el = found[i][j];
    if (el && moved.some((pre) => pre.contains(el))) n.target = [where(el)];
  }));
  return result;
}"""
RESTORE_JS = "() => window.__axeRestore && window.__axeRestore()"


def run_axe(page, sample_tokens=True):
    """axe's violations on the page as loaded: a list of (rule, impact, [targets]). Code blocks
    show axe one token of each kind unless told otherwise (see above)."""
    options = load_axe(page)
    if not sample_tokens:
        return _violations(page.evaluate("(options) => axe.run(document, options)", options))
    try:
        page.evaluate(SAMPLE_TOKENS_JS)
        return _violations(page.evaluate(RUN_SAMPLED_JS, options))
    finally:  # the page's own nodes back, even if axe failed
        page.evaluate(RESTORE_JS)


def _violations(result):
    return [
        (v["id"], v["impact"], [" ".join(map(str, n["target"])) for n in v["nodes"]])
        for v in result["violations"]
    ]


def check_axe(page, path, mode):
    """No serious or critical violation on ``page`` (``path``, seen in ``mode``: phone, desktop
    or dark); every finding is recorded for the table."""
    start = time.perf_counter()
    found = run_axe(page)
    seconds = time.perf_counter() - start
    AXE_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{mode}__" + re.sub(r"[/.]", "_", path.removesuffix(".html")) + ".json"
    rows = [{"rule": r, "impact": i, "targets": t} for r, i, t in found]
    record = {"page": path, "mode": mode, "seconds": seconds, "found": rows}
    (AXE_DIR / name).write_text(json.dumps(record), "utf-8")
    bad = [(r, i, t[:3]) for r, i, t in found if i in FAILING]
    assert not bad, f"{path} ({mode}): axe finds {bad}"


def write_axe_table():
    """_build/screenshots/axe.md: one row per page, mode and rule found, then the totals."""
    if not AXE_DIR.is_dir():
        return
    records = [json.loads(p.read_text("utf-8")) for p in sorted(AXE_DIR.glob("*.json"))]
    checked = sorted({(r["page"], r["mode"]) for r in records})
    seconds = sum(r.get("seconds", 0) for r in records)
    lines = [
        "# axe-core on every page (serious and critical fail the tests)",
        "",
        f"{len(checked)} page checks ({', '.join(sorted({m for _, m in checked}))}), "
        f"{seconds:.0f} s of axe in all (summed over the test workers).",
        "",
        "| page | mode | rule | impact | elements | first element |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    totals = {}
    for r in sorted(records, key=lambda r: (r["page"], r["mode"])):
        for f in r["found"]:
            lines.append(
                f"| {r['page']} | {r['mode']} | {f['rule']} | {f['impact']} | "
                f"{len(f['targets'])} | `{f['targets'][0] if f['targets'] else ''}` |"
            )
            key = (f["rule"], f["impact"], r["mode"])
            pages, elements = totals.get(key, (0, 0))
            totals[key] = (pages + 1, elements + len(f["targets"]))
    lines += ["", "| rule | impact | mode | pages | elements |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {k[0]} | {k[1]} | {k[2]} | {p} | {e} |" for k, (p, e) in sorted(totals.items())]
    if not totals:
        lines += ["| (none) | | | 0 | 0 |"]
    (SHOTS / "axe.md").write_text("\n".join(lines) + "\n", "utf-8")
