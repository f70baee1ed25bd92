"""logreg_book.demo_widget: every demo's widget, driven by setting control values as a user would.

The fast path of :meth:`DemoWidget.render_png` is checked against a full draw for each demo, and
the one output that is a live widget in a notebook and an animation elsewhere.
"""

import io

import numpy as np
import PIL.Image
import pytest
from _demos import X1, XB, Y1, YB, overconfident

from logreg import SoftmaxRegression
from logreg_book import widgets


def test_one_output_is_live_in_a_notebook_and_animated_elsewhere():
    demo = widgets.temperature_widget().with_animation("temperature", [0.1, 1.0, 10.0])
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab shows the widget
    assert bundle["text/html"].count('class="logreg-player"') == 1  # the website, the player
    assert "text/html" not in widgets.temperature_widget()._repr_mimebundle_()


def pixels(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def full_draw(demo):
    demo.figure.canvas.draw()
    return np.asarray(demo.figure.canvas.buffer_rgba())[..., :3].astype(int)


def _shift_widget():
    model = SoftmaxRegression(alpha=1e-2).fit(XB, YB)
    return widgets.shift_widget(XB, YB, model.coef_, model.intercept_)


MOVES = {
    "sigmoid": (lambda: widgets.sigmoid_widget(X1, Y1), [("w", 2.5), ("b", -1.0), ("w", -4.0)]),
    "temperature": (
        widgets.temperature_widget,
        [("temperature", 0.05), ("logits", "3, 1"), ("temperature", 20.0)],
    ),
    "shift": (_shift_widget, [("u1", 2.0), ("u2", -1.5)]),
    "softmax_sigmoid": (widgets.softmax_sigmoid_widget, [("w1", 3.0), ("w2", -2.0)]),
    "landscape": (lambda: widgets.landscape_widget(X1[:, 0], Y1), [("lr", 3.0), ("lr", 20.0)]),
    "regions": (
        lambda: widgets.regions_widget([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]], [0.0, 0.0, 0.0]),
        [("angle", -135.0), ("length", 2.5), ("bias", 1.0)],
    ),
    "calibration": (
        lambda: widgets.calibration_widget(*overconfident()),
        [("temperature", 3.0), ("temperature", 0.3)],
    ),
    # Retraining (a new learning rate or data set) and replaying a recorded run.
    "training": (
        lambda: widgets.training_widget(n_iter=20),
        [("lr", 0.1), ("iteration", 5), ("dataset", "two moons")],
    ),
}


@pytest.mark.parametrize("name", MOVES)
def test_every_image_shown_is_the_full_drawing(name):
    make, moves = MOVES[name]
    demo = make()
    # The fast path paints only what changes over a cached background; the first image, the
    # image after a retrain and after every move must be exactly what a full draw gives,
    # titles included (they were missing after a retrain once).
    images = [pixels(demo.image.value)]
    assert np.array_equal(images[0], full_draw(demo))
    for control, value in moves:
        demo.controls[control].value = value
        images.append(pixels(demo.image.value))
        assert np.array_equal(images[-1], full_draw(demo)), f"after {control} = {value!r}"
    assert all(not np.array_equal(a, b) for a, b in zip(images, images[1:], strict=False))
    titles = [ax.get_title() for ax in demo.axes]
    assert all(titles), "every panel has a title"
    # Rendered for a device pixel ratio of 2, shown at the figure's size in CSS pixels.
    width = demo.figure.get_size_inches()[0]
    assert (
        images[-1].shape[1] == round(width * 144)
        and demo.image.layout.width == f"{round(width * 72)}px"
    )
