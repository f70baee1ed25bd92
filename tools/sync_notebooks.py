"""Bring every notebook of the book in line with _config.yml and with how JupyterLab reads it.

    .venv/bin/python tools/sync_notebooks.py           # rewrite the notebooks that disagree
    .venv/bin/python tools/sync_notebooks.py --check   # list them, exit 1 (tests)

For each notebook under book/:

- the setup cell (id ``setup0``, hidden on the website) runs only when the kernel lacks the book's
  library. With ``repository.url`` set, it installs the library from there (a notebook opened on its
  own on Binder or Colab); without one (the committed state), there is nothing to install from, so
  it stops with a message that says how to set up the book's environment locally;
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
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
FRONT_MATTER_ID = "frontmatter"
SETUP_ID = "setup0"
SETUP_GUARD = "try:  # {why}\n    import logreg  # noqa: F401\nexcept ImportError:\n"
INSTALL = '    %pip install --quiet "logreg @ git+{url}@{branch}"'
# Without a repository a downloaded notebook cannot fetch the library itself; a ModuleNotFoundError
# at the first `from logreg import` would not say where to get it.
LOCAL_SETUP = """    raise ModuleNotFoundError(
        "This notebook needs the book's library, logreg. In a copy of the book's sources, run "
        "`make lab` (it installs the pinned packages into .venv, then opens JupyterLab), or run "
        "`pip install -r requirements.txt` there in an environment of your own."
    ) from None"""
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


def repository(config):
    """``(url, branch)`` from _config.yml; the URL is "" when none is set."""
    section = config.get("repository") or {}
    return (section.get("url") or "").strip(), (section.get("branch") or "main").strip()


def setup_source(config):
    """The setup cell's code for this configuration."""
    url, branch = repository(config)
    if url:
        why = "opened on its own in a cloud notebook service? then install the book's library"
        return SETUP_GUARD.format(why=why) + INSTALL.format(url=url, branch=branch)
    why = "the book's library is missing? then say how to install it"
    return SETUP_GUARD.format(why=why) + LOCAL_SETUP


def sync(nb, config, keep_version=False):
    """Return the notebook as it should be (the input is not modified)."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.get("id") == SETUP_ID and cell.cell_type == "code":
            cell.source = setup_source(config)

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
