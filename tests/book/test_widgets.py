"""logreg_book.widgets: each demo's widget reports what its controls change."""

import numpy as np
from _demos import X1, XB, Y1, YB, overconfident

from logreg import SoftmaxRegression
from logreg_book import widgets


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
    demo = widgets.calibration_widget(*overconfident())
    ece = {1.0: demo.info["ece"]}
    accuracy = demo.info["accuracy"]
    for temperature in (3.0, 9.0):
        demo.controls["temperature"].value = temperature
        ece[temperature] = demo.info["ece"]
        assert demo.info["accuracy"] == accuracy and "the same at every T" in demo.readout.value
    assert ece[3.0] < 0.03 < ece[1.0] and ece[3.0] < ece[9.0]  # the labels' temperature is 3
