"""binder/: the environment Binder builds for a reader of the notebooks.

One source of versions: every pin in binder/requirements.txt is the top-level pin. Everything a
page imports, directly or through the book's library, is in it, and so are JupyterLab and
jupyterlab-myst; the test tools are not.
"""

import ast
import json
import os
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
FIRST_PARTY = {"logreg", "logreg_book", "logreg_grader"}
TEST_TOOLS = {"pytest", "nbval", "ruff", "playwright", "hypothesis", "pytest-xdist", "jupyter-book"}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    """{name: version} of a requirements file; every other requirement line is returned under
    its own text, so that a loose pin shows up as a difference."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        found[canonical(name) if sep else line] = version
    return found


def imported_modules(source):
    """Top-level names of the absolute imports in ``source`` (IPython magics skipped)."""
    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in source.splitlines()]
    names = set()
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def reader_imports():
    """What the notebooks import, and what the book's library imports for them (the Sphinx
    extension and the PDF printer aside: Binder builds neither the website nor the PDF)."""
    names = set()
    for path in (ROOT / "book").rglob("*.ipynb"):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                names |= imported_modules("".join(cell["source"]))
    for package in ("logreg", "logreg_book"):
        for path in (ROOT / "src" / package).rglob("*.py"):
            if not {"sphinx", "pdf"} & set(path.parts):
                names |= imported_modules(path.read_text(encoding="utf-8"))
    return {n for n in names if n not in sys.stdlib_module_names and n not in FIRST_PARTY}


def test_every_binder_pin_is_the_top_level_pin():
    top, binder = pins(ROOT / "requirements.txt"), pins(BINDER / "requirements.txt")
    assert len(binder) > 10
    different = {name: (version, top.get(name)) for name, version in binder.items()}
    assert {n: v for n, v in different.items() if v[0] != v[1] or not v[0]} == {}


def test_binder_has_what_the_pages_import_and_jupyterlab_myst():
    binder = pins(BINDER / "requirements.txt")
    distributions = packages_distributions()
    modules = reader_imports()
    assert {"numpy", "sklearn", "myst_nb", "matplotlib"} <= modules  # the scan sees the pages
    missing = {
        module: distributions.get(module)
        for module in modules
        if not {canonical(d) for d in distributions.get(module, [module])} & set(binder)
    }
    assert missing == {}
    assert {"jupyterlab", "jupyterlab-myst", "ipywidgets", "ipykernel"} <= set(binder)
    assert not {canonical(t) for t in TEST_TOOLS} & set(binder)


def test_binder_installs_the_book_and_its_python():
    post_build = BINDER / "postBuild"
    assert os.access(post_build, os.X_OK)
    commands = [ln for ln in post_build.read_text().splitlines() if ln and ln[0] != "#"]
    assert any(re.search(r"pip install .*--no-deps \.$", ln) for ln in commands), commands
    runtime = (BINDER / "runtime.txt").read_text().strip()
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert re.fullmatch(r"python-3\.\d+", runtime)
    assert wanted == ">=3.11" and int(runtime.split(".")[1]) >= 11
