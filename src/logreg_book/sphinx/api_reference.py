"""The API reference (``book/api/``): the library's docstrings rendered by autodoc and napoleon.

Each page of ``book/api/`` is one ``automodule`` directive; this extension holds the settings they
share, so that the book and ``tests/book/test_api_reference.py`` (which builds those pages alone)
render them the same way.

- The docstrings are numpydoc; napoleon (part of Sphinx, no extra package) reads them. Parameter
  and return types are shown as text, not as cross-references: ``ndarray of shape (n_samples,
  n_features)`` is prose, and a strict build (``-n``) would otherwise ask for a target for every
  word of it.
- Members come in the order of the module's ``__all__`` (``bysource``), which follows the book.
- A solver module holds one function whose explanation is the module's own docstring (the
  theorem it relies on); that docstring is shown under the function.
- A reference to a name the package re-exports (``logreg.one_hot``) resolves to its entry
  (``logreg.functions.one_hot``): the reference has one entry per object, under its module.
- A docstring's path to a page (``book/softmax/softmax_function.ipynb``) is a link to the page.
- ``static/api_reference.css``: long names, signatures and types wrap on a phone.
- Nothing is fetched at build time (no intersphinx), so references to Python's, NumPy's or
  scikit-learn's own names are not links: they are listed in ``nitpick_ignore_regex`` rather than
  reported as broken. A reference to ``logreg`` itself is never ignored.
"""

import importlib
import inspect
import re
import sys

from .site_layout import STATIC

# Names outside the library that docstrings and signatures mention; there is no inventory of them
# to link to offline.
EXTERNAL = [
    ("py:.*", r"(builtins\.)?[A-Za-z]*(Error|Warning|Exception)"),
    ("py:.*", r"(numpy|np|scipy|sklearn|typing|collections)(\..*)?"),
    ("py:.*", r"(int|float|str|bool|dict|tuple|list|object|callable|None|NamedTuple)"),
]


def _solver_docstring(app, what, name, obj, options, lines):
    """A solver function without a docstring of its own gets its module's docstring."""
    if what != "function" or lines or inspect.getdoc(obj):
        return
    module = sys.modules.get(getattr(obj, "__module__", ""))
    if module is None or not module.__name__.startswith("logreg.solvers."):
        return
    if module.__name__.rsplit(".", 1)[-1] != obj.__name__ or not module.__doc__:
        return
    lines.extend(inspect.cleandoc(module.__doc__).splitlines())


def _skip_member(app, what, name, obj, skip, options):
    """Leave out what is documented elsewhere or is not the library's own API."""
    if what == "module" and not skip:
        home = getattr(obj, "__module__", None)
        here = app.env.temp_data.get("autodoc:module") or app.env.ref_context.get("py:module")
        if isinstance(obj, type) or callable(obj):
            # A re-export (models re-exports the exceptions) is documented in its own module;
            # scikit-learn's NotFittedError is the library's through logreg.exceptions.
            if home != here and (str(home).startswith("logreg.") or here != "logreg.exceptions"):
                return True
    if what == "class":
        doc = getattr(obj, "__doc__", None) or ""
        # scikit-learn's metadata-routing setters and a NamedTuple's field accessors (its
        # fields are described in the class's Attributes section).
        if (name.startswith("set_") and name.endswith("_request")) or doc.startswith(
            "Alias for field number"
        ):
            return True
    return None


PAGE = re.compile(r"(``)?(?<![\w/])(book/[\w/]+)\.(?:ipynb|md)(?(1)``)")


def _link_pages(app, what, name, obj, options, lines):
    """A docstring's ``book/.../page.ipynb`` becomes a link to that page, titled as it is."""
    for i, line in enumerate(lines):
        lines[i] = PAGE.sub(
            lambda m: f":doc:`/{m[2]}`" if m[2] in app.env.found_docs else m[0], line
        )


def _drop_type_docstring(app, what, name, obj, options, lines):
    """Module data without a comment of its own shows no text, not the docstring of its type."""
    if what == "data" and lines and "\n".join(lines).strip() == inspect.getdoc(type(obj)):
        lines.clear()


def _resolve_reexport(app, env, node, contnode):
    """``logreg.name`` for a name the package re-exports: the entry under its own module."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("logreg."):
        return None
    package, _, name = target.partition(".")
    if "." in name:
        return None
    module = importlib.import_module(package)
    if name not in getattr(module, "__all__", ()):
        return None
    canonical = f"{getattr(module, name).__module__}.{name}"
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], canonical, node, contnode
    )


def _on_config_inited(app, config):
    config.autodoc_member_order = "bysource"
    # Every name in __all__, documented or not; inherited methods (fit, predict, ...) but not
    # scikit-learn's (get_params, score) nor those of Python's exceptions and tuples.
    config.autodoc_default_options = {
        "members": True,
        "undoc-members": True,
        "inherited-members": ",".join(
            [
                "BaseEstimator",
                "ClassifierMixin",
                "BaseException",
                "AttributeError",
                "tuple",
                "object",
            ]
        ),
    }
    config.napoleon_google_docstring = False
    config.napoleon_numpy_docstring = True
    config.napoleon_use_param = False
    config.napoleon_use_rtype = False
    # Attributes read as parameters do: a name, its type as text, a description. (As attribute
    # directives they would make each word of the type a reference, and a NamedTuple's fields
    # would be described twice.)
    config.napoleon_custom_sections = [("Attributes", "params_style")]
    config.add_module_names = False
    config.nitpick_ignore_regex = [*config.nitpick_ignore_regex, *EXTERNAL]
    if str(STATIC) not in config.html_static_path:
        config.html_static_path.append(str(STATIC))


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.autosummary")
    app.setup_extension("sphinx.ext.napoleon")
    app.connect("config-inited", _on_config_inited)
    app.add_css_file("api_reference.css")
    app.connect("autodoc-process-docstring", _solver_docstring)
    app.connect("autodoc-process-docstring", _drop_type_docstring)
    app.connect("autodoc-process-docstring", _link_pages)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("missing-reference", _resolve_reexport)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
