"""Every figure's smallest text, as the reader sees it, on a phone and on a desktop; a tap opens a
figure full size.

A figure carries its smallest text in image pixels (``data-min-text-px``, written by
logreg_book.responsive.show_figure and the animation player); on the page that text is
``min_text_px * rendered width / natural width`` CSS px of the image the browser chose
(``currentSrc``: the narrow layout on a phone). A figure without the number fails, named by page
and image. The table of every figure at both sizes goes to _build/screenshots/figure_text.md.
"""

import re

from _browser import DESKTOP, PAGES, PHONE, SHOTS, SITE

MINIMUM = {"phone": 9.0, "desktop": 10.0}
CONTEXTS = {
    "phone": {"viewport": PHONE, "device_scale_factor": 3, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": DESKTOP},
}

# Every image in a code cell's output (static figures and animation frames), with solutions
# opened so that figures inside them have a size.
FIGURES_JS = """async () => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  const images = Array.from(document.querySelectorAll("article .cell_output img"));
  await Promise.all(images.map((i) => i.decode().catch(() => null)));
  return images.map((img) => {
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
}"""


def measure(browser, server, viewport_name):
    """{page: [figure dicts with 'css_px']} at one viewport."""
    context = browser.new_context(**CONTEXTS[viewport_name])
    found = {}
    try:
        page = context.new_page()
        for path in PAGES:
            page.goto(f"{server}/{path}", wait_until="load")
            figures = page.evaluate(FIGURES_JS)
            for fig in figures:
                if fig["text"] is not None and fig["natural"]:
                    fig["css_px"] = float(fig["text"]) * fig["width"] / fig["natural"]
                else:  # a guess for the table only: matplotlib's default 10-pt text, at the
                    # inline backend's 100 dpi or the players' 144 (two pixels per CSS px)
                    fig["css_px"] = None
                    dpi = 144 if fig["player"] else 100
                    fig["guess"] = 10 * dpi / 72 * fig["width"] / max(fig["natural"], 1)
            if figures:
                found[path] = figures
    finally:
        context.close()
    return found


def test_every_figure_has_text_a_reader_can_read_on_a_phone_and_a_desktop(browser, server):
    sizes = {name: measure(browser, server, name) for name in ("phone", "desktop")}
    problems, rows = [], []
    for path in sorted(set(sizes["phone"]) | set(sizes["desktop"])):
        phone, desktop = sizes["phone"].get(path, []), sizes["desktop"].get(path, [])
        assert len(phone) == len(desktop), f"{path}: {len(phone)} images on a phone, {len(desktop)}"
        for p, d in zip(phone, desktop, strict=True):
            cells = []
            for viewport, fig in (("phone", p), ("desktop", d)):
                if fig["css_px"] is None:
                    problems.append(
                        f"{path}, {fig['name']}: no data-min-text-px (a figure made without "
                        "logreg_book.responsive.show_figure?)"
                    )
                    cells.append(f"no data (~{fig['guess']:.1f} for 10-pt text)")
                    continue
                cells.append(
                    f"{fig['css_px']:.1f}" + (" (narrow)" if fig["chosen"] == "narrow" else "")
                )
                if fig["css_px"] < MINIMUM[viewport]:
                    problems.append(
                        f"{path}, {fig['name']} at {viewport}: smallest text "
                        f"{fig['css_px']:.1f} CSS px; expected at least {MINIMUM[viewport]:g}"
                    )
            rows.append(f"| {path.removesuffix('.html')} | {p['name']} | {cells[0]} | {cells[1]} |")
    default = SITE.resolve() == (SHOTS.parent / "html").resolve()
    report = SHOTS / ("figure_text.md" if default else f"figure_text_{SITE.name}.md")
    SHOTS.mkdir(parents=True, exist_ok=True)
    n_bad = len({re.sub(r" at \w+:.*| no data.*", "", line) for line in problems})
    lines = [
        f"# Smallest figure text, CSS px (site: {SITE})",
        "",
        f"Phone 390x844 (at least {MINIMUM['phone']:g}), desktop 1400x900 (at least "
        f"{MINIMUM['desktop']:g}); (narrow) = the phone layout was served. "
        f"{len(rows)} images, {n_bad} below the minimum or without the number.",
        "",
        "| page | figure | phone | desktop |",
        "| --- | --- | --- | --- |",
        *rows,
    ]
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\n{report}: {len(rows)} images on {len(sizes['desktop'])} pages, {n_bad} failing")
    assert rows, "no figure found in any page"
    assert not problems, "\n".join(problems)


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
