"""The library's import root pulls in only the numerical stack.

``import logreg``, and the import of every one of its modules, leaves no trace of plotting,
widgets, symbolic algebra, IPython or Jupyter in ``sys.modules``: a script or a server that fits
a model loads NumPy, SciPy and scikit-learn, nothing of the book or the grader.
"""

from _imports import forbidden, modules_after, modules_after_walking

NOT_IN_THE_LIBRARY = (
    "matplotlib",
    "ipywidgets",
    "sympy",
    "IPython",
    "ipykernel",
    "jupyter*",
    "nbformat",
    "PIL",
    "logreg_book",
    "logreg_grader",
)


def test_import_logreg_brings_in_only_the_numerical_stack():
    names = modules_after("import logreg")
    assert "numpy" in names  # SciPy and scikit-learn come with the first estimator used
    assert not forbidden(names, NOT_IN_THE_LIBRARY)


def test_no_module_of_logreg_brings_in_plotting_widgets_sympy_or_jupyter():
    names = modules_after_walking("logreg", at_least=18)
    assert not forbidden(names, NOT_IN_THE_LIBRARY)


def test_the_checks_see_a_forbidden_import():
    # The checks above would pass vacuously if a rule could not match or the listing missed one.
    assert forbidden({"jupyter_client", "sympy", "numpy"}, NOT_IN_THE_LIBRARY) == [
        "jupyter_client",
        "sympy",
    ]
    # Two light imports (a fresh Python importing nbformat spent 1.2 s CPU building jsonschema's
    # grammars), one for a plain rule and one for a wildcard rule.
    seen = modules_after("import PIL, jupyter_core")
    assert forbidden(seen, NOT_IN_THE_LIBRARY) == ["PIL", "jupyter_core"]
