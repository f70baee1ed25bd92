"""logreg.calibration against scikit-learn and against forecasters whose calibration is known."""

import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from logreg import softmax
from logreg.calibration import (
    expected_calibration_error,
    fit_temperature,
    reliability_bins,
    temperature_scaled,
)

rng = np.random.default_rng(7)
LOGITS = rng.normal(scale=2.0, size=(20_000, 4))


def _sample(probs):
    """One class per row, drawn from the row's probabilities."""
    return (probs.cumsum(axis=1) < rng.random((len(probs), 1))).sum(axis=1)


def test_bins_match_scikit_learns_calibration_curve():
    probs = softmax(LOGITS[:2000])
    y = _sample(probs)
    counts, accuracies, confidences = reliability_bins(probs, y, n_bins=10)
    correct = (probs.argmax(axis=1) == y).astype(int)
    sk_acc, sk_conf = calibration_curve(correct, probs.max(axis=1), n_bins=10)
    assert np.allclose(accuracies, sk_acc, atol=1e-12) and np.allclose(confidences, sk_conf)
    assert counts.sum() == 2000


def test_ece_is_small_for_a_calibrated_forecaster_and_large_for_an_overconfident_one():
    probs = softmax(LOGITS)
    y = _sample(probs)  # the labels really come from these probabilities
    assert expected_calibration_error(probs, y) < 0.02
    sharpened = softmax(3 * LOGITS)  # same predictions, overconfident
    assert expected_calibration_error(sharpened, y) > 0.1


@pytest.mark.parametrize("true_temperature", [0.5, 3.0])
def test_fit_temperature_recovers_the_temperature_of_the_labels(true_temperature):
    y = _sample(softmax(LOGITS / true_temperature))
    assert abs(fit_temperature(LOGITS, y) / true_temperature - 1) < 0.05


def test_temperature_never_changes_a_prediction():
    for temperature in (0.1, 1.0, 10.0):
        scaled = temperature_scaled(LOGITS[:500], temperature)
        assert np.array_equal(scaled.argmax(axis=1), LOGITS[:500].argmax(axis=1))


def test_bad_input_says_what_was_expected():
    probs = softmax(LOGITS[:10])
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_classes\).*received shape \(10,\)"):
        reliability_bins(probs[:, 0], np.zeros(10, int))
    with pytest.raises(ValueError, match=r"one label per row of probs; received \(9,\)"):
        reliability_bins(probs, np.zeros(9, int))
    with pytest.raises(ValueError, match="class indices 0 to 3"):
        reliability_bins(probs, np.full(10, 4))
    with pytest.raises(ValueError, match="summing to 1"):
        reliability_bins(2 * probs, np.zeros(10, int))
    with pytest.raises(ValueError, match="must be finite"):
        fit_temperature(np.full((10, 4), np.nan), np.zeros(10, int))
    with pytest.raises(ValueError, match="temperature must be > 0; received 0"):
        temperature_scaled(LOGITS[:10], 0)
    with pytest.raises(
        ValueError, match=r"n_bins must be an int >= 1; received 10.0 of type float"
    ):
        reliability_bins(probs, np.zeros(10, int), n_bins=10.0)
    with pytest.raises(ValueError, match=r"n_samples >= 1.*received shape \(0, 4\)"):
        fit_temperature(np.zeros((0, 4)), np.zeros(0, int))


def test_fit_temperature_refuses_when_no_temperature_minimizes_the_loss():
    perfect = LOGITS[:200].argmax(axis=1)  # every sample right: the loss falls as T -> 0
    with pytest.raises(ValueError, match="keeps falling as T -> 0.*at least one misclassified"):
        fit_temperature(LOGITS[:200], perfect)
    worst = LOGITS[:200].argmin(axis=1)  # worse than uniform: the loss falls as T -> infinity
    with pytest.raises(ValueError, match="keeps falling as T -> infinity"):
        fit_temperature(LOGITS[:200], worst)
    with pytest.raises(ValueError, match="equal entries"):
        fit_temperature(np.ones((5, 3)), np.array([0, 1, 2, 0, 1]))


def test_fit_temperature_is_the_minimum_even_where_the_loss_underflows():
    # One misclassified sample among confident right ones: the minimum sits at a small T where
    # most terms of the loss are 0.0 in floating point (a search on the loss itself stops early).
    logits = np.column_stack([np.zeros(201), np.r_[np.full(200, 40.0), 1.0]])
    y = np.r_[np.ones(200, int), 0]
    T = fit_temperature(logits, y)

    def loss(temperature):
        return -np.mean(np.log(temperature_scaled(logits, temperature)[np.arange(201), y]))

    assert all(loss(T) <= loss(T * factor) for factor in (0.9, 0.99, 1.01, 1.1))


def test_binary_temperature_is_half_of_scikit_learns():
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.datasets import load_breast_cancer
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    X_fit, X_val, y_fit, y_val = train_test_split(X, y, test_size=0.5, random_state=3)
    model = SkLogisticRegression(C=100.0, max_iter=1000).fit(X_fit, y_fit)
    z = model.decision_function(X_val)
    ours = fit_temperature(np.column_stack([np.zeros_like(z), z]), y_val)
    calibrated = CalibratedClassifierCV(FrozenEstimator(model), method="temperature")
    calibrated.fit(X_val, y_val)
    theirs = 1 / calibrated.calibrated_classifiers_[0].calibrators[0].beta_
    assert ours * 2 == pytest.approx(theirs, rel=1e-4)  # scikit-learn's logits are (-z, z)
    ours_probs = temperature_scaled(np.column_stack([np.zeros_like(z), z]), ours)
    assert np.allclose(ours_probs, calibrated.predict_proba(X_val), atol=1e-6)
