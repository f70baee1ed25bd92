"""logreg_book.responsive (show_figure, the phone layout, the text sizes) and the Sphinx extension
logreg_book.sphinx.responsive_figures that serves the phone layout."""

import base64
import io
import re
import struct

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")  # no display: the tests read what was drawn
import matplotlib.pyplot as plt
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

from logreg_book import responsive
from logreg_book.responsive import MIN_TEXT_KEY, NARROW_KEY


def size(png):
    return struct.unpack(">II", png[16:24])


def two_panels(figsize=(10, 4), **subplots):
    fig, axes = plt.subplots(1, 2, figsize=figsize, **subplots)
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="line")
        ax.set_xlabel("x")
        ax.legend()
    fig.tight_layout()
    return fig, axes


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_smallest_text_counts_what_is_drawn_only():
    fig, (ax, hidden) = two_panels()
    ax.annotate("small", (0.5, 0.5), fontsize=8.5)
    ax.text(0.2, 0.2, "invisible", fontsize=3, visible=False)
    ax.text(0.2, 0.8, "", fontsize=2)
    hidden.tick_params(labelsize=4)
    hidden.set_xlabel("")
    hidden.axis("off")  # its 4-pt tick labels are never drawn
    assert responsive.smallest_text(fig) == (8.5, "small")
    hidden.axis("on")
    assert responsive.smallest_text(fig)[0] == 4


def test_the_png_carries_its_smallest_text_and_a_narrow_layout_with_the_panels_stacked():
    fig, (left, right) = two_panels(sharey=True)
    assert not right.yaxis.get_tick_params()["labelleft"]  # sharey hides the inner labels
    png = responsive.figure_png(fig)
    chunks = responsive.png_text(png)
    # Every text is 10 pt (matplotlib's default) or more: 10 pt at 100 and at 200 dpi.
    assert float(chunks[MIN_TEXT_KEY]) == pytest.approx(10 * 100 / 72, abs=1e-3)
    narrow = base64.b64decode(chunks[NARROW_KEY])
    assert float(responsive.png_text(narrow)[MIN_TEXT_KEY]) == pytest.approx(
        10 * 200 / 72, abs=1e-3
    )
    (wide_w, wide_h), (narrow_w, narrow_h) = size(png), size(narrow)
    assert wide_w > 2 * wide_h and narrow_h > 1.3 * narrow_w  # side by side, then stacked
    assert (
        responsive.PHONE_COLUMN_PX <= narrow_w <= (responsive.NARROW_WIDTH_IN + 0.2) * 200
    )  # 0.1-in pad
    top, bottom = left.get_position(), right.get_position()
    assert top.y0 > bottom.y1 and abs(top.x0 - bottom.x0) < 0.02  # one above the other
    assert right.yaxis.get_tick_params()["labelleft"]  # apart, each panel has its tick labels


@pytest.mark.parametrize(
    ("n_axes", "layout", "shape"),
    [(10, 5, (2, 5)), (5, 2, (3, 2)), (3, None, (3, 1)), (4, None, (2, 2))],
)
def test_a_grid_of_columns_is_filled_row_by_row(n_axes, layout, shape):
    fig, axes = plt.subplots(1, n_axes, figsize=(10, 2))
    for k, ax in enumerate(axes):
        ax.set_title(str(k))
    responsive.narrow_layout(fig, layout)
    fig.canvas.draw()
    cells = [ax.get_subplotspec().get_topmost_subplotspec() for ax in axes]
    assert cells[0].get_gridspec().get_geometry() == shape
    rows_cols = [(c.rowspan.start, c.colspan.start) for c in cells]
    assert rows_cols == [divmod(k, shape[1]) for k in range(n_axes)]
    assert fig.get_size_inches()[0] == responsive.NARROW_WIDTH_IN


def test_a_mosaic_puts_two_panels_side_by_side_above_a_third_spanning_both():
    fig = plt.figure(figsize=(10, 3))
    axes = [fig.add_subplot(1, 3, k + 1) for k in range(3)]
    responsive.narrow_layout(fig, [[0, 1], [2, 2]])
    fig.canvas.draw()
    a, b, c = (ax.get_position() for ax in axes)
    assert abs(a.y0 - b.y0) < 0.02 and a.x1 < b.x0  # side by side
    assert c.y1 < a.y0 and c.width > a.width + b.width  # below, across both


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ([[0, 1]], "must place each of the 3 axes"),
        ([[0, 1], [2]], "rows of equal length"),
        ([[0, 1, 0], [2, 2, 2]], "axes 0 must fill a rectangle"),
        (0, "at least 1 column"),
    ],
)
def test_a_layout_that_does_not_place_every_axes_once_is_refused(layout, message):
    fig, _ = plt.subplots(1, 3)
    with pytest.raises(ValueError, match=message):
        responsive.narrow_layout(fig, layout)


def test_a_figure_without_axes_is_refused():
    with pytest.raises(ValueError, match="no axes; expected a figure from plt.subplots"):
        responsive.figure_png(plt.figure())


def test_text_too_small_for_the_desktop_column_is_refused_with_its_size():
    fig, (ax, _) = two_panels()
    ax.set_title("tiny title", fontsize=7)
    # 7 pt in a 10-inch figure shown 770 px wide: 7 / 72 * 770 / 9.9 = 7.6 px
    with pytest.raises(ValueError, match=r"desktop: the text 'tiny title' \(7 pt\) would be 7\.\d"):
        responsive.figure_png(fig)


def test_text_too_small_for_the_phone_column_is_refused():
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.set_xlabel("fine on the desktop", fontsize=7.3)  # 10.1 px there, 8.7 px on a phone
    with pytest.raises(ValueError, match=r"phone: .* expected at least 9 px"):
        responsive.figure_png(fig)


def test_show_figure_displays_the_png_and_closes_the_figure(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    fig, _ = two_panels()
    assert responsive.show_figure(fig) is None  # nothing echoed as a cell's last line
    assert not plt.fignum_exists(fig.number)
    [image] = shown
    assert image.format == "png" and NARROW_KEY in responsive.png_text(image.data)
    bad = plt.figure()
    with pytest.raises(ValueError, match="no axes"):
        responsive.show_figure(bad)
    assert not plt.fignum_exists(bad.number)  # closed even when refused


def test_text_chunks_are_added_and_removed_and_the_png_still_decodes():
    from PIL import Image

    fig, _ = two_panels()
    png = responsive.with_png_text(responsive.figure_png(fig), {"note": "x"})
    assert responsive.png_text(png)["note"] == "x"
    stripped = responsive.without_png_text(png, {NARROW_KEY, "note"})
    assert NARROW_KEY not in responsive.png_text(stripped)
    assert MIN_TEXT_KEY in responsive.png_text(stripped) and len(stripped) < len(png) / 2
    assert Image.open(io.BytesIO(stripped)).size == size(png)
    with pytest.raises(ValueError, match="expected PNG data"):
        responsive.png_text(b"GIF89a")


# --- the Sphinx extension -------------------------------------------------------------------


def page_with(folder, outputs):
    """index.ipynb: one cell per PNG, the first with myst-nb's figure caption and alt text."""
    cells = []
    for k, png in enumerate(outputs):
        cell = nbformat.v4.new_code_cell(f"show_figure(fig_{k})")
        data = {"image/png": base64.b64encode(png).decode(), "text/plain": "<Image>"}
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        if k == 0:
            cell.metadata["mystnb"] = {
                "figure": {"caption": "Two lines.", "name": "fig-lines"},
                "image": {"alt": "Two panels with a line each."},
            }
        cells.append(cell)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Figures"), *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, folder / "index.ipynb")


def test_the_extension_serves_the_narrow_png_to_phones_and_links_the_full_size(tmp_path):
    fig, _ = two_panels()
    png = responsive.figure_png(fig)
    narrow = base64.b64decode(responsive.png_text(png)[NARROW_KEY])
    plain = io.BytesIO()
    plt.figure(figsize=(2, 2)).savefig(plain, format="png")  # made without show_figure
    page_with(tmp_path, [png, plain.getvalue()])
    (tmp_path / "conf.py").write_text(
        "extensions = ['myst_nb', 'logreg_book.sphinx.responsive_figures']\n"
        "nb_execution_mode = 'off'\n"
    )
    out = tmp_path / "_build"
    with docutils_namespace():  # as sphinx-build: what the build registers in docutils goes
        Sphinx(
            tmp_path, tmp_path, out, out / ".doctrees", "html", status=None, warning=io.StringIO()
        ).build()
    page = (out / "index.html").read_text(encoding="utf-8")
    narrow_files = sorted((out / "_images").glob("*.narrow.png"))
    assert len(narrow_files) == 1 and narrow_files[0].read_bytes() == narrow
    wide_file = narrow_files[0].with_name(narrow_files[0].name.replace(".narrow", ""))
    wide = wide_file.read_bytes()
    assert NARROW_KEY not in responsive.png_text(wide) and MIN_TEXT_KEY in responsive.png_text(wide)
    figure = re.search(r"<figure[^>]*>(.*?)</figure>", page, re.S).group(1)
    link = re.search(
        r'<a class="logreg-figure-link" href="([^"]+)"><picture>(.*?)</picture></a>', figure, re.S
    )
    assert link and link.group(1) == f"_images/{wide_file.name}"
    source, img = re.search(r"(<source [^>]*>)(<img [^>]*>)", link.group(2)).groups()
    assert (
        'media="(max-width: 720px)"' in source
        and f'srcset="_images/{narrow_files[0].name}"' in source
    )
    assert f'width="{size(narrow)[0]}" height="{size(narrow)[1]}"' in source
    assert f'width="{size(wide)[0]}" height="{size(wide)[1]}"' in img
    assert 'alt="Two panels with a line each."' in img
    assert re.search(r'data-min-text-px="27\.77\d"', source) and re.search(
        r'data-min-text-px="13\.88\d"', img
    )
    assert "Two lines." in figure  # the caption is kept
    assert page.count("logreg-figure-link") == 1  # the plain image is left as it was
    assert "_static/responsive_figures.css" in page and "_static/responsive_figures.js" in page


def test_a_title_wider_than_the_phone_layout_is_broken_at_its_middle_space():
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.set_title("multinomial regions (colours), one-vs-rest boundaries (dashed)")
    ax.set_xlabel("$x_1$, a label with math is left alone even when it is long enough to wrap")
    responsive.narrow_layout(fig)
    assert ax.get_title() == "multinomial regions (colours),\none-vs-rest boundaries (dashed)"
    assert "\n" not in ax.get_xlabel()
