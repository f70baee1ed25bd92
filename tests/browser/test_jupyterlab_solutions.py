"""Solutions in JupyterLab (with jupyterlab-myst), in Chromium: folded, nothing of them readable
before the reader opens them, and all of them there once opened. And the training explorer's live
widget, whose controls the chosen solver does not read are disabled, with the reason shown.

jupyterlab-myst renders each markdown cell on its own. A solution spanning cells (sphinx-exercise's
``solution-start`` ... ``solution-end``) therefore showed as a fold titled "Start of Solution to
Exercise 1", its code cell outside the fold collapsed to its first line (which could give the
answer away) and an empty box for the ``solution-end``. The book now writes such a solution as one
``{solution}`` directive followed by its code cell, tagged ``solution-code`` and collapsed to a
comment line (tools/sync_notebooks.py); the website moves the cell into the dropdown
(logreg_book.sphinx.solution_code). The server and browser are test_jupyterlab's fixtures.
"""

import json
import re

import nbformat
import pytest
from _browser import SHOTS
from test_jupyterlab import RENDER_DEADLINE, _open, _run_all, chromium, lab  # noqa: F401 (fixtures)

pytestmark = pytest.mark.kernel

PAGES = ["book/softmax/kl_divergence.ipynb", "book/practice/evaluation.ipynb"]
SOLUTION = re.compile(
    r"```\{solution(?:-start)?\} (\S+)\n(?::[^\n]*\n)*(?:```\n)?\n?(.*?)(?=\n```|$)", re.DOTALL
)
CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
# A run of plain words in the prose (no math, roles, markup), to find the prose on the screen.
PLAIN = re.compile(r"[A-Za-z][A-Za-z ,;:'()-]{24,}")


def solutions(path):
    """(label, prose, code lines) of each solution of the notebook, in either form: gated (the
    code cells between solution-start and solution-end) or a {solution} with its solution-code
    cell."""
    found, inside = [], False
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if "{solution-end}" in source:
                inside = False
            for match in SOLUTION.finditer(source):
                found.append((match.group(1), match.group(2), []))
                inside = "{solution-start}" in match.group(0)
        elif inside or "solution-code" in cell["metadata"].get("tags", []):
            found[-1][2].extend(source.splitlines())
    return found


def _code_lines(lines):
    """The lines that say something: not comments, long enough not to occur by chance."""
    return [ln.strip() for ln in lines if len(ln.strip()) >= 12 and not ln.strip().startswith("#")]


def _words(prose):
    # What is cut out ends a run: the words on either side are not adjacent on the screen.
    runs = PLAIN.findall(re.sub(r"\$[^$]*\$|\{\w+(?::\w+)?\}`[^`]*`|`[^`]*`|\*", "\n", prose))
    return " ".join(max(runs, key=len).split())[:40].strip()


def _visible_text(page):
    return " ".join(page.locator(".jp-NotebookPanel .jp-Notebook").inner_text().split())


@pytest.mark.parametrize("path", PAGES)
def test_a_solution_shows_nothing_until_opened_and_everything_after(chromium, lab, path):  # noqa: F811
    expected = solutions(lab["home"] / path)
    assert expected and all(code for _, _, code in expected), "a solution without its code"
    name = path.rsplit("/", 1)[1].removesuffix(".ipynb")
    page = _open(chromium, lab, path)
    try:
        folds = page.locator(".jp-NotebookPanel details.myst-exercise")
        page.wait_for_function(
            "n => document.querySelectorAll('.jp-NotebookPanel details.myst-exercise').length >= n"
            " && document.querySelectorAll('.jp-NotebookPanel .jp-MarkdownCell .myst').length",
            arg=len(expected),
            timeout=RENDER_DEADLINE,
        )
        assert folds.count() == len(expected)
        # Closed, titled plainly.
        titles = [" ".join(t.split()) for t in folds.locator("summary").all_inner_texts()]
        for title in titles:
            assert re.match(r"Solution to Exercise \d+\b", title), title
            assert "Start of" not in title and "End of" not in title, title
        assert page.locator(".jp-NotebookPanel details.myst-exercise[open]").count() == 0
        # No empty box: every exercise and solution box has a title and a body with text.
        empty = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                '.jp-NotebookPanel aside.myst-exercise, .jp-NotebookPanel details.myst-exercise'))
                .filter(box => box.textContent.trim().length < 40).length"""
        )
        assert empty == 0, f"{empty} empty exercise or solution boxes"
        # Nothing of a solution's code, nor of its prose, is on the screen.
        text = _visible_text(page)
        for label, prose, code in expected:
            shown = [ln for ln in _code_lines(code) if " ".join(ln.split()) in text]
            assert not shown, f"{label}: code in view before the solution is opened: {shown[:2]}"
            assert _words(prose) not in text, f"{label}: prose in view before it is opened"
        SHOTS.mkdir(parents=True, exist_ok=True)
        folds.first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"lab_jupyterlab_solutions_{name}_folded.png"))

        # Opened: the prose in the fold, then the code (its cell's placeholder opens it).
        for i, (label, prose, code) in enumerate(expected):
            fold = folds.nth(i)
            fold.locator("summary").click()
            page.wait_for_function("e => e.open", arg=fold.element_handle())
            assert _words(prose) in " ".join(fold.inner_text().split()), label
            # The solution's code cell: the next code cell after the fold's markdown cell.
            cell = fold.locator(
                f"xpath=ancestor::div[{CLASS.format('jp-Cell')}][1]"
                f"/following-sibling::div[{CLASS.format('jp-CodeCell')}][1]"
            )
            placeholder = cell.locator(".jp-InputPlaceholder")
            if placeholder.count():
                placeholder.click()
            cell.locator(".cm-content").wait_for()
            cell.scroll_into_view_if_needed()
            source = " ".join(cell.locator(".cm-content").inner_text().split())
            missing = [ln for ln in _code_lines(code) if " ".join(ln.split()) not in source]
            assert not missing, f"{label}: code not shown once opened: {missing[:2]}"
        folds.first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"lab_jupyterlab_solutions_{name}_opened.png"))
    finally:
        page.close()


TRAINING = ["from logreg_book import widgets", "widgets.training_widget(n_iter=20)"]
SLIDER_DISABLED = """([vbox, name]) => {
  const slider = Array.from(vbox.querySelectorAll('.widget-slider')).find(
      s => s.querySelector('.widget-label').textContent.trim() === name);
  return slider.querySelector('.noUi-target').hasAttribute('disabled');
}"""


def test_the_training_explorer_disables_a_control_the_solver_does_not_read(chromium, lab):  # noqa: F811
    # The explorer's live widget alone (test_jupyterlab drives every demo's sliders).
    nb = nbformat.read(lab["home"] / "demos.ipynb", as_version=4)
    nb.cells = [nbformat.v4.new_code_cell(code) for code in TRAINING]
    nbformat.write(nb, lab["home"] / "training.ipynb")
    page = _open(chromium, lab, "training.ipynb")
    try:
        _run_all(page)
        vbox = page.locator(".jp-NotebookPanel .widget-vbox").first
        vbox.wait_for()
        vbox.scroll_into_view_if_needed()

        def disabled(name):
            return page.evaluate(SLIDER_DISABLED, [vbox.element_handle(), name])

        # gd (the default): batch is off, and the note under the controls says why.
        assert disabled("batch") and not disabled("lr")
        assert "only sgd uses mini-batches" in vbox.inner_text()
        vbox.screenshot(path=str(SHOTS / "lab_jupyterlab_training_gd_batch_off.png"))
        readout = vbox.locator(".widget-html").last
        before = readout.inner_text()
        vbox.locator(".widget-dropdown select").nth(1).select_option("sgd")
        # The new run's readout (sgd's objective) once it has trained.
        page.wait_for_function(
            "([e, text]) => e.innerText !== text", arg=[readout.element_handle(), before]
        )
        page.wait_for_function(
            f"([vbox, name]) => !({SLIDER_DISABLED})([vbox, name])",
            arg=[vbox.element_handle(), "batch"],
        )
        assert not disabled("lr") and "mini-batches" not in vbox.inner_text()
        vbox.screenshot(path=str(SHOTS / "lab_jupyterlab_training_sgd_batch_on.png"))
    finally:
        page.close()
