"""The grader's import root: Jupyter's client and nbformat, sympy for the symbolic rules, and of
the book's layer only ``logreg_book.symbolic`` (the identity checks the homework shares with the
proof chapters); never plotting or widgets."""

from _imports import forbidden, modules_after, modules_after_walking

NOT_IN_THE_GRADER = ("matplotlib", "ipywidgets", "PIL", "IPython", "ipykernel")
BOOK_MODULES_ALLOWED = {"logreg_book", "logreg_book.symbolic"}


def test_import_logreg_grader_brings_in_no_plotting_or_widgets():
    names = modules_after("import logreg_grader")
    assert "nbformat" in names
    assert not forbidden(names, NOT_IN_THE_GRADER)


def test_every_module_of_the_grader_uses_only_the_symbolic_part_of_the_book():
    names = modules_after_walking("logreg_grader", at_least=12, top_level=False)
    assert "logreg_grader.symcheck" in names and "logreg_book.symbolic" in names
    assert {n for n in names if n.split(".")[0] == "logreg_book"} <= BOOK_MODULES_ALLOWED
    assert not forbidden({n.split(".")[0] for n in names}, NOT_IN_THE_GRADER)
