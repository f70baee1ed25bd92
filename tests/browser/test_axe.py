"""The axe runs of the page checks (_axe.py): remembering parsed colours changes no result, and a
text whose contrast is too low fails the check.

_axe.REMEMBER_COLOURS_JS makes axe's colour-contrast rule cheaper by parsing each CSS colour
string once; this compares every result of axe (violations, passes and the undecided, with
each check's data: the colours and ratios it found) with and without it on a page of the
colours the site's stylesheets use (named, hex, rgb(a), hsl with angle units, oklch,
transparent layers, opacity), some of them failing.
"""

import json

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
