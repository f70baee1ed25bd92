"""Local Sphinx extension: on the website, a solution's code cell sits inside its dropdown.

A solution with code is written as a markdown cell ending in a ``{solution}`` directive (the prose,
with the numbers as ``{eval}``) and, right after it, the code cell that computes and checks them,
tagged ``solution-code``. In JupyterLab the directive folds as a whole, where a solution spanning
cells (sphinx-exercise's ``solution-start``/``solution-end``) could not: jupyterlab-myst renders
each markdown cell on its own, so that the code stood outside the fold, an empty box closed it and
the fold read "Start of Solution". There the code cell is collapsed to its first line, a comment
(tools/sync_notebooks.py). Here the cell is moved into the dropdown, after the prose, which is where
the gated form put it: the website reads as before, with the cell's executed outputs.
"""

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx_exercise.nodes import solution_node

TAG_CLASS = "tag_solution-code"  # myst-nb turns each cell tag into a class "tag_<tag>"

logger = logging.getLogger(__name__)


def _is_solution_code(node):
    return isinstance(node, nodes.container) and TAG_CLASS in node.get("classes", [])


class MoveSolutionCode(SphinxTransform):
    """Move each ``solution-code`` cell into the solution just before it."""

    # After sphinx-exercise merges its gated directives (priority 10), before the references are
    # resolved; the cell is a sibling of the solution node, both in the page's section.
    default_priority = 20

    def apply(self):
        for cell in list(self.document.findall(_is_solution_code)):
            parent = cell.parent
            index = parent.index(cell)
            before = parent[index - 1] if index else None
            if not isinstance(before, solution_node):
                logger.warning(
                    "a code cell tagged solution-code must follow a {solution} directive; it "
                    "follows %s",
                    type(before).__name__ if before is not None else "nothing",
                    location=cell,
                )
                continue
            content = next(
                (s for s in before.findall(nodes.section) if "solution-content" in s["ids"]),
                before,
            )
            parent.remove(cell)
            content += cell


def setup(app):
    app.add_transform(MoveSolutionCode)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
