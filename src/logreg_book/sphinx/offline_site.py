"""Local Sphinx extension: keep the built site self-contained and its console clean.

- The book offers no in-page code execution (thebe), which would load its
  runtime from a CDN; sphinx-thebe still adds its configuration script, and
  twice, which redeclares a ``const`` and logs an error. Both are dropped.
- pydata-sphinx-theme logs "Got invalid theme mode" on a first visit, when
  localStorage holds no mode yet; an inline script sets the default first.
"""

_THEME_MODE = (
    'if (!localStorage.getItem("mode")) { document.documentElement.dataset.mode = "auto"; }'
)


def _is_thebe(js):
    filename = getattr(js, "filename", None) or str(js)
    body = getattr(js, "attributes", {}).get("body", "")
    return "sphinx-thebe.js" in filename or "THEBE_JS_URL" in body


def _prune_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if scripts is None:
        return
    kept, seen = [], set()
    for js in scripts:
        attributes = repr(sorted(getattr(js, "attributes", {}).items()))
        key = (getattr(js, "filename", None) or str(js), attributes)
        if _is_thebe(js) or key in seen:
            continue
        seen.add(key)
        kept.append(js)
    scripts[:] = kept


def setup(app):
    app.add_js_file(None, body=_THEME_MODE, priority=0)
    app.connect("html-page-context", _prune_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
