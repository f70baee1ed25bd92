"""The axe runs of the page checks (_axe.py): remembering parsed colours changes no result, a
text whose contrast is too low fails the check, and a run that shows axe one code token of each
kind finds what the full run finds.

_axe.REMEMBER_COLOURS_JS makes axe's colour-contrast rule cheaper by parsing each CSS colour
string once; this compares every result of axe (violations, passes and the undecided, with
each check's data: the colours and ratios it found) with and without it on a page of the
colours the site's stylesheets use (named, hex, rgb(a), hsl with angle units, oklch,
transparent layers, opacity), some of them failing.
"""

import json
import random

import _axe
import pytest
from _axe import check_axe, load_axe

COLOURS = """<!doctype html><html lang="en"><head><title>Colours</title><style>
  body { background: #fff; color: #222; font: 16px sans-serif; }
  .a { color: rgb(120 120 120); background: hsl(0.5turn 10% 60%); }
  .b { color: #777; background-color: #888; }
  .c { color: rgba(0, 0, 0, 0.35); background: oklch(0.9 0.02 250); }
  .d { color: hsl(3.1rad 40% 45%); background: color-mix(in srgb, navy 30%, white); }
  .e { opacity: 0.6; color: steelblue; background: transparent; }
  .f { color: #fafafa; background: rgba(20, 20, 20, 0.5); }
  .g { color: white; background: #1a1a1a; }
</style></head><body><main>
  <h1>Colours</h1>
  <p class="a">Grey on a grey-blue.</p><p class="b">Grey on grey.</p>
  <div class="c"><p>Faint text <span class="g">light on dark</span> on pale blue.</p></div>
  <p class="d">Brownish on a navy tint.</p><p class="e">Half-transparent blue.</p>
  <div class="f"><p>Light on a half-dark layer <a href="#x">a link</a>.</p></div>
  <ul>{items}</ul>
</main></body></html>"""
SAMPLED_PAGE = "book/practice/evaluation.html"  # 8635 code tokens
ITEMS = "".join(
    f'<li style="color: hsl({h} 50% {30 + h % 40}%)">item {h}</li>' for h in range(0, 360, 15)
)
RESULTS_JS = """async (options) => {
  const r = await axe.run(document, {...options, resultTypes: undefined});
  const nodes = (rule) => rule.nodes.map((n) => [n.target, n.impact,
    ...["any", "all", "none"].map((k) => n[k].map((c) => [c.id, c.data]))]);
  return ["violations", "passes", "incomplete"].map(
    (kind) => r[kind].map((rule) => [rule.id, rule.impact, nodes(rule)]));
}"""


@pytest.fixture
def colours_page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(COLOURS.replace("{items}", ITEMS))
    yield page
    context.close()


def test_remembered_colours_change_no_result(browser, colours_page):
    plain = browser.new_page()
    try:
        plain.set_content(COLOURS.replace("{items}", ITEMS))
        options = load_axe(plain, remember_colours=False)
        expected = plain.evaluate(RESULTS_JS, options)
    finally:
        plain.close()
    options = load_axe(colours_page)
    # the pinned axe has the function replaced: the speed-up is in place
    assert colours_page.evaluate(
        "() => axe.commons.color.Color.prototype.parseString.remembers === true"
    ), "axe's Color.parseString was not replaced"
    found = colours_page.evaluate(RESULTS_JS, options)
    assert json.dumps(found) == json.dumps(expected)
    contrast = [r for r in expected[0] if r[0] == "color-contrast"]
    assert contrast and len(contrast[0][2]) >= 3, "the page's low-contrast texts were not found"


def test_too_low_a_contrast_fails_the_page(colours_page, monkeypatch, tmp_path):
    monkeypatch.setattr(_axe, "AXE_DIR", tmp_path)  # not a page of the book's table
    expected = r"colours\.html \(desktop\): axe finds .*color-contrast"
    with pytest.raises(AssertionError, match=expected):
        check_axe(colours_page, "colours.html", "desktop")


# Low-contrast colours planted on token kinds chosen at random (pygments classes in a code block).
PLANT_JS = """([seed, colours]) => {
  let x = seed;
  const rnd = (n) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor((x / 2147483648) * n);
  };
  // a token kind axe checks: in a code block in view (not a closed solution), with letters
  const words = (pre) => Array.from(pre.querySelectorAll("span[class]"))
    .filter((s) => /[\\p{L}\\p{N}]/u.test(s.textContent));
  const blocks = Array.from(document.querySelectorAll("div.highlight pre"))
    .filter((pre) => pre.id && pre.checkVisibility() && words(pre).length);
  const style = document.createElement("style");
  const planted = colours.map((colour) => {
    const pre = blocks[rnd(blocks.length)];
    const classes = [...new Set(words(pre).map((s) => s.className))];
    const cls = classes[rnd(classes.length)];
    style.textContent += `#${CSS.escape(pre.id)} span.${CSS.escape(cls)} { color: ${colour}; }\\n`;
    return [pre.id, cls, colour];
  });
  document.head.append(style);
  return planted;
}"""
# Each target's element, as its index among the page's elements, and its colour.
ELEMENTS_JS = """(targets) => {
  const all = Array.from(document.querySelectorAll("*"));
  return targets.map((t) => { const el = document.querySelector(t);
    return [all.indexOf(el), getComputedStyle(el).color]; });
}"""


def test_sampled_code_tokens_find_every_failing_kind(browser, server):
    """A run that shows axe one code token of each kind finds a token of every kind of failing
    token the full run finds, and nothing the full run does not: ten low-contrast colours are
    planted on token classes of code blocks drawn at random (a new draw each run; the seed is in
    the message). One draw: beside the other tests its two runs of axe took 60-100 s."""
    seed = random.SystemRandom().randrange(2**31)
    page = browser.new_page()
    try:
        page.goto(f"{server}/{SAMPLED_PAGE}", wait_until="load")
        # a colour of its own for each planted kind, all too light on the code's background
        hues = random.Random(seed).sample(range(0, 360, 3), 10)
        colours = [f"hsl({h} 40% {70 + h % 10}%)" for h in hues]
        planted = page.evaluate(PLANT_JS, [seed, colours])
        # the page's own markup (tab stops follow its layout as it settles; axe's runs do not)
        markup = (
            "() => document.getElementById('main-content').innerHTML"
            ".replace(/ tabindex=\"-?\\d+\"/g, '')"
        )
        before = page.evaluate(markup)
        full = _axe.run_axe(page, sample_tokens=False)
        sampled = _axe.run_axe(page)
        after = page.evaluate(markup)
        assert after == before, f"seed {seed}: the sampled run left the page changed"

        def found(violations):
            targets = [t for rule, _, ts in violations if rule == "color-contrast" for t in ts]
            return page.evaluate(ELEMENTS_JS, targets)

        full_found, sampled_found = found(full), found(sampled)
        where = f"seed {seed}, planted {planted}"
        assert full_found, f"{where}: the full run found no planted token"
        assert all(i >= 0 for i, _ in sampled_found), f"{where}: {sampled} names no element"
        full_elements = {i for i, _ in full_found}
        assert {i for i, _ in sampled_found} <= full_elements, f"{where}: {sampled} vs {full}"
        assert {c for _, c in sampled_found} == {c for _, c in full_found}, where
        assert _others(sampled) == _others(full), where
    finally:
        page.close()


def _others(violations):
    return sorted((r, tuple(t)) for r, _, t in violations if r != "color-contrast")
