"""The website's solutions: folded when the page loads, each with its code cell (and the cell's
outputs) inside the dropdown, on every page, at both window sizes.

The pages write a solution with code as a ``{solution}`` directive followed by a code cell tagged
``solution-code`` (so that JupyterLab folds it: test_jupyterlab_solutions.py);
logreg_book.sphinx.solution_code moves the cell into the dropdown on the website. Runs after the
build.
"""

import json
import re

import pytest
from _browser import DESKTOP, PHONE, ROOT, SHOTS, SITE

NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))
WITH_CODE = [
    p
    for p in NOTEBOOKS
    if any(
        "solution-code" in c["metadata"].get("tags", [])
        for c in json.loads(p.read_text(encoding="utf-8"))["cells"]
    )
]


def _html(notebook):
    return SITE / notebook.relative_to(ROOT).with_suffix(".html")


@pytest.mark.parametrize("notebook", WITH_CODE, ids=lambda p: p.stem)
def test_every_solution_code_cell_is_inside_its_dropdown(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    n_code = sum("solution-code" in c["metadata"].get("tags", []) for c in cells)
    page = _html(notebook).read_text(encoding="utf-8")
    # Each solution is a <div class="solution ..."> whose content section ends the div.
    solutions = re.findall(r'<div class="solution dropdown.*?</section>\s*</div>', page, re.S)
    inside = sum(s.count("tag_solution-code") for s in solutions)
    assert inside == n_code == page.count("tag_solution-code"), (inside, n_code)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "path", ["book/softmax/kl_divergence.html", "book/softmax/cross_entropy.html"]
)
def test_a_solution_opens_with_its_code_and_outputs_and_is_folded_before(
    browser, server, viewport, path
):
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(f"{server}/{path}", wait_until="load")
        solutions = page.locator("div.solution.dropdown")
        assert solutions.count() > 0
        # Folded at load: no solution shows its prose or its code cell. (The body is the
        # solution's only section: logreg_book.sphinx.light_pages drops the id that every
        # solution repeated, solution-content.)
        bodies = page.locator("div.solution.dropdown > section")
        assert bodies.count() == solutions.count()
        assert bodies.filter(visible=True).count() == 0
        with_code = page.locator("div.solution.dropdown", has=page.locator(".tag_solution-code"))
        assert with_code.count() > 0
        # One with an output if the page has one (cross_entropy does), else the first.
        with_output = with_code.filter(has=page.locator(".cell_output"))
        first = with_output.first if with_output.count() else with_code.first
        first.scroll_into_view_if_needed()
        name = path.rsplit("/", 1)[1].removesuffix(".html")
        SHOTS.mkdir(parents=True, exist_ok=True)
        size = "phone" if viewport == PHONE else "desktop"
        # The title's first words open it (the link to the exercise is the rest of the title).
        title = first.locator(":scope > .admonition-title")
        box = title.bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + box["height"] / 2)
        cell = first.locator(".tag_solution-code")
        cell.wait_for(state="visible")
        assert first.locator(":scope > section p").first.is_visible()
        # The cell's source is behind its own "Show code cell source" toggle, as before.
        if cell.locator("summary").count():
            cell.locator("summary").first.click()
        cell.locator(".cell_input").wait_for(state="visible")
        outputs = first.locator(".cell_output")
        if outputs.count():
            assert outputs.first.is_visible()
        page.screenshot(path=str(SHOTS / f"lab_site_solution_{name}_{size}.png"))
    finally:
        page.close()
