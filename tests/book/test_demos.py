"""The demos: plotting functions on known input, and widgets driven like a user would."""

import matplotlib

matplotlib.use("Agg")

import base64
import io
import json
import re

import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
import pytest

from logreg import SoftmaxRegression, datasets, sigmoid, softmax
from logreg_book import plotting, widgets


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture
def two_axes():
    fig, axes = plt.subplots(1, 2)
    yield axes
    plt.close(fig)


rng = np.random.default_rng(0)
X1 = np.r_[rng.normal(-0.5, 2, 40), rng.normal(0.5, 2, 40)][:, None]
Y1 = np.repeat([0, 1], 40)
XB, YB = datasets.make_blobs(30, 3)


def test_sigmoid_boundary_is_where_the_logit_is_zero(ax):
    info = plotting.plot_sigmoid_demo(ax, X1, Y1, [2.0], -1.0)
    assert info["boundary"].get_xdata()[0] == pytest.approx(0.5)
    x, p = info["curve"].get_data()
    np.testing.assert_allclose(p, sigmoid(2 * x - 1))
    expected = np.mean(
        Y1 * np.log(sigmoid(2 * X1[:, 0] - 1)) + (1 - Y1) * np.log(sigmoid(1 - 2 * X1[:, 0]))
    )
    assert info["log_likelihood"] == pytest.approx(expected, rel=1e-12)


def test_sigmoid_boundary_in_two_dimensions(ax):
    X, y = XB[YB < 2], YB[YB < 2]
    info = plotting.plot_sigmoid_demo(ax, X, y, [1.0, 2.0], 1.0)
    xs, ys = info["boundary"].get_data()
    np.testing.assert_allclose(1.0 * xs + 2.0 * ys + 1.0, 0.0, atol=1e-12)


def test_cold_temperature_gives_one_hot_bars(ax):
    info = plotting.plot_softmax_temperature(ax, [2.0, 1.0, 0.5], 1e-3)
    heights = [bar.get_height() for bar in info["bars"]]
    assert heights == [1.0, 0.0, 0.0]
    hot = plotting.plot_softmax_temperature(ax, [2.0, 1.0, 0.5], 1e4)["probs"]
    np.testing.assert_allclose(hot, 1 / 3, atol=1e-4)
    with pytest.raises(ValueError, match="temperature must be > 0; received 0"):
        plotting.plot_softmax_temperature(ax, [1.0, 2.0], 0)


def test_shift_demo_changes_weights_not_probabilities(two_axes):
    model = SoftmaxRegression(alpha=1e-2).fit(XB, YB)
    for u in ([0.0, 0.0], [1.5, -2.0], [-3.0, 3.0]):
        info = plotting.plot_shift_invariance(two_axes, XB, YB, model.coef_, model.intercept_, u)
        assert info["max_difference"] < 1e-12
        shifted = info["arrows"][1]
        np.testing.assert_allclose(shifted.U, model.coef_[:, 0] - u[0])


def test_softmax_vs_sigmoid_curves_coincide(ax):
    info = plotting.plot_softmax_vs_sigmoid(ax, 2.0, -1.0)
    assert info["max_difference"] < 1e-15
    x, p = info["softmax_curve"].get_data()
    np.testing.assert_allclose(p, sigmoid(3.0 * x), rtol=1e-14)


def test_training_replay_uses_the_trainer(two_axes):
    history = plotting.record_training(XB, YB, solver="gd", lr=0.5, n_iter=20)
    model = SoftmaxRegression(solver="gd", lr=0.5, alpha=1e-3, max_iter=20, tol=0.0)
    with pytest.warns(Warning):
        model.fit(XB, YB)
    np.testing.assert_allclose(history["coefs"][-1], model.coef_)
    np.testing.assert_allclose(history["losses"], model.loss_history_)
    info = plotting.plot_training_state(two_axes, XB, YB, history, 5)
    assert info["marker"].get_xdata()[0] == 5
    assert info["marker"].get_ydata()[0] == pytest.approx(history["losses"][4])


def test_training_replay_reports_divergence():
    history = plotting.record_training(XB * 1e3, YB, solver="gd", lr=30.0, alpha=1.0, n_iter=50)
    assert "lr * alpha = 30 * 1 = 30 > 2" in history["error"]
    assert "Use lr < 2 / alpha = 2" in history["error"]
    # a far longer step without the L2 term never stops with an error
    history = plotting.record_training(XB, YB, solver="gd", lr=300.0, alpha=0.0, n_iter=50)
    assert history["error"] is None and len(history["losses"]) == 50


def test_loss_landscape_learning_rates(ax):
    statuses = {
        lr: plotting.plot_loss_landscape(ax, X1[:, 0], Y1, lr)["status"] for lr in (0.5, 5.0, 20.0)
    }
    assert statuses == {0.5: "converging", 5.0: "oscillating", 20.0: "overshooting"}
    info = plotting.plot_loss_landscape(ax, X1[:, 0], Y1, 0.5)
    np.testing.assert_allclose(info["path_points"][0], [0.0, 0.0])
    assert len(info["path_points"]) == 31


def test_animation_player_is_self_contained_and_labelled():
    demo = widgets.training_widget(n_iter=12)
    html = demo.animation("iteration", [3, 6, 9, 12])
    data = json.loads(re.search(r'class="lp-data">(.*?)</script>', html).group(1))
    assert len(data["frames"]) == 4 and all(len(panels) == 2 for panels in data["frames"])
    assert data["labels"] == ["iteration = 3", "iteration = 6", "iteration = 9", "iteration = 12"]
    assert "http://" not in html and "https://" not in html
    # It starts at the live control's value (12, the end of training), and names the value.
    assert '<output class="lp-value">iteration = 12</output>' in html
    assert 'aria-label="iteration"' in html and 'aria-valuetext="iteration = 12"' in html
    # Frames are rendered at twice the size they are shown at, and cut between the panels.
    sizes = [PIL.Image.open(io.BytesIO(base64.b64decode(p))).size for p in data["frames"][0]]
    shown = [
        tuple(map(int, m)) for m in re.findall(r'<img [^>]*width="(\d+)" height="(\d+)"', html)
    ]
    assert [(w // 2, h // 2) for w, h in sizes] == shown
    assert sum(w for w, _ in shown) == pytest.approx(72 * 9, abs=2)  # the figure is 9 in wide
    with pytest.raises(ValueError, match="no control 'T'"):
        demo.animation("T", [1.0])


def test_one_output_is_live_in_a_notebook_and_animated_elsewhere():
    demo = widgets.temperature_widget().with_animation("temperature", [0.1, 1.0, 10.0])
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # JupyterLab shows the widget
    assert bundle["text/html"].count('class="logreg-player"') == 1  # the website, the player
    assert "text/html" not in widgets.temperature_widget()._repr_mimebundle_()


# ---------------------------------------------------------------------------
# Widgets, driven by setting control values as a user would
# ---------------------------------------------------------------------------


def pixels(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)


def full_draw(demo):
    demo.figure.canvas.draw()
    return np.asarray(demo.figure.canvas.buffer_rgba())[..., :3].astype(int)


def _overconfident():
    """Logits three times too sharp for the labels drawn from softmax(logits / 3)."""
    logits = np.random.default_rng(3).normal(scale=3.0, size=(3000, 4))
    probs = softmax(logits / 3)
    labels = (probs.cumsum(axis=1) < np.random.default_rng(4).random((3000, 1))).sum(axis=1)
    return logits, labels


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
        lambda: widgets.calibration_widget(*_overconfident()),
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


def test_sigmoid_widget_log_likelihood_moves_the_right_way():
    demo = widgets.sigmoid_widget(X1, Y1, w=0.0)
    start = demo.info["log_likelihood"]
    image = demo.image.value
    demo.controls["w"].value = 0.5  # towards the fitted slope (positive)
    assert demo.info["log_likelihood"] > start
    assert demo.image.value != image
    assert "mean log-likelihood" in demo.readout.value


def test_temperature_widget_sharpens_and_flattens():
    demo = widgets.temperature_widget()
    demo.controls["temperature"].value = 0.01
    assert demo.info["probs"].max() > 0.99
    demo.controls["temperature"].value = 50.0
    assert demo.info["probs"].max() < 0.3
    demo.controls["logits"].value = "1, x"
    assert "expected at least two comma-separated numbers" in demo.readout.value


def test_shift_widget_difference_stays_below_1e_12_everywhere():
    model = SoftmaxRegression(alpha=1e-2).fit(XB, YB)
    demo = widgets.shift_widget(XB, YB, model.coef_, model.intercept_)
    for u1 in np.linspace(-3, 3, 7):
        for u2 in (-3.0, 0.0, 3.0):
            demo.controls["u1"].value = float(u1)
            demo.controls["u2"].value = u2
            assert demo.info["max_difference"] < 1e-12
            assert "max |change in any probability|" in demo.readout.value


def test_softmax_sigmoid_widget_depends_only_on_the_difference():
    demo = widgets.softmax_sigmoid_widget(w1=1.0, w2=0.0)
    _, before = demo.info["softmax_curve"].get_data()
    demo.controls["w1"].value = 3.0
    demo.controls["w2"].value = 2.0  # same difference, 1
    _, after = demo.info["softmax_curve"].get_data()
    np.testing.assert_allclose(after, before, rtol=1e-12)
    demo.controls["w2"].value = 0.0  # difference 3: steeper
    _, steeper = demo.info["softmax_curve"].get_data()
    assert steeper[-1] > before[-1]


def test_training_widget_scrubber_replays_without_retraining():
    demo = widgets.training_widget(n_iter=30)
    history = demo.info["history"]
    assert demo.controls["iteration"].max == 30
    demo.controls["iteration"].value = 5
    assert demo.info["history"] is history  # cached run, only redrawn
    assert demo.info["marker"].get_xdata()[0] == 5
    demo.controls["n_iter"].value = 10
    assert demo.controls["iteration"].max == 10 and demo.controls["iteration"].value == 10
    demo.controls["dataset"].value = "two moons"
    assert demo.info["history"]["coefs"].shape == (10, 2, 2)


def test_landscape_widget_reports_the_regime():
    demo = widgets.landscape_widget(X1[:, 0], Y1, lr=0.5)
    assert "converging" in demo.readout.value
    demo.controls["lr"].value = 20.0
    assert "overshooting" in demo.readout.value


def test_regions_widget_says_when_the_last_class_cannot_win():
    # w3 = (w1 + w2) / 2 and equal intercepts: class 3 can only tie (prop-never-wins).
    demo = widgets.regions_widget([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]], [0.0, 0.0, 0.0])
    assert demo.info["winners"] == [0, 1] and "never wins" in demo.readout.value
    demo.controls["bias"].value = 0.5  # now it wins a strip around the diagonal
    assert demo.info["winners"] == [0, 1, 2] and "wins somewhere" in demo.readout.value
    assert 2 in demo.info["shown"]


def test_calibration_widget_finds_the_temperature_and_keeps_the_accuracy():
    demo = widgets.calibration_widget(*_overconfident())
    ece = {1.0: demo.info["ece"]}
    accuracy = demo.info["accuracy"]
    for temperature in (3.0, 9.0):
        demo.controls["temperature"].value = temperature
        ece[temperature] = demo.info["ece"]
        assert demo.info["accuracy"] == accuracy and "the same at every T" in demo.readout.value
    assert ece[3.0] < 0.03 < ece[1.0] and ece[3.0] < ece[9.0]  # the labels' temperature is 3
