"""Local Sphinx extension: the Build status page's table says "ok" or "failed" in words.

myst-nb's ``{nb-exec-table}`` marks each page's execution with an emoji (a check mark or a
cross); a reader whose system lacks an emoji font sees an empty box instead. The words replace
them once the table is in the page (``doctree-resolved`` runs after myst-nb's post-transform
that builds it).
"""

from docutils import nodes

WORDS = {"\N{WHITE HEAVY CHECK MARK}": "ok", "\N{CROSS MARK}": "failed"}


def _words_for_emoji(app, doctree, docname):
    for table in doctree.findall(nodes.table):
        for text in list(table.findall(nodes.Text)):
            if text.astext().strip() in WORDS:
                text.parent.replace(text, nodes.Text(WORDS[text.astext().strip()]))


def setup(app):
    app.connect("doctree-resolved", _words_for_emoji)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
