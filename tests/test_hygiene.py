"""Repository hygiene: notebooks are source code, pins are exact, imports are clean."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
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


def test_setup_cells_install_from_the_configured_repository():
    # A page opened alone in a cloud service installs logreg from repository.url.
    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    for path in NOTEBOOKS:
        if path.name == "status.ipynb":  # the status page reports the build machine only
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        first = next(c for c in nb["cells"] if c["cell_type"] == "code")
        source = "".join(first["source"])
        assert "except ImportError:" in source, f"{path.name}: no setup guard"
        assert f'%pip install --quiet "logreg @ git+{url}"' in source, (
            f"{path.name} installs from another URL than {url} (_config.yml); make set-repository"
        )
