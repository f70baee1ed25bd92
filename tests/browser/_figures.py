"""Every figure's smallest text, as the reader sees it, checked on a page already loaded.

A figure carries its smallest text in image pixels (``data-min-text-px``, written by
logreg_book.responsive.show_figure and the animation player); on the page that text is
``min_text_px * rendered width / natural width`` CSS px of the image the browser chose
(``currentSrc``: the narrow layout on a phone). A figure without the number fails, named by page
and image.

The check runs on the pages that test_site.py (desktop) and test_layout.py (phone) load anyway,
so no page is loaded for it alone. Each check stores its page's figures under
``_build/screenshots/figures/<viewport>__<page>.json``; the table of every figure at both sizes,
``_build/screenshots/figure_text.md``, is rebuilt from those files at the end of every test
session (conftest.py), so that it is whole whichever worker checked which page.
"""

import json
import re

from _browser import PAGES, SHOTS, SITE

MINIMUM = {"phone": 9.0, "desktop": 10.0}
# Another site (LOGREG_SITE) gets files of its own.
_DEFAULT = SITE.resolve() == (SHOTS.parent / "html").resolve()
FIGURE_DIR = SHOTS / ("figures" if _DEFAULT else f"figures_{SITE.name}")
REPORT = SHOTS / ("figure_text.md" if _DEFAULT else f"figure_text_{SITE.name}.md")

# Every image in a code cell's output (static figures and animation frames), with solutions
# opened so that figures inside them have a size; the solutions that were closed are closed
# again afterwards, so that the checks that follow see the page as the reader first does.
FIGURES_JS = """async () => {
  const closed = Array.from(document.querySelectorAll("details")).filter((d) => !d.open);
  closed.forEach((d) => { d.open = true; });
  const images = Array.from(document.querySelectorAll("article .cell_output img"));
  await Promise.all(images.map((i) => i.decode().catch(() => null)));
  const found = images.map((img) => {
    const figure = img.closest("figure[id]");
    const player = img.closest(".logreg-player");
    const picture = img.closest("picture");
    let text = img.getAttribute("data-min-text-px");
    let chosen = "wide";
    if (picture) {
      for (const source of picture.querySelectorAll("source")) {
        if (new URL(source.getAttribute("srcset"), document.baseURI).href === img.currentSrc) {
          text = source.getAttribute("data-min-text-px");
          chosen = "narrow";
        }
      }
    }
    const src = img.currentSrc || img.src;
    const panels = player ? Array.from(player.querySelectorAll(".lp-panels img")) : [];
    const panel = panels.length > 1 ? `, panel ${panels.indexOf(img) + 1}` : "";
    return {
      name: figure ? figure.id : player ? `${player.id} (animation${panel})` :
        src.startsWith("data:") ? "(inline image)" : src.split("/").pop().slice(0, 16),
      text, chosen, width: img.getBoundingClientRect().width, natural: img.naturalWidth,
      player: !!player,
    };
  });
  closed.forEach((d) => { d.open = false; });
  return found;
}"""

# The output images of a built page as the browser parses its HTML, before any script runs.
HTML_IMAGES_JS = """(html) => new DOMParser().parseFromString(html, "text/html")
  .querySelectorAll("article .cell_output img").length"""


def images_in_html(page, path):
    """How many output images the built page ``path`` holds (parsed in ``page``)."""
    return page.evaluate(HTML_IMAGES_JS, (SITE / path).read_text(encoding="utf-8"))


def check_figures(page, path, viewport_name):
    """Every output image of ``page`` (``path``, at ``viewport_name``) is measured, and each
    carries its smallest text and shows it at ``MINIMUM[viewport_name]`` CSS px at least."""
    figures = page.evaluate(FIGURES_JS)
    for fig in figures:
        if fig["text"] is not None and fig["natural"]:
            fig["css_px"] = float(fig["text"]) * fig["width"] / fig["natural"]
        else:  # a guess for the table only: matplotlib's default 10-pt text, at the inline
            # backend's 100 dpi or the players' 144 (two pixels per CSS px)
            fig["css_px"] = None
            dpi = 144 if fig["player"] else 100
            fig["guess"] = 10 * dpi / 72 * fig["width"] / max(fig["natural"], 1)
    FIGURE_DIR.mkdir(parents=True, exist_ok=True)
    name = f"{viewport_name}__" + re.sub(r"[/.]", "_", path.removesuffix(".html")) + ".json"
    record = {"page": path, "viewport": viewport_name, "figures": figures}
    (FIGURE_DIR / name).write_text(json.dumps(record), "utf-8")
    # The same images at both sizes (the table pairs them), and none missed by the script.
    expected = images_in_html(page, path)
    assert len(figures) == expected, (
        f"{path} at {viewport_name}: {len(figures)} output images measured; the built page "
        f"has {expected}"
    )
    problems = []
    for fig in figures:
        if fig["css_px"] is None:
            problems.append(
                f"{path}, {fig['name']} at {viewport_name}: no data-min-text-px (a figure made "
                "without logreg_book.responsive.show_figure?)"
            )
        elif fig["css_px"] < MINIMUM[viewport_name]:
            problems.append(
                f"{path}, {fig['name']} at {viewport_name}: smallest text {fig['css_px']:.1f} "
                f"CSS px; expected at least {MINIMUM[viewport_name]:g}"
            )
    assert not problems, "\n".join(problems)


def _cell(fig):
    if fig is None:
        return "not measured"
    if fig["css_px"] is None:
        return f"no data (~{fig['guess']:.1f} for 10-pt text)"
    return f"{fig['css_px']:.1f}" + (" (narrow)" if fig["chosen"] == "narrow" else "")


def write_figure_table():
    """_build/screenshots/figure_text.md: every figure of every page measured so far, at both
    sizes (a page measured at one size only says so in the other column)."""
    if not FIGURE_DIR.is_dir():
        return
    measured = {}
    for part in sorted(FIGURE_DIR.glob("*.json")):
        record = json.loads(part.read_text("utf-8"))
        if record["page"] in PAGES:  # a page since removed from the book is left out
            measured[(record["page"], record["viewport"])] = record["figures"]
    rows, bad = [], set()
    for path in sorted({p for p, _ in measured}):
        phone, desktop = measured.get((path, "phone")), measured.get((path, "desktop"))
        for i in range(max(len(phone or []), len(desktop or []))):
            p = phone[i] if phone and i < len(phone) else None
            d = desktop[i] if desktop and i < len(desktop) else None
            for viewport, fig in (("phone", p), ("desktop", d)):
                if fig and (fig["css_px"] is None or fig["css_px"] < MINIMUM[viewport]):
                    bad.add((path, fig["name"]))
            name = (p or d)["name"]
            cells = f"{_cell(p)} | {_cell(d)}"
            rows.append(f"| {path.removesuffix('.html')} | {name} | {cells} |")
    lines = [
        f"# Smallest figure text, CSS px (site: {SITE})",
        "",
        f"Phone 390x844 (at least {MINIMUM['phone']:g}), desktop 1400x900 (at least "
        f"{MINIMUM['desktop']:g}); (narrow) = the phone layout was served. "
        f"{len(rows)} images, {len(bad)} below the minimum or without the number.",
        "",
        "| page | figure | phone | desktop |",
        "| --- | --- | --- | --- |",
        *rows,
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
