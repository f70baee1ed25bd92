"""Solutions with code: one form that folds completely in JupyterLab and sits in one dropdown on the
website (logreg_book.sphinx.solution_code, tools/sync_notebooks.py).

In JupyterLab a solution spanning cells (``solution-start`` ... ``solution-end``) cannot fold its
code (jupyterlab-myst renders each markdown cell on its own), so the pages write a ``{solution}``
directive followed by its code cell, tagged ``solution-code``, whose first line is a comment: all
that JupyterLab shows of the collapsed cell. tests/browser/test_jupyterlab_solutions.py checks the
result in JupyterLab.
"""

import json
import re
from pathlib import Path

import nbformat
import pytest
from test_sphinx_extension import build

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "book").rglob("*.ipynb") if "_build" not in p.parts)
TAG = "solution-code"
ENDS_IN_SOLUTION = re.compile(r"```\{solution\} \S+\n(?:(?!\n```).)*\n```\s*$", re.DOTALL)


def _page(folder, follows):
    """index.ipynb: an exercise and ``follows``, then a solution-code cell with an output."""
    exercise = "# Page\n\n```{exercise}\n:label: ex-a\n\nWhat is 6 x 7?\n```\n\n" + follows
    code = nbformat.v4.new_code_cell("# The checks behind the solution above\nprint(6 * 7)")
    code.metadata["tags"] = ["hide-input", TAG]
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="forty-two\n")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(exercise), code])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nbformat.write(nb, folder / "index.ipynb")


SOLUTION = "```{solution} ex-a\n:class: dropdown\n\nThe answer is 42.\n```"


@pytest.mark.parametrize("moved", [True, False])
def test_the_code_cell_of_a_solution_sits_in_its_dropdown_with_its_output(tmp_path, moved):
    _page(tmp_path, SOLUTION)
    extensions = ["sphinx_exercise", *(["logreg_book.sphinx.solution_code"] if moved else [])]
    out, warnings = build(tmp_path, extensions)
    page = (out / "index.html").read_text(encoding="utf-8")
    solution = re.search(r'<div class="solution dropdown.*?</section>\s*</div>', page, re.DOTALL)
    inside = solution.group(0)
    # Without the extension (the control), the cell follows the dropdown instead.
    assert ("The answer is 42." in inside) and ("forty-two" in inside) is moved
    assert ("tag_solution-code" in inside) is moved
    assert page.count("forty-two") == 1 and "must follow a {solution}" not in warnings


def test_a_solution_code_cell_that_follows_no_solution_is_reported(tmp_path):
    _page(tmp_path, "Only a paragraph here.")
    _, warnings = build(tmp_path, ["sphinx_exercise", "logreg_book.sphinx.solution_code"])
    assert "must follow a {solution} directive" in warnings  # the strict build (-W) fails


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_solution_with_code_is_one_directive_and_a_cell_that_reveals_nothing(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        # A gated solution would leave its code outside the fold in JupyterLab.
        assert "{solution-start}" not in source and "{solution-end}" not in source, path.name
        if TAG not in cell["metadata"].get("tags", []):
            continue
        before = "".join(cells[i - 1]["source"])
        assert cells[i - 1]["cell_type"] == "markdown" and ENDS_IN_SOLUTION.search(before), (
            f"{path.name}, cell {i}: a solution-code cell must follow a cell ending in a solution"
        )
        # JupyterLab's placeholder of a collapsed cell shows its first line.
        assert source.startswith("# "), f"{path.name}, cell {i}: first line {source[:40]!r}"
        assert cell["metadata"].get("jupyter") == {"source_hidden": True, "outputs_hidden": True}
