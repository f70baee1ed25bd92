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
    perfect = LOGITS[:200].argmax(axis=1)  # every sample right: the loss falls as T -> 0
    with pytest.raises(ValueError, match="edge of the search"):
        fit_temperature(LOGITS[:200], perfect)
