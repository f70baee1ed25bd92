"""logreg_book.figures: decision regions, reliability diagrams and the class colours."""

import numpy as np
import pytest
from matplotlib.lines import Line2D

from logreg import SoftmaxRegression, calibration, datasets, regions, softmax
from logreg_book import figures


def params(model):
    """The fitted weights in the layout ``plot_decision_regions`` and ``logreg.regions`` take.

    The only place the tests name that layout, so that a change of it is one line here."""
    return model.coef_, model.intercept_


def fitted(n_classes, n_features=2):
    X, y = datasets.make_blobs(20, n_classes, random_state=n_classes)
    if n_features > 2:
        X = np.column_stack([X, np.random.default_rng(0).normal(size=(len(X), n_features - 2))])
    return SoftmaxRegression(alpha=1e-2).fit(X, y), X, y


def tie_lines(ax):
    return [line for line in ax.lines if isinstance(line, Line2D) and line.get_linestyle() == ":"]


@pytest.mark.parametrize("n_classes", [2, 3, 4, 5])
def test_decision_regions_predict_like_the_model_and_draw_every_tie_line(ax, n_classes):
    model, X, y = fitted(n_classes)
    lim, n = 4.0, 60
    info = figures.plot_decision_regions(ax, *params(model), X, y, lim=lim, n=n)
    ticks = np.linspace(-lim, lim, n)
    xx, yy = np.meshgrid(ticks, ticks)
    expected = model.predict(np.column_stack([xx.ravel(), yy.ravel()])).reshape(n, n)
    assert info["predicted"].shape == (n, n)
    np.testing.assert_array_equal(info["predicted"], expected)
    assert len(tie_lines(ax)) == n_classes * (n_classes - 1) // 2
    assert info["winners"] == regions.winning_classes(*params(model))
    assert info["shown"] == sorted(np.unique(expected).tolist())
    assert len(info["margins"]) == n_classes
    # One coloured dot per sample, and one arrow per class from the origin.
    assert ax.collections[0].get_offsets().shape == (len(X), 2)
    assert len(ax.texts) == n_classes


def test_decision_regions_name_the_classes_that_cannot_win(ax):
    # Class 3 scores the mean of classes 1 and 2: it can only tie, never win.
    model, _, _ = fitted(3)
    model.coef_[2] = (model.coef_[0] + model.coef_[1]) / 2
    model.intercept_[2] = (model.intercept_[0] + model.intercept_[1]) / 2 - 1.0
    info = figures.plot_decision_regions(ax, *params(model), arrows=False)
    assert info["winners"] == [0, 1] and 2 not in info["shown"]
    assert ax.get_title() == "classes that can win: 1, 2"
    assert not ax.texts


def test_decision_regions_need_two_features_and_matching_shapes(ax):
    model, _, _ = fitted(3, n_features=3)
    with pytest.raises(ValueError, match="expected 2 features to draw; received"):
        figures.plot_decision_regions(ax, *params(model))
    model, _, _ = fitted(3)
    weights, intercepts = params(model)
    with pytest.raises(ValueError, match=r"expected .*shape.*; received .*shape"):
        figures.plot_decision_regions(ax, weights, intercepts[:2])


def test_reliability_diagram_reports_the_librarys_ece_with_areas_by_count(ax):
    rng = np.random.default_rng(1)
    probs = softmax(rng.normal(scale=2.0, size=(500, 3)))
    y = rng.integers(0, 3, size=500)
    info = figures.plot_reliability(ax, probs, y, n_bins=8, label="model")
    assert info["ece"] == calibration.expected_calibration_error(probs, y, 8)
    assert info["accuracy"] == pytest.approx(np.mean(probs.argmax(axis=1) == y))
    counts = info["counts"]
    assert counts.sum() == 500 and len(counts) > 2
    # A marker's area grows linearly with its bin's count, at the bin's (confidence, accuracy).
    markers = ax.collections[0]
    sizes = markers.get_sizes()
    slope, _ = np.polyfit(counts, sizes, 1)
    assert slope > 0
    np.testing.assert_allclose(np.polyval(np.polyfit(counts, sizes, 1), counts), sizes)
    np.testing.assert_allclose(
        markers.get_offsets(), np.column_stack([info["confidences"], info["accuracies"]])
    )
    assert markers.get_label() == "model"


def test_class_colors_are_distinct_and_cycle():
    assert len(set(figures.CLASS_COLORS)) == len(figures.CLASS_COLORS)
    K = len(figures.CLASS_COLORS)
    assert [figures.class_color(k) for k in range(K)] == list(figures.CLASS_COLORS)
    for k in range(3 * K):
        assert figures.class_color(k) == figures.class_color(k + K) == figures.CLASS_COLORS[k % K]
    assert figures.class_color(np.int64(6)) == figures.CLASS_COLORS[1]  # labels from an array
