"""Local Sphinx extension: on the website, ``{eval}`name``` shows the value glued as ``name``.

The pages write computed values into their prose as ``{eval}`name```. In JupyterLab,
jupyterlab-myst evaluates ``name`` in the notebook's kernel once the cells have run. myst-nb could
do the same only by executing every page inline at each build, without the execution cache. So
each such value is also glued under its own name, ``glue("name", name := ..., display=False)``
(tests/book/test_hygiene.py checks the pairing), and here ``{eval}`` becomes myst-nb's
``{glue:text}``, which reads the glued value from the executed (and cached) notebook.
"""

from myst_nb.ext.glue.roles import PasteTextRole


def setup(app):
    app.add_role("eval", PasteTextRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
