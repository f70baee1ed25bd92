"""What the live widgets' controls say and do: a label as on the website's player, and no control
that does nothing for the solver chosen (STYLE.md, rule 7). ipywidgets state only, no browser."""

import re

import ipywidgets
import pytest
from _demos import X1, XB, Y1, YB, overconfident

from logreg import SoftmaxRegression
from logreg_book import widgets


def _shift_widget():
    model = SoftmaxRegression(alpha=1e-2).fit(XB, YB)
    return widgets.shift_widget(XB, YB, model.coef_, model.intercept_)


DEMOS = {
    "sigmoid": lambda: widgets.sigmoid_widget(X1, Y1),
    "sigmoid, two features": lambda: widgets.sigmoid_widget(XB[:, :2], YB == 0),
    "temperature": widgets.temperature_widget,
    "shift": _shift_widget,
    "softmax_sigmoid": widgets.softmax_sigmoid_widget,
    "landscape": lambda: widgets.landscape_widget(X1[:, 0], Y1),
    "regions": lambda: widgets.regions_widget([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]], [0, 0, 0]),
    "calibration": lambda: widgets.calibration_widget(*overconfident()),
    "training": lambda: widgets.training_widget(n_iter=5),
}


@pytest.mark.parametrize("name", DEMOS)
def test_every_slider_is_labelled_as_its_player_on_the_website(name):
    demo = DEMOS[name]()
    kinds = (ipywidgets.FloatSlider, ipywidgets.FloatLogSlider, ipywidgets.IntSlider)
    sliders = {key: c for key, c in demo.controls.items() if isinstance(c, kinds)}
    assert sliders, "a demo without a slider"
    for key, control in sliders.items():
        html = demo.animation(key, [control.value])
        shown = re.search(r'<output class="lp-value">(.*?) = ', html).group(1)
        aria = re.search(r'<input [^>]*aria-label="([^"]*)"', html).group(1)
        assert shown == aria == control.description, (key, control.description, shown, aria)


def test_the_calibration_and_temperature_sliders_say_temperature_as_their_players_do():
    # The players on the website (evaluation, softmax_function) name the value "temperature".
    for demo in (widgets.calibration_widget(*overconfident()), widgets.temperature_widget()):
        assert demo.controls["temperature"].description == "temperature"
        assert "temperature = " in demo.animation("temperature", [1.0])
    # The training explorer's player replays "iteration"; so does its live scrubber.
    assert widgets.training_widget(n_iter=5).controls["iteration"].description == "iteration"


@pytest.mark.parametrize(
    ("solver", "enabled"),
    [("gd", {"lr"}), ("sgd", {"lr", "batch_size"}), ("newton", set())],
)
def test_a_control_the_solver_does_not_read_is_disabled_with_its_reason(solver, enabled):
    demo = widgets.training_widget(n_iter=5)
    controls = list(demo.controls.values())
    note = next(w for row in demo.children[:-2] for w in row.children if w not in controls)
    demo.controls["solver"].value = solver
    for name in ("lr", "batch_size"):
        assert demo.controls[name].disabled is (name not in enabled), name
    off = {"lr", "batch_size"} - enabled
    labels = [demo.controls[name].description for name in sorted(off)]
    # The reason is on the page, next to the controls: it names every control that is off.
    assert all(label in note.value for label in labels) and (bool(off) == bool(note.value))
    # Moving a control the solver does not read changes nothing and costs no training run.
    history = demo.info["history"]
    for name in off:
        control = demo.controls[name]
        control.value = control.max if control.value != control.max else control.min
        assert demo.info["history"] is history, name


def test_switching_back_to_sgd_enables_the_batch_slider_and_it_retrains():
    demo = widgets.training_widget(solver="gd", n_iter=5)
    assert demo.controls["batch_size"].disabled
    demo.controls["solver"].value = "sgd"
    assert not demo.controls["batch_size"].disabled
    history = demo.info["history"]
    demo.controls["batch_size"].value = 1
    assert demo.info["history"] is not history
    assert demo.info["history"]["losses"][0] != history["losses"][0]
