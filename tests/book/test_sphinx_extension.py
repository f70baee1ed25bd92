"""logreg_book.sphinx: each extension module in a tiny Sphinx project built in tmp_path.

The full book build and the browser tests check the website; these check what each module
promises, in a few seconds and without executing a page.
"""

import html
import io
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from logreg_grader.editions import HIDDEN, SOLUTION, STUB, WRITTEN_STUB

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = {
    name: f"logreg_book.sphinx.{name}"
    for name in ("eval_role", "offline_site", "site_layout", "student_pages")
}


def build(src, extensions, **config):
    """Build ``src`` as HTML with myst-nb (no execution) and ``extensions``; return the output
    folder and the warnings."""
    lines = [f"extensions = {['myst_nb', *extensions]!r}", "nb_execution_mode = 'off'"]
    lines += [f"{key} = {value!r}" for key, value in config.items()]
    (src / "conf.py").write_text("\n".join(lines) + "\n")
    out, warnings = src / "_build", io.StringIO()
    # As sphinx-build does: the nodes, roles and directives the extensions register in docutils
    # are removed afterwards, so that a later build in this process (test_launch_buttons,
    # test_api_reference) is not told they are registered already.
    with docutils_namespace():
        app = Sphinx(
            src, src, out, out / ".doctrees", "html", status=None, warning=warnings, freshenv=True
        )
        app.build()
    return out, warnings.getvalue()


def text(page):
    """What a reader sees of a built page: its HTML without tags or entities."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def glued_page(folder, markdown):
    """index.ipynb: ``markdown``, then a cell whose output glued 0.25 as ``rate``, as
    ``glue("rate", 0.25, display=False)`` does."""
    cell = nbformat.v4.new_code_cell('glue("rate", 0.25, display=False)')
    prefix = "application/papermill.record/"
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={prefix + "text/plain": "0.25"},
            metadata={"scrapbook": {"name": "rate", "mime_prefix": prefix}},
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown), cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, folder / "index.ipynb")


# --- eval_role ------------------------------------------------------------------------------


def test_eval_pastes_the_glued_value_and_warns_about_a_missing_name(tmp_path):
    glued_page(tmp_path, "# Page\n\nThe rate is {eval}`rate`. Missing: {eval}`nothing`.")
    out, warnings = build(tmp_path, [EXTENSIONS["eval_role"]])
    page = text(out / "index.html")
    assert "The rate is 0.25." in page
    assert "No key 'nothing' found in glue data" in warnings  # the strict build (-W) fails
    assert "Missing: ." in page and "nothing" not in page


# --- offline_site ---------------------------------------------------------------------------


def scripts(page):
    return re.findall(r"<script[^>]*>.*?</script>", page.read_text(encoding="utf-8"), re.S)


@pytest.mark.parametrize("offline", [False, True])
def test_offline_site_drops_thebes_scripts_and_sets_the_theme_mode_first(tmp_path, offline):
    glued_page(tmp_path, "# Page")
    extensions = ["sphinx_thebe", *([EXTENSIONS["offline_site"]] if offline else [])]
    out, _ = build(tmp_path, extensions)
    found = scripts(out / "index.html")
    thebe = [s for s in found if "sphinx-thebe.js" in s or "THEBE_JS_URL" in s]
    mode = [i for i, s in enumerate(found) if 'localStorage.getItem("mode")' in s]
    if not offline:  # what the extension is for: sphinx-thebe adds its scripts
        assert thebe and not mode
        return
    assert not thebe
    assert mode == [0]  # before the theme's own scripts read the mode
    assert not [s for s in found if re.search(r"src=\"https?://", s)]


def test_offline_site_keeps_one_copy_of_each_script():
    from sphinx.builders.html._assets import _JavaScript

    from logreg_book.sphinx.offline_site import _prune_scripts

    config = "const THEBE_JS_URL = 'https://unpkg.com/thebe'"
    files = [
        _JavaScript("_static/a.js"),
        _JavaScript("_static/sphinx-thebe.js"),
        _JavaScript(None, body=config),
        _JavaScript("_static/a.js"),
        _JavaScript(None, body=config),
        _JavaScript("_static/a.js", defer="defer"),  # other attributes: another script
        _JavaScript("_static/b.js"),
    ]
    context = {"script_files": files}
    _prune_scripts(None, "index", "page.html", context, None)
    assert context["script_files"] is files  # changed in place: the template holds this list
    assert [(js.filename, js.attributes) for js in files] == [
        ("_static/a.js", {}),
        ("_static/a.js", {"defer": "defer"}),
        ("_static/b.js", {}),
    ]
    _prune_scripts(None, "index", "page.html", {}, None)  # a page without scripts


# --- site_layout ----------------------------------------------------------------------------


def test_site_layout_serves_its_static_files_from_the_site(tmp_path):
    glued_page(tmp_path, "# Page")
    out, _ = build(tmp_path, [EXTENSIONS["site_layout"]])
    static = ROOT / "src" / "logreg_book" / "sphinx" / "static"
    for name in ("site_layout.css", "site_layout.js", "favicon.svg"):
        assert (out / "_static" / name).read_bytes() == (static / name).read_bytes()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link [^>]*href="_static/site_layout\.css', page)
    assert re.search(r'<script [^>]*src="_static/site_layout\.js', page)


def test_site_layout_removes_the_themes_top_bar_unless_the_book_sets_it():
    from logreg_book.sphinx.site_layout import STATIC, _on_config_inited

    config = SimpleNamespace(html_theme_options=None, html_static_path=["_static"])
    _on_config_inited(None, config)
    _on_config_inited(None, config)  # a second call adds nothing
    assert config.html_theme_options == {"navbar_persistent": []}
    assert config.html_static_path == ["_static", str(STATIC)]
    chosen = SimpleNamespace(
        html_theme_options={"navbar_persistent": ["search-button"]}, html_static_path=[]
    )
    _on_config_inited(None, chosen)
    assert chosen.html_theme_options == {"navbar_persistent": ["search-button"]}


# --- student_pages --------------------------------------------------------------------------


def secrets(notebook):
    """Substantial lines of the solutions and hidden tests of an instructor's notebook."""
    nb = nbformat.read(notebook, as_version=4)
    blocks = [m.group(0) for c in nb.cells for m in SOLUTION.finditer(c.source)]
    blocks += [m.group(0) for c in nb.cells for m in HIDDEN.finditer(c.source)]
    lines = {ln.strip() for block in blocks for ln in block.splitlines() if len(ln.strip()) > 12}
    return {ln for ln in lines if "BEGIN" not in ln and "END" not in ln}


def test_homework_pages_and_their_downloads_are_the_student_edition(tmp_path):
    instructor = ROOT / "book" / "homework" / "hw3_sympy.ipynb"
    (tmp_path / "book" / "homework").mkdir(parents=True)
    shutil.copy(instructor, tmp_path / "book" / "homework" / "hw3_sympy.ipynb")
    shutil.copy(instructor, tmp_path / "book" / "chapter.ipynb")  # not homework: left alone
    glued_page(tmp_path, "# Index")
    out, _ = build(tmp_path, [EXTENSIONS["student_pages"]])
    hidden = secrets(instructor)
    assert len(hidden) > 3
    chapter = text(out / "book" / "chapter.html")
    assert all(ln in chapter for ln in hidden)  # so the check below can see a solution
    homework = out / "book" / "homework" / "hw3_sympy.html"
    sources = list((out / "_sources" / "book" / "homework").glob("hw3_sympy.ipynb*"))
    assert sources, "the download button's copy"
    for page in [homework, *sources]:
        seen = text(page) if page.suffix == ".html" else page.read_text(encoding="utf-8")
        assert not [ln for ln in hidden if ln in seen], page
        assert STUB.format(indent="").splitlines()[0] in seen.replace("\\n", "\n")
        assert WRITTEN_STUB in seen
    for copy in sources:
        nbformat.reads(copy.read_text(encoding="utf-8"), as_version=4)  # still a notebook


def test_homework_pages_drop_the_launch_and_repository_buttons_only():
    from logreg_book.sphinx.launch_buttons import _drop_repository_buttons

    def context():
        labels = ["download-buttons", "launch-buttons", "source-repository-button"]
        return {"header_buttons": [{"label": label} for label in labels]}

    homework, chapter = context(), context()
    _drop_repository_buttons(None, "book/homework/hw1_gradient", "page.html", homework, None)
    _drop_repository_buttons(None, "book/softmax/cross_entropy", "page.html", chapter, None)
    assert homework["header_buttons"] == [{"label": "download-buttons"}]
    assert chapter == context()


def test_every_page_offers_the_book_pdf_in_its_download_menu():
    from logreg_book.sphinx.site_layout import BOOK_PDF, _book_pdf_button

    def pathto(name, resource):
        assert resource == 1  # a file of the site, not a page
        return f"../../{name}"

    group = {"label": "download-buttons", "buttons": [{"label": "download-pdf-button"}]}
    context = {"pathto": pathto, "header_buttons": [group, {"label": "launch-buttons"}]}
    _book_pdf_button(None, "book/softmax/cross_entropy", "page.html", context, None)
    book = group["buttons"][-1]
    assert book["url"] == f"../../{BOOK_PDF}" and book["tooltip"] == "Download the book as PDF"
    assert len(group["buttons"]) == 2 and context["header_buttons"][1] == {
        "label": "launch-buttons"
    }
    bare = {"pathto": pathto}  # a page without the theme's buttons is left as it is
    _book_pdf_button(None, "search", "page.html", bare, None)
    assert bare == {"pathto": pathto}


def test_the_build_status_table_says_ok_in_words():
    from docutils import nodes

    from logreg_book.sphinx.exec_table import _words_for_emoji

    def row(*texts):
        return nodes.row("", *[nodes.entry("", nodes.paragraph(text=t)) for t in texts])

    table = nodes.table("", row("book/a", "cache", "\N{WHITE HEAVY CHECK MARK}"))
    table += row("book/b", "cache", "\N{CROSS MARK}")
    doctree = nodes.document("", "")
    doctree += [table, nodes.paragraph(text="\N{WHITE HEAVY CHECK MARK}")]  # outside a table
    _words_for_emoji(None, doctree, "book/status")
    assert [p.astext() for p in table.findall(nodes.paragraph)] == [
        "book/a",
        "cache",
        "ok",
        "book/b",
        "cache",
        "failed",
    ]
    assert doctree[1].astext() == "\N{WHITE HEAVY CHECK MARK}"
