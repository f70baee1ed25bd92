"""Kernel-free animations of the demos: one self-contained HTML fragment per animation.

The frames are rendered once, when the page is built, by the same plotting code as the live
widget. The player shows the animated value by name ("u1 = -1.25"), has a slider with an
accessible name and buttons to play, pause and step, and needs nothing but the page itself (no
kernel, no network). Frames are rendered for a device pixel ratio of 2 and shown at half their
pixel size, so they stay sharp on phones; a figure with several panels is cut between them, and
on a narrow screen the panels wrap below one another instead of shrinking until their labels
cannot be read. Each frame carries its smallest text in pixels (``data-min-text-px``), as
:func:`logreg_book.responsive.show_figure` does for static figures. In print only the current
frame appears, without controls.
"""

import base64
import io
import itertools
import json
from html import escape

import numpy as np
import PIL.Image

from logreg_book.responsive import smallest_text

__all__ = ["animation_html"]

_ids = itertools.count()

_CSS = """
.logreg-player{margin:.5em 0;max-width:100%}
.logreg-player .lp-panels{display:flex;flex-wrap:wrap;justify-content:center}
.logreg-player .lp-panels img{display:block;max-width:100%;height:auto}
.logreg-player .lp-controls{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;
  gap:.25em .4em;margin-top:.3em}
.logreg-player .lp-value{flex:0 0 100%;text-align:center;font-weight:bold;
  font-variant-numeric:tabular-nums}
.logreg-player .lp-controls button{min-width:2.2em;min-height:2.2em;padding:0 .3em;font-size:1rem;
  line-height:1;border:1px solid #888;border-radius:.3em;background:#fff;color:#222}
.logreg-player .lp-controls input[type=range]{flex:1 1 10em;min-width:0;max-width:100%}
@media print{.logreg-player .lp-controls button,.logreg-player .lp-controls input{display:none}
  .logreg-player{break-inside:avoid}}
"""

_JS = """
(function (root) {
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var data = JSON.parse(root.querySelector(".lp-data").textContent);
  var images = root.querySelectorAll(".lp-panels img");
  var slider = root.querySelector(".lp-slider");
  var value = root.querySelector(".lp-value");
  var play = root.querySelector(".lp-play");
  var last = data.frames.length - 1, timer = null;
  function show(i) {
    i = Math.max(0, Math.min(last, i));
    slider.value = i;
    for (var p = 0; p < images.length; p++) {
      images[p].src = "data:image/png;base64," + data.frames[i][p];
    }
    value.textContent = data.labels[i];
    slider.setAttribute("aria-valuetext", data.labels[i]);
    root.dataset.frame = i;
  }
  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    play.textContent = "\\u25b6"; play.setAttribute("aria-label", "Play");
  }
  function start() {
    if (+slider.value >= last) show(0);
    timer = setInterval(function () {
      show(+slider.value + 1);
      if (+slider.value >= last) stop();  // at the last frame: the button says Play again
    }, data.interval);
    play.textContent = "\\u2016"; play.setAttribute("aria-label", "Pause");
  }
  play.addEventListener("click", function () { if (timer) stop(); else start(); });
  var steps = {".lp-first": function () { return 0; }, ".lp-last": function () { return last; },
    ".lp-prev": function () { return +slider.value - 1; },
    ".lp-next": function () { return +slider.value + 1; }};
  Object.keys(steps).forEach(function (selector) {
    root.querySelector(selector).addEventListener("click", function () {
      stop(); show(steps[selector]());
    });
  });
  slider.addEventListener("input", function () { stop(); show(+slider.value); });
})(document.getElementById("%s"));
"""


def animation_html(
    fig, draw_frame, frames, *, name, panels=None, start=0, interval=250, alt=None, dpr=2
):
    """A self-contained HTML player of ``fig`` as the control ``name`` runs over ``frames``.

    ``draw_frame(value)`` redraws ``fig`` for one value. ``panels`` (a list of axes of ``fig``)
    cuts each frame between them so that they can wrap on a narrow screen; by default the figure
    is one panel. ``start`` is the index of the frame shown first (and printed); ``fig`` should
    have ``dpr`` times the resolution it is shown at (72 dpi per CSS pixel). Returns HTML, to be
    embedded with IPython's ``HTML`` or a display object's ``text/html``.
    """
    frames = list(frames)
    if not frames:
        raise ValueError("frames is empty; expected at least one control value to render")
    if not 0 <= start < len(frames):
        raise ValueError(f"start must index frames (0 to {len(frames) - 1}); received {start!r}")
    draw_frame(frames[0])
    fig.canvas.draw()
    cuts = _panel_cuts(fig, panels, dpr)
    # The smallest text in frame pixels, for the browser test of the figures' text size (the
    # frames differ in their numbers, not in their font sizes).
    min_text_px = smallest_text(fig)[0] * fig.dpi / 72
    images, labels = [], []
    for value in frames:
        draw_frame(value)
        fig.canvas.draw()
        pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3]
        images.append([_png(pixels[:, a:b]) for a, b in cuts])
        labels.append(f"{name} = {value:.3g}")
    height = pixels.shape[0]
    uid = f"logreg-player-{next(_ids)}"
    alt = alt or f"Animation of this demo as {name} runs through {len(frames)} values"
    alt = f"{alt} from {labels[0]} to {labels[-1]}"
    tags = []
    for p, (a, b) in enumerate(cuts):
        panel_alt = alt if len(cuts) == 1 else f"{alt}; panel {p + 1} of {len(cuts)}"
        tags.append(
            f'<img src="data:image/png;base64,{images[start][p]}" width="{(b - a) // dpr}" '
            f'height="{height // dpr}" alt="{escape(panel_alt)}" '
            f'data-min-text-px="{min_text_px:.3f}">'
        )
    data = json.dumps({"frames": images, "labels": labels, "interval": interval})
    controls = "".join(
        f'<button type="button" class="{cls}" aria-label="{label}">{symbol}</button>'
        for cls, label, symbol in (
            ("lp-first", "First frame", "\u00ab"),
            ("lp-prev", "Previous frame", "\u2039"),
            ("lp-play", "Play", "\u25b6"),
            ("lp-next", "Next frame", "\u203a"),
            ("lp-last", "Last frame", "\u00bb"),
        )
    )
    return (
        f'<div class="logreg-player" id="{uid}" data-frame="{start}">'
        f"<style>{_CSS}</style>"
        f'<div class="lp-panels">{"".join(tags)}</div>'
        f'<div class="lp-controls"><output class="lp-value">{escape(labels[start])}</output>'
        f"{controls}"
        f'<input type="range" class="lp-slider" min="0" max="{len(frames) - 1}" step="1" '
        f'value="{start}" aria-label="{escape(name)}" '
        f'aria-valuetext="{escape(labels[start])}"></div>'
        f'<script type="application/json" class="lp-data">{data}</script>'
        f"<script>{_JS % uid}</script></div>"
    )


def _panel_cuts(fig, panels, dpr):
    """Pixel columns of each panel: the figure is cut halfway between neighbouring axes, at a
    multiple of ``dpr`` so that a panel is shown at exactly 1/dpr of its size (a floored odd
    width would shrink its text a little)."""
    width = int(fig.canvas.get_width_height(physical=True)[0])
    if not panels or len(panels) < 2:
        return [(0, width)]
    renderer = fig.canvas.get_renderer()
    boxes = sorted((ax.get_tightbbox(renderer) for ax in panels), key=lambda box: box.x0)
    edges = [0]
    for left, right in zip(boxes, boxes[1:], strict=False):
        edges.append(int(round((left.x1 + right.x0) / 2 / dpr)) * dpr)
    edges.append(width)
    return list(zip(edges, edges[1:], strict=False))


def _png(pixels):
    """A palette PNG (256 colours): a third of the size of full colour for these plots."""
    image = PIL.Image.fromarray(np.ascontiguousarray(pixels))
    image = image.quantize(256, method=PIL.Image.Quantize.FASTOCTREE, dither=PIL.Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
