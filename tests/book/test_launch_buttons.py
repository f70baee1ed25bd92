"""Launch and repository buttons only where they can work (logreg_book.sphinx.launch_buttons).

A tiny Jupyter Book (a text page, a chapter notebook and a homework notebook, nothing executed)
is built with the book's own _config.yml sections (repository, html, launch_buttons) twice: as
committed, without a repository URL, and with one (each by jupyter-book's command, in this
process). The full site as committed is checked in tests/browser/test_launch_site.py.
"""

import contextlib
import copy
import io
import re
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest
import yaml
from _tools import load_tool

ROOT = Path(__file__).resolve().parents[2]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
URL = "https://github.com/example-owner/example-book"
# What any link to a repository or a launch service would contain.
SERVICES = ("mybinder.org", "colab.research.google.com", "github.com/")


def _notebook(title):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(f"# {title}\n\nSome text."),
            nbformat.v4.new_code_cell("1 + 1"),
        ]
    )
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return nb


def _tiny_book(folder, url):
    config = {key: copy.deepcopy(CONFIG[key]) for key in ("title", "html", "launch_buttons")}
    config["html"].pop("favicon", None)
    config["repository"] = {**CONFIG["repository"], "url": url}
    config["execute"] = {"execute_notebooks": "off"}
    config["only_build_toc_files"] = True
    config["sphinx"] = {"extra_extensions": ["logreg_book.sphinx.launch_buttons"]}
    (folder / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    toc = {
        "format": "jb-book",
        "root": "index",
        "chapters": [{"file": "book/chapter"}, {"file": "book/homework/hw"}],
    }
    (folder / "_toc.yml").write_text(yaml.safe_dump(toc), encoding="utf-8")
    (folder / "index.md").write_text("# A tiny book\n\nThe front page.\n", encoding="utf-8")
    (folder / "book" / "homework").mkdir(parents=True)
    nbformat.write(_notebook("A chapter"), folder / "book" / "chapter.ipynb")
    nbformat.write(_notebook("A homework"), folder / "book" / "homework" / "hw.ipynb")


def _build(folder, url):
    """Build the tiny book with ``jupyter-book build --all -n -W``, run as its command-line
    function in this process: the same command as `make book` runs, without starting Python
    and importing Sphinx and jupyter-book anew for each build (three quarters of its CPU time)."""
    _tiny_book(folder, url)
    log, code = io.StringIO(), 0
    with (
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),  # Sphinx's warnings: its stream is sys.stderr
        contextlib.chdir(folder),
        warnings.catch_warnings(),
    ):
        # As on the command line, whose default filters hide the deprecation warnings of
        # jupyter-book's own dependencies (click's BaseCommand); every other warning still fails.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        from jupyter_book.cli.main import main

        try:
            main.main(["build", str(folder), "--all", "-n", "-W"], standalone_mode=False)
        except SystemExit as exit_:  # -W: a warning raises; a failed build exits with its status
            code = exit_.code
    assert code == 0, log.getvalue()[-6000:]
    html = folder / "_build" / "html"
    return {
        name: (html / f"{name}.html").read_text(encoding="utf-8")
        for name in ("index", "book/chapter", "book/homework/hw")
    }


@pytest.fixture(scope="module")
def without_url(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("without_url"), "")


@pytest.fixture(scope="module")
def with_url(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("with_url"), URL)


def hrefs(page):
    return set(re.findall(r'href="([^"]+)"', page))


def test_the_committed_config_has_no_repository_url():
    # The default: nothing points at a repository that may not exist.
    assert not CONFIG["repository"]["url"]
    assert "logreg_book.sphinx.launch_buttons" in CONFIG["sphinx"]["extra_extensions"]


def test_without_a_url_the_pages_carry_download_buttons_only(without_url):
    for name, page in without_url.items():
        assert not [s for s in SERVICES if s in page], name
        assert "launch-buttons" not in page and "source-repository-button" not in page, name
        assert "download-source-button" in page, name
    assert "../_sources/book/chapter.ipynb" in hrefs(without_url["book/chapter"])
    assert "../../_sources/book/homework/hw.ipynb" in hrefs(without_url["book/homework/hw"])


def test_with_a_url_the_notebook_pages_launch_on_binder_and_colab(with_url):
    chapter = hrefs(with_url["book/chapter"])
    binder = "https://mybinder.org/v2/gh/example-owner/example-book/main"
    assert f"{binder}?urlpath=lab/tree/book/chapter.ipynb" in chapter
    colab = "https://colab.research.google.com/github/example-owner/example-book/blob/main"
    assert f"{colab}/book/chapter.ipynb" in chapter
    assert URL in chapter  # the repository button
    assert URL in hrefs(with_url["index"])  # on a text page too, without launch buttons
    assert not [h for h in hrefs(with_url["index"]) if "mybinder" in h or "colab" in h]


def test_with_a_url_the_homework_page_still_has_no_way_to_the_repository(with_url):
    page = with_url["book/homework/hw"]
    assert not [s for s in SERVICES if s in page]
    assert "example-owner" not in page and "launch-buttons" not in page
    assert "../../_sources/book/homework/hw.ipynb" in hrefs(page)  # the download stays


def _page_with_setup_cell(tmp_path):
    """A notebook as the pages were before: its setup cell installs from a placeholder."""
    nb = _notebook("A page")
    setup = nbformat.v4.new_code_cell(
        "try:\n    import logreg  # noqa: F401\nexcept ImportError:\n"
        '    %pip install --quiet "logreg @ git+https://github.com/logreg-book/logreg-book"'
    )
    setup.id = "setup0"
    setup.metadata["tags"] = ["remove-cell"]
    nb.cells.insert(1, setup)
    path = tmp_path / "page.ipynb"
    nbformat.write(nb, path)
    return nbformat.read(path, as_version=4)


def _setup_cell(nb):
    return next(c for c in nb.cells if c.get("id") == "setup0")


def test_sync_writes_the_install_cell_with_the_url_and_removes_it_without(tmp_path):
    sync = load_tool("sync_notebooks")
    nb = _page_with_setup_cell(tmp_path)
    config = copy.deepcopy(CONFIG)
    config["repository"]["url"] = URL
    with_url = _setup_cell(sync.sync(nb, config)).source
    assert f'%pip install --quiet "logreg @ git+{URL}@main"' in with_url
    assert "logreg-book/logreg-book" not in with_url
    config["repository"]["url"] = ""
    without = sync.sync(sync.sync(nb, config), config)  # from either state, and stable
    source = _setup_cell(without).source
    assert "%pip" not in source and "git+" not in source and "make lab" in source
    assert _setup_cell(sync.sync(without, {**config, "repository": {"url": URL}})).source == (
        with_url
    )

    def others(notebook):
        return [c.source for c in notebook.cells if c.get("id") not in ("setup0", "frontmatter")]

    assert others(without) == others(nb)  # only the setup cell changes


def test_without_a_url_the_setup_cell_says_how_to_install_and_is_silent_otherwise(tmp_path):
    sync = load_tool("sync_notebooks")
    config = copy.deepcopy(CONFIG)
    config["repository"]["url"] = ""
    source = _setup_cell(sync.sync(_page_with_setup_cell(tmp_path), config)).source
    # -S: no site-packages, so no logreg, as in a Python the book was never installed into.
    lacking = subprocess.run(
        [sys.executable, "-I", "-S", "-c", source], capture_output=True, text=True
    )
    assert lacking.returncode == 1
    assert "ModuleNotFoundError: This notebook needs the book's library" in lacking.stderr
    assert "make lab" in lacking.stderr
    having = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
    assert having.returncode == 0 and not having.stdout and not having.stderr
