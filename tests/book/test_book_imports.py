"""``import logreg_book`` alone is light: each of its modules imports what it draws with.

A page that needs only the symbolic checks, or the grader (which uses ``logreg_book.symbolic``),
does not pay for matplotlib and ipywidgets by importing the package.
"""

from _imports import forbidden, modules_after

HEAVY = ("matplotlib", "ipywidgets", "sympy", "IPython", "jupyter*", "nbformat", "PIL", "sphinx")


def test_import_logreg_book_alone_brings_in_nothing_heavy():
    assert not forbidden(modules_after("import logreg_book"), HEAVY)


def test_the_symbolic_checks_bring_in_sympy_but_no_plotting():
    names = modules_after("import logreg_book.symbolic")
    assert "sympy" in names
    assert not forbidden(names, ("matplotlib", "ipywidgets", "IPython", "jupyter*"))
