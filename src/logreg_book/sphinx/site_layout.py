"""Local Sphinx extension: layout fixes for sphinx-book-theme 1.3 on pydata-sphinx-theme 0.17.

- Navigation. pydata-sphinx-theme fills ``navbar_persistent`` with the search field whenever
  the user's ``html_theme_options`` do not name it: it looks only at the user's options, so the
  book theme's own empty default (its theme.conf) is overridden. The theme's top bar is then
  rendered on every page: a second search box on the desktop, and two *hidden* sidebar toggles
  placed before the visible ones in the article header. Both themes' scripts wire up
  ``document.querySelector(".primary-toggle")`` (and ``.secondary-toggle``), the first in the
  page, so the buttons the reader sees do nothing and a phone cannot reach the chapter list.
  Setting the option to an empty list (unless the book sets it) removes that top bar.
- ``static/site_layout.css`` and ``static/site_layout.js``: display and inline math scroll
  inside the column instead of being clipped; margin notes move below the text below 1200px
  and stay within the window above; a print stylesheet (no site chrome, no animation
  controls, notes inline, formulas shrunk to the column, no half-blank pages); search excerpts
  taken from the article text only, and none when the site is opened from the file system.
- ``static/accessibility.css`` and ``static/accessibility.js``: what axe-core and a keyboard or
  touch reader need (link contrast in coloured boxes, accessible names, focus rings, the skip
  link, whole solution bars that open on a tap, phone drawers that close and open at the current
  chapter, tooltips that go away on a touch screen, no "Show code cell source" on paper).
- ``static/favicon.svg``: named by ``html: favicon:`` in ``_config.yml``.

Everything is served from ``_static``; nothing is loaded from another site.
"""

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


def _on_config_inited(app, config):
    options = config.html_theme_options
    if options is None:
        options = config.html_theme_options = {}
    options.setdefault("navbar_persistent", [])
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


# The whole book as one PDF (logreg_book.pdf, written into the site by make book): offered in the
# header's download menu of every page, beside the theme's "print this page".
BOOK_PDF = "logistic-regression.pdf"


def _book_pdf_button(app, pagename, templatename, context, doctree):
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            for item in button["buttons"]:  # the theme's: this page, printed by the browser
                if item.get("label") == "download-pdf-button":
                    item["text"] = "Page (.pdf)"
            button["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](BOOK_PDF, 1),
                    "text": "Book (.pdf)",
                    "tooltip": "Download the book as PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def setup(app):
    app.connect("config-inited", _on_config_inited)
    # After sphinx-book-theme has added its buttons (priority 501).
    app.connect("html-page-context", _book_pdf_button, priority=600)
    app.add_css_file("site_layout.css")
    app.add_js_file("site_layout.js")
    app.add_css_file("accessibility.css")
    app.add_js_file("accessibility.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
