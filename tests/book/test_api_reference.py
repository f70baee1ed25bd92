"""The API reference (book/api): a page per public module, an entry per public name, and links.

The pages are built here on their own with Sphinx (a few seconds), with the book's settings for
them (logreg_book.sphinx.api_reference) and its strictness (-n -W): the whole book is not needed.
That broken references fail the build is shown on a project of four small pages, one build for
every kind of reference.
The pages' links to the entries are checked by tools/api_links.py, which also writes them.
"""

import contextlib
import io
import re
from pathlib import Path

import pytest
import yaml
from _tools import load_tool
from sphinx.cmd.build import build_main
from sphinx.util.inventory import InventoryFile

from logreg_book.sphinx.api_reference import EXTERNAL

ROOT = Path(__file__).resolve().parents[2]
API = ROOT / "book" / "api"
CONF = """\
extensions = ["myst_parser", "logreg_book.sphinx.api_reference"]
nitpicky = True
root_doc = "_root"
"""


api_links = load_tool("api_links")


def _sphinx(src, out):
    """Build ``src`` strictly (-n -W) into ``out``; return (exit code, log).

    `sphinx-build`'s own entry point, run in this process: a new Python spent more CPU starting
    and importing Sphinx and the library than building book/api takes."""
    log = io.StringIO()  # Sphinx's status and warnings go to sys.stdout and sys.stderr
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        code = build_main(["-q", "-n", "-W", "--keep-going", "-b", "html", str(src), str(out)])
    return code, log.getvalue()


def _project(src, pages):
    """A Sphinx project of ``pages`` (name -> text) with the book's settings for book/api."""
    src.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (src / name).write_text(text)
    (src / "conf.py").write_text(CONF)
    # In the book, _toc.yml places the pages; here a hidden toctree does.
    names = sorted(Path(n).stem for n in pages)
    (src / "_root.md").write_text("```{toctree}\n:hidden:\n\n" + "\n".join(names) + "\n```\n")


def _build(tmp_path):
    """Build book/api strictly; return (exit code, log, out)."""
    src = tmp_path / "src"
    _project(src, {p.name: p.read_text() for p in API.glob("*.md")})
    out = tmp_path / "html"
    return (*_sphinx(src, out), out)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    code, log, out = _build(tmp_path_factory.mktemp("api"))
    assert code == 0, f"the API pages do not build cleanly:\n{log}"
    with (out / "objects.inv").open("rb") as f:
        inventory = InventoryFile.load(f, "", lambda base, uri: uri)
    # name -> the page and anchor of its entry
    return out, {name: e[2] for kind, entries in inventory.items() for name, e in entries.items()}


def _page_modules():
    """Module documented by each page of book/api, from its automodule directive."""
    pages = {}
    for path in sorted(API.glob("*.md")):
        found = re.findall(r"^\.\. automodule:: (\S+)", path.read_text(), flags=re.M)
        if found:
            pages[path.stem] = found[0]
    return pages


def test_every_public_module_has_a_page_in_the_table_of_contents():
    pages = _page_modules()
    assert sorted(pages.values()) == sorted(api_links.public_modules()), (
        "book/api should have one page per public module of logreg"
    )
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    index = next(
        c for part in toc["parts"] for c in part["chapters"] if c["file"] == "book/api/index"
    )
    assert sorted(s["file"] for s in index["sections"]) == [f"book/api/{p}" for p in pages]
    listed = re.findall(r"^   (logreg\.\w+)$", (API / "index.md").read_text(), flags=re.M)
    assert sorted(listed) == sorted(pages.values()), "book/api/index.md lists every module"


def test_every_public_name_has_an_entry(built):
    out, entries = built
    modules = api_links.public_modules()
    missing = []
    for modname, module in modules.items():
        assert modname in entries, f"no entry for the module {modname}"
        for name in module.__all__:
            target = api_links.entry(getattr(module, name), name, modules)
            if target not in entries:
                missing.append(f"{modname}.{name} (expected the entry {target})")
    assert not missing, f"names in __all__ without an entry: {missing}"
    # An entry is its module's page, with the docstring's text on it.
    assert entries["logreg.functions.softmax"].startswith("functions.html#")
    page = (out / "functions.html").read_text()
    assert 'id="logreg.functions.softmax"' in page and "never overflow" in page


# Each way a page refers to an entry, as a template of the target's name.
REFERENCES = {
    "link in prose": "[`softmax`](#logreg.functions.{name})",
    "role": "{{py:func}}`logreg.functions.{name}`",
    "docstring": (
        "```{{eval-rst}}\n.. autofunction:: logreg.functions.softmax\n   :no-index:\n\n"
        "   See :func:`logreg.functions.{name}`.\n```"
    ),
}


def test_each_kind_of_broken_reference_fails_the_strict_build_at_its_page(tmp_path):
    # One small project, one page per kind of reference: each page refers to softmax (its entry
    # is on entry.md) and to a name the library does not have. The build must fail, report every
    # broken reference at its page, and nothing else: the sound references beside them resolve,
    # so it is the broken one, not the page, that fails the build.
    pages = {
        "entry.md": "# Entry\n\n```{eval-rst}\n.. autofunction:: logreg.functions.softmax\n```\n"
    }
    slugs = {kind: "broken_" + kind.replace(" ", "_") for kind in REFERENCES}
    for kind, template in REFERENCES.items():
        sound, broken = template.format(name="softmax"), template.format(name="no_such_function")
        pages[f"{slugs[kind]}.md"] = f"# A broken {kind}\n\n{sound}\n\n{broken}\n"
    _project(tmp_path / "src", pages)
    code, log = _sphinx(tmp_path / "src", tmp_path / "html")
    assert code != 0, f"the strict build passed with three broken references:\n{log}"
    problems = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    for kind, slug in slugs.items():
        reported = [p for p in problems if f"{slug}.md:" in p and "no_such_function" in p]
        assert len(reported) == 1, f"expected the broken {kind} reported once, at {slug}.md:\n{log}"
    assert len(problems) == len(REFERENCES), f"expected only the broken references:\n{log}"


def test_references_to_other_libraries_are_ignored_but_not_the_library():
    def ignored(target):
        return any(re.fullmatch(pattern, target) for _, pattern in EXTERNAL)

    assert ignored("numpy.ndarray") and ignored("ValueError") and ignored("int")
    assert not ignored("logreg.functions.no_such_function") and not ignored("softmax")


def test_every_pages_first_mention_of_a_library_name_links_to_its_entry(capsys):
    # `tools/api_links.py --check`, run in this process: a new Python would spend more CPU
    # importing the library and nbformat than the check takes.
    code = api_links.main(["--check"])
    assert code == 0, capsys.readouterr().out + "\nrun: python tools/api_links.py"


def test_the_link_check_finds_and_fixes_first_mentions():
    names = api_links.catalog()
    cells = [
        (0, "## `softmax` in a heading\n\nscikit-learn's `LogisticRegression` is another class."),
        (1, "```python\nlogreg.softmax(z)\n```\nThe library's `logreg.softmax` and `softmax`."),
        (
            2,
            "Then [`LogisticRegression(alpha=1)`](#logreg.losses.LogisticRegression), {eval}`x`.",
        ),
        (3, "Later `logreg.softmax` again, and `newton-cg`, `n_samples`."),
    ]
    new, problems = api_links.link_first_mentions(cells, names)
    assert new[0] == cells[0][1], "headings and other libraries' names are left alone"
    assert new[1].endswith(
        "The library's [`logreg.softmax`](#logreg.functions.softmax) and `softmax`."
    )
    assert new[1].startswith("```python\nlogreg.softmax(z)\n```"), "code blocks are left alone"
    assert "[`LogisticRegression(alpha=1)`](#logreg.models.LogisticRegression)" in new[2]
    assert new[3] == cells[3][1], "later mentions and non-names are left alone"
    assert len(problems) == 2 and all(p.startswith(("cell 1", "cell 2")) for p in problems)
    # Once fixed, nothing is reported.
    assert api_links.link_first_mentions(list(enumerate(new)), names)[1] == []
