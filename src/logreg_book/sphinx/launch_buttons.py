"""Local Sphinx extension: launch and repository buttons only where they can work.

``repository.url`` in ``_config.yml`` (Jupyter Book passes it on as the theme option
``repository_url``) is the one switch:

- empty (the committed state): the site has no repository of its own to point at, so the pages
  carry download buttons only. The launch services (Binder, Colab) are dropped from the theme's
  options, which would otherwise build links from a repository that does not exist, and the
  repository button stays off.
- a URL: the repository button comes on, and the notebook pages get the Binder and Colab buttons
  named under ``launch_buttons`` (``tools/sync_notebooks.py`` writes the matching install cell).

The repository button is switched here rather than by ``html.use_repository_button``: Jupyter
Book refuses that option without a URL, so the URL alone could not turn the buttons off.

In either state the homework pages (``book/homework/``, shown as their student edition by
``student_pages``) carry neither a launch button nor the repository button: both lead to the
repository's notebook, the instructor's edition with its solutions and hidden tests. Their
``.ipynb`` download is the student edition and stays.
"""

from logreg_book.sphinx.student_pages import HOMEWORK

LAUNCH_SERVICES = (
    "binderhub_url",
    "colab_url",
    "jupyterhub_url",
    "deepnote_url",
    "jupyterlite_url",
)
# The labels sphinx-book-theme gives its buttons that lead to the repository.
REPOSITORY_LABELS = {
    "launch-buttons",
    "source-buttons",
    "source-repository-button",
    "source-file-button",
    "source-edit-button",
    "source-issues-button",
}


def repository_url(config):
    """The configured repository URL, or "" when there is none."""
    return ((config.html_theme_options or {}).get("repository_url") or "").strip()


def _on_config_inited(app, config):
    options = config.html_theme_options
    if options is None:
        options = config.html_theme_options = {}
    if repository_url(config):
        options["use_repository_button"] = True
        return
    options["repository_url"] = ""
    for key in (
        "use_repository_button",
        "use_source_button",
        "use_edit_page_button",
        "use_issues_button",
    ):
        options[key] = False
    launch = dict(options.get("launch_buttons") or {})
    for key in LAUNCH_SERVICES:
        launch.pop(key, None)
    options["launch_buttons"] = launch


def _drop_repository_buttons(app, pagename, templatename, context, doctree):
    if pagename.startswith(HOMEWORK) and "header_buttons" in context:
        context["header_buttons"][:] = [
            b for b in context["header_buttons"] if b.get("label") not in REPOSITORY_LABELS
        ]


def setup(app):
    app.connect("config-inited", _on_config_inited)
    # After sphinx-book-theme has added its buttons (priority 501).
    app.connect("html-page-context", _drop_repository_buttons, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
