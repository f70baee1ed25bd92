"""Repository hygiene: notebooks are source code, pins are exact, imports are clean."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _tools import load_tool

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "book").rglob("*.ipynb"))
NOTEBOOKS = [nb for nb in NOTEBOOKS if ".ipynb_checkpoints" not in nb.parts]

# Paths that only exist on some machine: home and root directories, scratch
# folders, Windows user folders, and this checkout's own absolute location.
MACHINE_PATH = re.compile(
    r"(/home/[A-Za-z0-9_.-]+/|/(?:root|tmp|work)/|/Users/[^/]+/|[A-Z]:\\Users\\)"
)


def test_there_are_notebooks():
    assert NOTEBOOKS, "expected at least one notebook under book/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebook_is_committed_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        assert not cell.get("outputs"), f"cell {i} has outputs; clear them before committing"
        assert cell.get("execution_count") is None, f"cell {i} has an execution count"
    kernelspec = nb.get("metadata", {}).get("kernelspec", {})
    assert kernelspec.get("name") == "python3", (
        f"expected kernelspec name 'python3'; received {kernelspec.get('name')!r}"
    )


@pytest.mark.parametrize(
    "path",
    NOTEBOOKS + sorted((ROOT / "book").rglob("*.md")),
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_page_has_no_machine_paths(path):
    text = path.read_text(encoding="utf-8")
    found = MACHINE_PATH.search(text) or (str(ROOT) in text and str(ROOT))
    assert not found, f"absolute machine path in {path.name}: {found}"


def test_requirements_are_pinned_exactly():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    reqs = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
    unpinned = [
        r
        for r in reqs
        if not r.startswith("-e ") and not re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[^=<>~!*\s]+", r)
    ]
    assert not unpinned, f"expected every requirement pinned with ==; unpinned: {unpinned}"
    jb = [r for r in reqs if r.lower().startswith("jupyter-book==")]
    assert jb and jb[0].split("==")[1].startswith("1."), "Jupyter Book must stay on the 1.x line"


def _toc_files(node):
    if isinstance(node, dict):
        if "file" in node:
            yield node["file"]
        if "root" in node:
            yield node["root"]
        for value in node.values():
            yield from _toc_files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _toc_files(item)


def test_toc_and_pages_match():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    listed = set(_toc_files(toc))
    pages = {p.relative_to(ROOT).with_suffix("").as_posix() for p in NOTEBOOKS}
    pages |= {p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "book").rglob("*.md")}
    missing = sorted(f for f in listed if f not in pages)
    assert not missing, f"_toc.yml lists pages that do not exist: {missing}"
    orphans = sorted(pages - listed)
    assert not orphans, f"pages not in _toc.yml (the build would skip them): {orphans}"


def test_import_has_no_side_effects():
    code = (
        "import sys, warnings, numpy as np\n"
        "filters = list(warnings.filters)\n"
        "state = np.random.get_state()[1].copy()\n"
        "import logreg\n"
        "assert warnings.filters == filters, 'warning filters changed'\n"
        "assert (np.random.get_state()[1] == state).all(), 'global random state changed'\n"
        "assert 'matplotlib' not in sys.modules, 'importing logreg imported matplotlib'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_page_starts_its_code_with_the_setup_cell():
    # The setup cell (tools/sync_notebooks.py writes its code from repository.url) must run
    # before anything imports the library, and the website hides it.
    for path in NOTEBOOKS:
        if path.name == "status.ipynb":  # the status page reports the build machine only
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        source = "".join(first["source"])
        assert first.get("id") == "setup0", f"{path.name}: the first code cell is not setup0"
        assert "except ImportError:" in source, f"{path.name}: no setup guard"
        assert "remove-cell" in first["metadata"].get("tags", []), path.name


def test_notebooks_are_in_sync_with_the_config(capsys):
    # Macros for jupyterlab-myst, kernel metadata, hidden solution code: tools/sync_notebooks.py.
    # `tools/sync_notebooks.py --check`, run in this process: a new Python would spend more CPU
    # importing nbformat than the check takes.
    code = load_tool("sync_notebooks").main(["--check"])
    assert code == 0, capsys.readouterr().out + "\nrun: make sync-notebooks"
    versions = {
        json.loads(p.read_text(encoding="utf-8"))["metadata"]["language_info"]["version"]
        for p in NOTEBOOKS
    }
    assert len(versions) == 1, f"notebooks saved with different Pythons: {sorted(versions)}"


def _markdown(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _code(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_computed_values_read_the_same_in_jupyterlab_and_on_the_website(path):
    # {eval}`name`: jupyterlab-myst evaluates name in the kernel; the website pastes the value
    # glued as name (logreg_book/sphinx/eval_role.py). {glue:text} would show only its key in
    # JupyterLab.
    markdown, code = _markdown(path), _code(path)
    assert "{glue:" not in markdown, (
        f"{path.name}: use {{eval}}`name` (see src/logreg_book/sphinx/eval_role.py)"
    )
    glued = _glued_names(code)  # parsed once: a page has up to ~90 {eval} names
    for name in set(re.findall(r"\{eval\}`([^`]*)`", markdown)):
        assert re.fullmatch(r"[A-Za-z_]\w*", name), f"{path.name}: {{eval}} takes a name: {name!r}"
        assert name in glued, (
            f'{path.name}: {{eval}}`{name}` needs glue("{name}", {name} := ..., display=False)'
        )


def _glued_names(code):
    """Names glued as ``glue("name", name := ...)`` or ``glue("name", name, ...)``, however the
    call is laid out over lines."""
    names = set()
    # IPython magics are not Python: each becomes ``pass`` at its own indentation.
    python = re.sub(r"^(\s*)[%!].*$", r"\1pass", code, flags=re.M)
    for node in ast.walk(ast.parse(python)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "glue"):
            continue
        key, value = (node.args + [None, None])[:2]
        target = value.target if isinstance(value, ast.NamedExpr) else value
        named = isinstance(key, ast.Constant) and isinstance(target, ast.Name)
        if named and key.value == target.id:
            names.add(key.value)
    return names


LABEL_SOURCES = [*NOTEBOOKS, *sorted((ROOT / "book").glob("*.md"))]


def _labels():
    where = {}
    for path in LABEL_SOURCES:
        text = _markdown(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
        for label in re.findall(r"^\((\S+)\)=\s*$", text, re.M):
            where[label] = path
        for label in re.findall(r"^:label: (\S+)\s*$", text, re.M):
            where[label] = path
    return where


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_references_to_other_pages_carry_their_own_text(path):
    # jupyterlab-myst resolves references within a notebook only; one to another page shows its
    # explicit text there (and links to the right place on the website).
    where = _labels()
    for role, body in re.findall(r"\{(ref|prf:ref|numref)\}`([^`]*)`", _markdown(path)):
        if "<" in body:
            continue
        assert body in where, f"{path.name}: no label {body!r}"
        assert where[body] == path, (
            f"{path.name}: {{{role}}}`{body}` points to {where[body].name}; write "
            f"{{{role}}}`text <{body}>` so that it reads in JupyterLab too"
        )
