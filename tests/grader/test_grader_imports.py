"""The grader's import root: Jupyter's client and nbformat, sympy for the symbolic rules, and of
the book's layer only ``logreg_book.symbolic`` (the identity checks the homework shares with the
proof chapters); never plotting or widgets.

Both checks read one fresh interpreter (an interpreter importing the grader costs about 1.5 s of
CPU): it records ``sys.modules`` after ``import logreg_grader``, then imports every module of the
grader and records it again. The first record is what a plain import brings in, as if it were
the only import: nothing of the walk has run yet."""

import json
import subprocess
import sys

import pytest
from _imports import forbidden

NOT_IN_THE_GRADER = ("matplotlib", "ipywidgets", "PIL", "IPython", "ipykernel")
BOOK_MODULES_ALLOWED = {"logreg_book", "logreg_book.symbolic"}
AT_LEAST = 12  # modules the walk must find, so that a walk that found nothing cannot pass

SCRIPT = """
import importlib, json, pkgutil, sys
import logreg_grader
imported = sorted(name for name, module in sys.modules.items() if module is not None)
walked = [m.name for m in pkgutil.walk_packages(logreg_grader.__path__, 'logreg_grader.')]
walked = [name for name in walked if not name.endswith('.__main__')]  # it runs the CLI
for name in walked:
    importlib.import_module(name)
print(json.dumps({"import": imported, "walked": walked, "after_walking": sorted(sys.modules)}))
"""


@pytest.fixture(scope="module")
def modules():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return {k: set(v) for k, v in json.loads(done.stdout.splitlines()[-1]).items()}


def test_import_logreg_grader_brings_in_no_plotting_or_widgets(modules):
    names = {n.split(".")[0] for n in modules["import"]}
    assert "nbformat" in names
    assert not forbidden(names, NOT_IN_THE_GRADER)


def test_starting_the_grader_skips_the_iri_parser_nbformat_never_uses(modules):
    """logreg_grader/__init__.py keeps jsonschema from importing rfc3987_syntax (a Lark grammar
    built at import, ~1 s of CPU per start of the grader): nbformat's validation, which never
    checks formats, is unchanged."""
    assert "rfc3987_syntax" not in modules["import"]
    assert {"jsonschema", "nbformat"} <= {n.split(".")[0] for n in modules["import"]}
    import nbformat
    from nbformat.validator import get_validator

    assert (
        get_validator(
            version=4, version_minor=5, name="jsonschema"
        )._default_validator.format_checker
        is None
    )
    broken = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}}  # no cells
    for name in ("jsonschema", "fastjsonschema"):
        with pytest.raises(nbformat.ValidationError):
            get_validator(version=4, version_minor=5, name=name).validate(broken)


def test_every_module_of_the_grader_uses_only_the_symbolic_part_of_the_book(modules):
    assert len(modules["walked"]) >= AT_LEAST, sorted(modules["walked"])
    names = modules["after_walking"]
    assert "logreg_grader.symcheck" in names and "logreg_book.symbolic" in names
    assert {n for n in names if n.split(".")[0] == "logreg_book"} <= BOOK_MODULES_ALLOWED
    assert not forbidden({n.split(".")[0] for n in names}, NOT_IN_THE_GRADER)
