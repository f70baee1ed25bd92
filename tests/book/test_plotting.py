"""logreg_book.plotting: each demo's plotting function on known input."""

import numpy as np
import pytest
from _demos import X1, XB, Y1, YB

from logreg import SoftmaxRegression, sigmoid
from logreg_book import plotting, training


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
    history = training.record_training(XB, YB, solver="gd", lr=0.5, n_iter=20)
    model = SoftmaxRegression(solver="gd", lr=0.5, alpha=1e-3, max_iter=20, tol=0.0)
    with pytest.warns(Warning):
        model.fit(XB, YB)
    np.testing.assert_allclose(history["coefs"][-1], model.coef_)
    np.testing.assert_allclose(history["losses"], model.loss_history_)
    info = plotting.plot_training_state(two_axes, XB, YB, history, 5)
    assert info["marker"].get_xdata()[0] == 5
    assert info["marker"].get_ydata()[0] == pytest.approx(history["losses"][4])


def test_loss_landscape_learning_rates(ax):
    statuses = {
        lr: plotting.plot_loss_landscape(ax, X1[:, 0], Y1, lr)["status"] for lr in (0.5, 5.0, 20.0)
    }
    assert statuses == {0.5: "converging", 5.0: "oscillating", 20.0: "overshooting"}
    info = plotting.plot_loss_landscape(ax, X1[:, 0], Y1, 0.5)
    np.testing.assert_allclose(info["path_points"][0], [0.0, 0.0])
    assert len(info["path_points"]) == 31
