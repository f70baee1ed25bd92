"""The widget behind every demo: controls, a figure rendered to PNG and a readout.

:class:`DemoWidget` redraws with the demo's plotting function on every change, painting only the
data over a cached background, and carries a kernel-free animation of itself for pages without a
kernel (:mod:`logreg_book.player`). The demos themselves are in :mod:`logreg_book.widgets`.
"""

import io

import ipywidgets as widgets
import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plotting
from .player import animation_html

__all__ = ["DemoWidget"]


class DemoWidget(widgets.VBox):
    """Controls, a figure and a one-line readout, redrawn on every change.

    Attributes
    ----------
    controls : dict of name -> ipywidgets control
    info : dict
        What the plotting function returned on the last redraw.
    figure : matplotlib Figure
    image : ipywidgets.Image
    readout : ipywidgets.HTML
    """

    def __init__(self, controls, draw, figsize, ncols=1, layout_controls=None, dpr=2):
        self.controls = controls
        self._draw = draw
        self.dpr = dpr
        # Rendered at dpr pixels per CSS pixel (72 per inch) and shown at CSS size: sharp on
        # high-density screens, and never wider than the notebook's column.
        self.figure = Figure(figsize=figsize, dpi=72 * dpr)
        FigureCanvasAgg(self.figure)
        self.axes = [self.figure.add_subplot(1, ncols, i + 1) for i in range(ncols)]
        for ax in self.axes:
            ax.locator_params(nbins=4)  # fewer tick labels: text is most of a redraw
        width = int(round(figsize[0] * 72))
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width=f"{width}px", max_width="100%", height="auto")
        )
        self.readout = widgets.HTML()
        self.info = {}
        self._busy = False  # a draw that adjusts a control must not redraw itself
        self._background, self._background_state = None, None
        self._fallback = None
        for control in controls.values():
            control.observe(self._changed, names="value")
        rows = layout_controls or [list(controls.values())]
        super().__init__([*(widgets.HBox(r) for r in rows), self.image, self.readout])
        self.refresh()

    def animation(self, name, values, interval=250):
        """Kernel-free HTML player of this demo as control ``name`` runs over ``values``
        (other controls at their current values), drawn by the same function as the live
        widget and labelled as the live control is; it starts at the value nearest the
        control's current one."""
        if name not in self.controls:
            raise ValueError(f"no control {name!r}; expected one of {', '.join(self.controls)}")
        values = list(values)
        fig = Figure(figsize=self.figure.get_size_inches(), dpi=self.figure.dpi)
        FigureCanvasAgg(fig)
        axes = [fig.add_subplot(1, len(self.axes), i + 1) for i in range(len(self.axes))]
        for ax in axes:
            ax.locator_params(nbins=4)
        fixed = self.values()
        current = fixed[name]
        start = int(np.argmin([abs(v - current) for v in values])) if values else 0
        self._busy = True  # frames must not move the live controls

        def frame(value):
            for ax in axes:
                plotting.remove_data_artists(ax)
            self._draw(axes, **{**fixed, name: value})

        try:
            if values:
                frame(values[0])
                fig.tight_layout()
            return animation_html(
                fig,
                frame,
                values,
                name=self.controls[name].description,  # the label the live control shows
                panels=axes,
                start=start,
                interval=interval,
                dpr=self.dpr,
            )
        finally:
            self._busy = False

    def with_animation(self, name, values, interval=250):
        """This widget, displayed live where a kernel runs it and as the animation of
        :meth:`animation` wherever widgets cannot run (the book's website, a static view):
        one output with both representations, so each medium shows the demo once."""
        self._fallback = self.animation(name, values, interval=interval)
        return self

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if self._fallback is not None and bundle is not None:
            bundle["text/html"] = self._fallback
        return bundle

    def render_png(self):
        """The figure as PNG bytes.

        The axes frames, ticks and labels rarely change while a slider moves,
        and drawing them is most of the cost. So the figure without its data
        (and titles) is drawn once and kept as a background; a redraw restores
        it and draws only the data artists, unless an axis's limits or scale
        changed, which forces a full draw and a new background.
        """
        canvas = self.figure.canvas
        state = [
            (ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale()) for ax in self.axes
        ]
        if state != self._background_state:
            self._capture_background(canvas)
            self._background_state = state
            # A full draw, not the background plus data: it also places the titles, which
            # the background's draw (with them hidden) left where it could not see them.
            canvas.draw()
        else:
            canvas.restore_region(self._background)
            for ax in self.axes:
                for artist in sorted(_data_artists(ax), key=lambda a: a.get_zorder()):
                    ax.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        # A fast compression level: each image is shown once and thrown away.
        PIL.Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _capture_background(self, canvas):
        hidden = [a for ax in self.axes for a in _data_artists(ax) if a.get_visible()]
        for artist in hidden:
            artist.set_visible(False)
        try:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        finally:
            for artist in hidden:
                artist.set_visible(True)

    def values(self):
        return {name: control.value for name, control in self.controls.items()}

    def _changed(self, change):
        if not self._busy:
            self.refresh()

    def refresh(self):
        """Redraw the figure for the current control values."""
        first = not self.info
        for ax in self.axes:
            plotting.remove_data_artists(ax)
        self._busy = True
        try:
            self.info = self._draw(self.axes, **self.values()) or {}
        finally:
            self._busy = False
        if first:  # layout once: recomputing it on every move would dominate the redraw
            self.figure.tight_layout()
            self._background_state = None
        self.image.value = self.render_png()
        self.readout.value = self.info.get("readout", "")


def _data_artists(ax):
    """What a redraw repaints over the background: what the plotting function drew, the title
    (which changes with the controls) and the spines (which overlap the data, and must be
    painted in the same order as a full draw would)."""
    return [*plotting.data_artists(ax), ax.title, *ax.spines.values()]
