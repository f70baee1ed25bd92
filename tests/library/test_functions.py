"""Properties of the sigmoid/softmax family, including the extremes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from logreg import log_sigmoid, log_softmax, logsumexp, one_hot, sigmoid, softmax

# Logits anywhere in float64 range: the functions must be exact there, not just
# on "reasonable" inputs.
finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-50, max_value=50, allow_nan=False)
EPS = np.finfo(np.float64).eps
logit_rows = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=finite)


pytestmark = pytest.mark.usefixtures("strict_floating_point")


@settings(max_examples=200)
@given(logit_rows)
def test_softmax_rows_are_distributions(Z):
    P = softmax(Z)
    assert P.shape == Z.shape
    assert np.all((P >= 0) & (P <= 1))
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@settings(max_examples=200)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=moderate),
    st.floats(min_value=-1e3, max_value=1e3),
)
def test_softmax_is_shift_invariant(Z, c):
    # Z + c rounds each entry, so compare up to the rounding of the shift:
    # a relative perturbation of eps*|c| in the logits moves p by about that much.
    np.testing.assert_allclose(softmax(Z + c), softmax(Z), rtol=0, atol=1e-11)


@settings(max_examples=200)
@given(finite)
def test_two_class_softmax_is_sigmoid(s):
    p = softmax(np.array([s, 0.0]))
    # 1 - sigmoid(s) is itself rounded (absolute error up to eps), so compare it
    # with an absolute tolerance of eps, and the exact form sigmoid(-s) relatively.
    np.testing.assert_allclose(p, [sigmoid(s), 1.0 - sigmoid(s)], rtol=0, atol=EPS)
    np.testing.assert_allclose(p, [sigmoid(s), sigmoid(-s)], rtol=4 * EPS, atol=1e-300)


@settings(max_examples=200)
@given(arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=moderate))
def test_log_softmax_is_log_of_softmax(Z):
    # Where log(softmax) is finite (moderate logits keep it so) the two agree;
    # absolute tolerance because log_softmax values can be ~100 in size.
    np.testing.assert_allclose(log_softmax(Z), np.log(softmax(Z)), rtol=1e-12, atol=1e-12)


@settings(max_examples=200)
@given(logit_rows)
def test_log_softmax_is_finite_and_nonpositive_everywhere(Z):
    L = log_softmax(Z)
    assert np.all(np.isfinite(L)) and np.all(L <= 0)


@settings(max_examples=200)
@given(logit_rows)
def test_logsumexp_bounds(Z):
    # max(z) <= lse(z) <= max(z) + log(K): the log-sum is dominated by the max.
    lse = logsumexp(Z, axis=1)
    m = Z.max(axis=1)
    assert np.all(lse >= m)
    assert np.all(lse <= m + np.log(Z.shape[1]) + 1e-12 * np.abs(m))


def test_softmax_preserves_order():
    z = np.array([3.0, -1.0, 0.5, 2.0])
    assert list(np.argsort(softmax(z))) == list(np.argsort(z))


def test_softmax_known_values():
    np.testing.assert_allclose(softmax([0.0, np.log(3.0)]), [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(softmax([[1.0, 1.0, 1.0]]), [[1 / 3] * 3], rtol=1e-15)


def test_softmax_axis():
    Z = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(softmax(Z, axis=0), softmax(Z.T, axis=1).T, rtol=1e-15)
    np.testing.assert_allclose(softmax(Z, axis=0).sum(axis=0), 1.0)


@pytest.mark.parametrize("big", [1e3, 1e4, 1e300])
def test_extreme_logits_give_exact_probabilities(big):
    np.testing.assert_array_equal(softmax([big, 0.0, -big]), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(softmax([-big, -big]), [0.5, 0.5])
    np.testing.assert_array_equal(log_softmax([big, -big]), [0.0, -2 * big])
    assert logsumexp([big, big]) == pytest.approx(big + np.log(2.0), rel=1e-15)
    assert sigmoid(-big) == 0.0 and sigmoid(big) == 1.0
    assert log_sigmoid(-big) == -big
    assert log_sigmoid(big) == 0.0


def test_logits_a_full_range_apart():
    # max - min overflows to inf here; the result must still be exact.
    np.testing.assert_array_equal(softmax([1.7e308, -1.7e308]), [1.0, 0.0])
    np.testing.assert_array_equal(logsumexp([1.7e308, -1.7e308]), 1.7e308)


def test_sigmoid_known_values_and_symmetry():
    t = np.linspace(-30, 30, 121)
    np.testing.assert_allclose(sigmoid(t), 1 / (1 + np.exp(-t)), rtol=1e-15)
    np.testing.assert_allclose(sigmoid(-t), 1 - sigmoid(t), rtol=0, atol=EPS)
    # Reference: log1p keeps the accuracy that log(sigmoid(t)) loses near 1.
    np.testing.assert_allclose(log_sigmoid(t), -np.log1p(np.exp(-t)), rtol=1e-14)
    assert sigmoid(0.0) == 0.5
    assert sigmoid(np.inf) == 1.0 and sigmoid(-np.inf) == 0.0


def test_log_sigmoid_tail_is_exact():
    # log(1 + e^t) = e^t (1 - e^t/2 + ...) for small e^t: log_sigmoid(-t) ~ -t - e^{-t}.
    t = 40.0
    assert log_sigmoid(-t) == pytest.approx(-t - np.exp(-t), rel=1e-15)


def test_negative_infinite_logits_mean_impossible_classes():
    np.testing.assert_array_equal(softmax([-np.inf, 0.0, 0.0]), [0.0, 0.5, 0.5])
    assert logsumexp([-np.inf, -np.inf]) == -np.inf
    np.testing.assert_array_equal(log_softmax([-np.inf, 0.0]), [-np.inf, 0.0])


def test_float32_stays_float32():
    z = np.array([1.0, 2.0], dtype=np.float32)
    assert softmax(z).dtype == np.float32
    assert sigmoid(z).dtype == np.float32


def test_one_hot():
    Y = one_hot([2, 0, 1, 2], 3)
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    np.testing.assert_array_equal(Y.sum(axis=1), 1.0)
    assert one_hot(np.array([], dtype=int), 2).shape == (0, 2)


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda: softmax([1.0, np.nan]), ValueError, "Z contains NaN"),
        (lambda: softmax([1.0, np.inf]), ValueError, r"Z contains \+inf"),
        (lambda: softmax([-np.inf, -np.inf]), ValueError, "all -inf"),
        (lambda: log_softmax([[-np.inf, -np.inf]]), ValueError, "all -inf"),
        (lambda: softmax(["a", "b"]), TypeError, "Z must be numeric; received .*<U1"),
        (lambda: softmax(np.zeros((2, 0))), ValueError, "no entries along axis 1"),
        (lambda: softmax(3.0), ValueError, "at least one dimension"),
        (lambda: softmax([1.0, 2.0], axis=1), ValueError, "axis 1 is out of range"),
        (lambda: softmax([1.0, 2.0], axis=0.5), TypeError, "axis must be an int"),
        (lambda: sigmoid([0.0, np.nan]), ValueError, "t contains NaN"),
        (lambda: sigmoid([1j]), TypeError, "must be real"),
        (lambda: one_hot([0, 3], 3), ValueError, r"indices in \[0, 2\]; received 3 at position 1"),
        (lambda: one_hot([-1], 3), ValueError, "received -1"),
        (lambda: one_hot([[0, 1]], 3), ValueError, "1-D array"),
        (lambda: one_hot([0.5], 3), TypeError, "integer class indices"),
        (lambda: one_hot([0], 0), ValueError, "at least 1; received 0"),
        (lambda: one_hot([0], 2.0), TypeError, "n_classes must be an int"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
