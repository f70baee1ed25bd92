"""Figures sized for the column they land in: :func:`show_figure` replaces ``plt.show()``.

A page's figure is drawn for the desktop column (about 770 CSS px wide). On a phone the same
image would shrink to the 342-px column and its 10-pt text to about 5 px, so
:func:`show_figure` also lays the figure out again for the phone (panels stacked, or a grid of
two or more columns for many small panels) and carries that narrow rendering, and the smallest
text size of each rendering, inside the PNG's text chunks. The Sphinx extension
:mod:`logreg_book.sphinx.responsive_figures` takes the narrow rendering out at build time and
serves it to phones; JupyterLab shows the wide image as before.

Text size on the page, in CSS px, is ``points / 72 * shown_width / figure_width_in``: it does not
depend on the dpi once the image fills its column, so the checks below use the column widths.
"""

import base64
import io
import struct
import zlib

import numpy as np

__all__ = [
    "DESKTOP_COLUMN_PX",
    "figure_png",
    "MIN_TEXT_KEY",
    "NARROW_KEY",
    "PHONE_COLUMN_PX",
    "narrow_layout",
    "png_text",
    "show_figure",
    "smallest_text",
    "with_png_text",
    "without_png_text",
]

WIDE_DPI = 100  # what matplotlib-inline renders: JupyterLab shows the figures as it always did
NARROW_WIDTH_IN = 4.0
NARROW_DPI = 200  # 800 px: sharper than the 342-px column needs at two device pixels per px
DESKTOP_COLUMN_PX = 770  # sphinx-book-theme's article column at 1400 x 900
PHONE_COLUMN_PX = 342  # at 390 x 844
MIN_DESKTOP_PX = 10.0
MIN_PHONE_PX = 9.0
MIN_TEXT_KEY = "logreg-min-text-px"  # smallest text of this rendering, in image pixels
NARROW_KEY = "logreg-narrow-png"  # the phone's rendering, a base64 PNG


def smallest_text(fig):
    """The smallest text the figure draws: ``(size_in_points, text)``.

    Every text matplotlib actually draws counts (tick labels, titles, axis labels, legend
    entries, annotations, colorbar ticks); hidden ones, empty ones and the tick labels of an
    axes drawn with ``axis("off")`` do not, because they never reach the renderer.
    """
    from matplotlib.backends.backend_agg import RendererAgg

    seen = []

    class Recorder(RendererAgg):
        def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if s.strip():
                seen.append((prop.get_size_in_points(), s))
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)

        def draw_tex(self, gc, x, y, s, prop, angle, *, mtext=None):
            seen.append((prop.get_size_in_points(), s))
            return super().draw_tex(gc, x, y, s, prop, angle, mtext=mtext)

    width, height = fig.get_size_inches() * fig.dpi
    fig.draw(Recorder(int(width), int(height), fig.dpi))
    if not seen:
        raise ValueError("the figure draws no text; expected at least axis labels or a title")
    return min(seen)


def narrow_layout(fig, layout=None, width=NARROW_WIDTH_IN):
    """Lay the figure's axes out again for a phone column, ``width`` inches wide.

    Parameters
    ----------
    fig : matplotlib Figure
    layout : int or list of lists, optional
        An int is the number of columns, filled row by row in the order the axes were made
        (default: 1, the panels stacked, for up to three axes; 2 beyond). A list of rows of
        axes indices (``None`` for an empty cell) places the axes like ``plt.subplot_mosaic``:
        ``[[0, 1], [2, 2]]`` puts the first two side by side above the third.
    width : float
        The figure's new width in inches; each row's height keeps its panels' aspect ratio.
    """
    axes = list(fig.axes)
    if not axes:
        raise ValueError("the figure has no axes; expected a figure from plt.subplots")
    rows = _mosaic(layout, len(axes))
    n_rows, n_cols = len(rows), len(rows[0])
    renderer = fig.canvas.get_renderer()
    row_heights = np.zeros(n_rows)
    spans = {}
    for k, ax in enumerate(axes):
        where = [(r, c) for r in range(n_rows) for c in range(n_cols) if rows[r][c] == k]
        r0, c0 = min(where)
        r1, c1 = max(where)
        if len(where) != (r1 - r0 + 1) * (c1 - c0 + 1):
            raise ValueError(f"axes {k} must fill a rectangle of the layout {rows}")
        spans[k] = (slice(r0, r1 + 1), slice(c0, c1 + 1))
        box = (
            ax.get_position()
            .transformed(fig.transFigure)
            .transformed(fig.dpi_scale_trans.inverted())
        )
        outer = ax.get_tightbbox(renderer).transformed(fig.dpi_scale_trans.inverted())
        decoration_w = max(outer.width - box.width, 0)
        decoration_h = max(outer.height - box.height, 0)
        # The panel keeps its shape (never flatter than 0.6), its labels keep their size.
        panel_w = max(width * (c1 - c0 + 1) / n_cols - decoration_w, 0.3 * width / n_cols)
        aspect = max(box.height / box.width, 0.6) if box.width > 0 else 1.0
        per_row = (panel_w * aspect + decoration_h) / (r1 - r0 + 1)
        row_heights[r0 : r1 + 1] = np.maximum(row_heights[r0 : r1 + 1], per_row)
    fig.set_layout_engine("none")
    fig.set_size_inches(width, row_heights.sum() + 0.1 * n_rows)
    grid = fig.add_gridspec(n_rows, n_cols, height_ratios=row_heights)
    for k, ax in enumerate(axes):
        ax.set_subplotspec(grid[spans[k]])
        # Panels that shared an axis hid their inner tick labels; apart, each needs its own.
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
            ax.yaxis.set_tick_params(labelleft=True)
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
            ax.xaxis.set_tick_params(labelbottom=True)
    fig.set_layout_engine("constrained")
    _wrap_long_titles(fig)
    return fig


def _wrap_long_titles(fig):
    """Break a title or x label wider than the narrow figure at its middle space: otherwise it
    widens the cropped image, which the phone's column then shrinks, text and all."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for text in (ax.title, ax.xaxis.label):
            label = text.get_text()
            if "\n" in label or " " not in label or "$" in label:
                continue
            if text.get_window_extent(renderer).width > 0.95 * fig.bbox.width:
                middle = len(label) // 2
                at = min(
                    (i for i, ch in enumerate(label) if ch == " "), key=lambda i: abs(i - middle)
                )
                text.set_text(label[:at] + "\n" + label[at + 1 :])


def _mosaic(layout, n_axes):
    if layout is None:
        layout = 1 if n_axes <= 3 else 2
    if isinstance(layout, int | np.integer):
        if layout < 1:
            raise ValueError(f"expected at least 1 column; received {layout}")
        cells = [*range(n_axes), *[None] * (-n_axes % layout)]
        return [cells[i : i + layout] for i in range(0, len(cells), layout)]
    rows = [list(row) for row in layout]
    if not rows or len({len(row) for row in rows}) != 1:
        raise ValueError(f"expected rows of equal length; received {layout}")
    placed = {k for row in rows for k in row if k is not None}
    if placed != set(range(n_axes)):
        raise ValueError(
            f"the layout {layout} must place each of the {n_axes} axes (0 to {n_axes - 1})"
        )
    return rows


def _render(fig, dpi):
    """The PNG bytes as matplotlib-inline saves them (cropped to the drawn content)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _png_width(png):
    return struct.unpack(">I", png[16:20])[0]


def _check(points, text, png, dpi, column, minimum, where):
    image_px = points * dpi / 72
    css_px = image_px * min(column, _png_width(png)) / _png_width(png)
    if css_px < minimum - 1e-9:
        raise ValueError(
            f"{where}: the text {text!r} ({points:g} pt) would be {css_px:.1f} CSS px in the "
            f"{column}-px column; expected at least {minimum:g} px: raise its fontsize or make "
            f"the figure narrower (the image is {_png_width(png) / dpi:.2f} in wide, with "
            "anything drawn outside the figure)"
        )
    return image_px


def show_figure(fig, *, narrow=None):
    """Display ``fig`` as a PNG for the desktop column that carries its phone layout, then close it.

    Call it instead of ``plt.show()``. The image is an ``image/png`` output, so myst-nb's
    ``figure`` caption and ``image`` alt text apply as before. Its text chunks hold the smallest
    text in image pixels (:data:`MIN_TEXT_KEY`) and the narrow rendering (:data:`NARROW_KEY`),
    made by :func:`narrow_layout` with ``layout=narrow``.

    Raises
    ------
    ValueError
        If the figure has no axes, or its smallest text would be below 10 CSS px in the desktop
        column or 9 CSS px in the phone column.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    try:
        png = figure_png(fig, narrow=narrow)
    finally:
        plt.close(fig)
    display(Image(data=png, format="png"))


def figure_png(fig, *, narrow=None):
    """The PNG that :func:`show_figure` displays (the figure is left in its phone layout)."""
    if not fig.axes:
        raise ValueError("the figure has no axes; expected a figure from plt.subplots")
    wide = _render(fig, WIDE_DPI)
    points, text = smallest_text(fig)
    wide_px = _check(points, text, wide, WIDE_DPI, DESKTOP_COLUMN_PX, MIN_DESKTOP_PX, "desktop")
    narrow_layout(fig, narrow)
    small = _render(fig, NARROW_DPI)
    points, text = smallest_text(fig)
    small_px = _check(points, text, small, NARROW_DPI, PHONE_COLUMN_PX, MIN_PHONE_PX, "phone")
    small = with_png_text(small, {MIN_TEXT_KEY: f"{small_px:.3f}"})
    return with_png_text(
        wide,
        {MIN_TEXT_KEY: f"{wide_px:.3f}", NARROW_KEY: base64.b64encode(small).decode("ascii")},
    )


# PNG text chunks (tEXt): length, type, keyword NUL text, CRC of type and data.


def _chunks(png):
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("expected PNG data (it starts with the PNG signature)")
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        yield kind, png[at + 8 : at + 8 + length], png[at : at + 12 + length]
        at += 12 + length


def png_text(png):
    """The ``tEXt`` chunks of a PNG as a dict ``{keyword: text}``."""
    found = {}
    for kind, data, _ in _chunks(png):
        if kind == b"tEXt":
            key, _, value = data.partition(b"\0")
            found[key.decode("latin-1")] = value.decode("latin-1")
    return found


def with_png_text(png, items):
    """The PNG with a ``tEXt`` chunk per item added just before its end."""
    extra = b""
    for key, value in items.items():
        data = key.encode("latin-1") + b"\0" + value.encode("latin-1")
        crc = zlib.crc32(b"tEXt" + data)
        extra += struct.pack(">I", len(data)) + b"tEXt" + data + struct.pack(">I", crc)
    end = png.rindex(b"IEND") - 4
    return png[:end] + extra + png[end:]


def without_png_text(png, keys):
    """The PNG without its ``tEXt`` chunks named in ``keys``."""
    kept = b"".join(
        whole
        for kind, data, whole in _chunks(png)
        if not (kind == b"tEXt" and data.partition(b"\0")[0].decode("latin-1") in keys)
    )
    return png[:8] + kept
