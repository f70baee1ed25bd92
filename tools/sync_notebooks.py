"""Bring every notebook of the book in line with _config.yml and with how JupyterLab reads it.

    .venv/bin/python tools/sync_notebooks.py           # rewrite the notebooks that disagree
    .venv/bin/python tools/sync_notebooks.py --check   # list them, exit 1 (tests)

For each notebook under book/:

- the setup cell installs the library from ``repository.url`` (for a notebook opened on its own
  in a cloud notebook service);
- the first cell is a front-matter cell with the book's math macros, read from
  ``sphinx.config.mathjax3_config.tex.macros``: jupyterlab-myst takes macros from there, and the
  cell is tagged ``remove-cell`` so that the website (which has them from _config.yml) skips it;
- the kernel metadata is what the kernel reports, so that JupyterLab does not mark a notebook
  it has just opened as modified;
- code cells the website hides (``hide-input``, ``remove-input``, ``remove-cell``) and the code of a
  solution (tagged ``solution-code``) have their source (and, for a solution, their output)
  collapsed in JupyterLab, so that solutions are not in plain view there either. A solution's
  code opens with a comment line, which is all that JupyterLab's placeholder shows of it.
"""

import argparse
import platform
import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
INSTALL = re.compile(r'(%pip install --quiet "logreg @ git\+)([^"]+)(")')
FRONT_MATTER_ID = "frontmatter"
HIDDEN_TAGS = {"hide-input", "remove-input", "remove-cell"}
# The code cell of a solution, moved into the solution's dropdown on the website
# (logreg_book.sphinx.solution_code).
SOLUTION_TAG = "solution-code"


def kernel_metadata():
    return {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {
            "codemirror_mode": {"name": "ipython", "version": 3},
            "file_extension": ".py",
            "mimetype": "text/x-python",
            "name": "python",
            "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3",
            "version": platform.python_version(),
        },
    }


def front_matter(config):
    macros = config["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    lines = ["---", "math:"]
    for name, body in macros.items():
        if not isinstance(body, str):
            raise SystemExit(f"macro {name!r}: expected a string without arguments; got {body!r}")
        lines.append(f"  '\\{name}': '{body}'")
    return "\n".join([*lines, "---"])


def sync(nb, config, keep_version=False):
    """Return the notebook as it should be (the input is not modified)."""
    nb = nbformat.from_dict(nb)
    url = config["repository"]["url"]
    for cell in nb.cells:
        if cell.cell_type == "code" and INSTALL.search(cell.source):
            cell.source = INSTALL.sub(lambda m: m.group(1) + url + m.group(3), cell.source)

    wanted = nbformat.v4.new_markdown_cell(front_matter(config))
    wanted.id = FRONT_MATTER_ID
    wanted.metadata = {"tags": ["remove-cell"]}
    if nb.cells and nb.cells[0].get("id") == FRONT_MATTER_ID:
        nb.cells[0] = wanted
    else:
        nb.cells.insert(0, wanted)

    metadata = kernel_metadata()
    if keep_version and "version" in nb.metadata.get("language_info", {}):
        metadata["language_info"]["version"] = nb.metadata["language_info"]["version"]
    nb.metadata.update(metadata)

    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = set(cell.metadata.get("tags", []))
        hidden = {}
        if SOLUTION_TAG in tags:
            hidden = {"source_hidden": True, "outputs_hidden": True}
        elif HIDDEN_TAGS & tags:
            hidden = {"source_hidden": True}
        if hidden:
            cell.metadata["jupyter"] = hidden
        else:
            cell.metadata.pop("jupyter", None)
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, do not rewrite")
    args = parser.parse_args(argv)
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    stale = []
    for path in sorted((ROOT / "book").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        nb = nbformat.read(path, as_version=4)
        # A check accepts the Python version the notebooks were saved with; a rewrite records the
        # running one (JupyterLab compares it with its kernel's).
        new = sync(nb, config, keep_version=args.check)
        if nbformat.writes(new) != nbformat.writes(nb):
            stale.append(path.relative_to(ROOT))
            if not args.check:
                nbformat.write(new, path)
    for path in stale:
        print(f"{'out of date' if args.check else 'updated'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
