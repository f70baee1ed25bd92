"""logreg_book.symbolic: the checker behind the proof chapters must be able to fail.

The identities themselves are in test_identities.py; here the checker is tested on identities
known to be true and formulas known to be false.
"""

import random

import numpy as np
import pytest
import sympy as sp

from logreg import sigmoid as np_sigmoid
from logreg import softmax as np_softmax
from logreg.functions import logsumexp as np_logsumexp
from logreg_book.symbolic import (
    assert_identity,
    assert_not_identity,
    is_zero,
    logsumexp,
    sigmoid,
    softmax,
)

t = sp.Symbol("t", real=True)
z1, z2, z3, c = sp.symbols("z1 z2 z3 c", real=True)


def test_symbolic_functions_equal_the_librarys_at_a_point():
    z = [0.3, -1.2, 2.0]
    values = dict(zip((z1, z2, z3), z, strict=True))
    assert float(sigmoid(t).subs(t, -0.7)) == pytest.approx(np_sigmoid(-0.7), rel=1e-14)
    np.testing.assert_allclose(
        [float(p.subs(values)) for p in softmax([z1, z2, z3])], np_softmax(np.array(z)), 1e-14
    )
    assert float(logsumexp([z1, z2, z3]).subs(values)) == pytest.approx(np_logsumexp(z), 1e-14)


def test_assert_identity_passes_a_true_identity_and_fails_a_false_one():
    assert_identity(sigmoid(-t), 1 - sigmoid(t))
    assert_identity(logsumexp([z1 + c, z2 + c]), logsumexp([z1, z2]) + c)
    with pytest.raises(AssertionError, match="symmetry not shown"):
        assert_identity(sigmoid(-t), sigmoid(t), what="symmetry")
    with pytest.raises(AssertionError, match="not shown"):
        assert_identity(logsumexp([z1 + c, z2 + c]), logsumexp([z1, z2]))


def test_checker_rejects_false_identities():
    # The checker itself must be able to fail.
    with pytest.raises(AssertionError):
        assert_identity(sigmoid(-t), sigmoid(t))
    with pytest.raises(AssertionError):
        assert_not_identity(sigmoid(-t), 1 - sigmoid(t), {t: 0.3})
    with pytest.raises(ValueError, match="missing"):
        assert_not_identity(t, 2 * t, {})
    assert not is_zero(sp.log(t**2) - 2 * sp.log(t))  # false for negative t


def test_assert_not_identity_needs_every_free_symbol_and_refutes_a_false_formula():
    wrong = logsumexp([z1 + c, z2 + c]), logsumexp([z1, z2])
    with pytest.raises(ValueError, match=r"every free symbol a number; missing \['c'\]"):
        assert_not_identity(*wrong, {z1: 0, z2: 1})
    assert_not_identity(*wrong, {z1: 0, z2: 1, c: 2})  # refuted: the sides differ by 2
    with pytest.raises(AssertionError, match="not refuted"):
        assert_not_identity(*wrong, {z1: 0, z2: 1, c: 0})  # c = 0 is no counterexample
    # Sides that differ by less than a double's rounding are still told apart (exact inputs).
    assert_not_identity(t, t + sp.Rational(1, 10**20), {t: 1})


# Expressions of the kind the proof chapters check: some zero, some not (or not everywhere).
CANDIDATES = [
    sigmoid(-t) - (1 - sigmoid(t)),
    sp.diff(sigmoid(t), t) - sigmoid(t) * (1 - sigmoid(t)),
    softmax([z1 + c, z2 + c, z3])[0] - softmax([z1, z2, z3 - c])[0],
    logsumexp([z1 + c, z2 + c]) - logsumexp([z1, z2]) - c,
    sp.tanh(t) - (2 * sigmoid(2 * t) - 1),
    sp.log(t**2) - 2 * sp.log(t),
    sp.sqrt(t**2) - t,
    sp.tanh(t) - (2 * sigmoid(t) - 1),
    logsumexp([z1 + c, z2 + c]) - logsumexp([z1, z2]),
    softmax([z1, z2])[0] - sigmoid(z2 - z1),
    sigmoid(t) * (1 - sigmoid(t)) - sigmoid(t) ** 2,
    (z1 * z2) ** 2 - z1**2 * z2 + sp.Rational(1, 10**12) * z3,
]


def _vanishes_at_random_points(expr, trials=5):
    rng = random.Random(0)
    for _ in range(trials):
        point = {s: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for s in expr.free_symbols}
        value = sp.N(expr.subs(point), 50)
        if abs(value) > sp.Float("1e-30"):
            return False
    return True


@pytest.mark.parametrize("expr", CANDIDATES, ids=range(len(CANDIDATES)))
def test_is_zero_never_says_true_for_a_nonzero_expression(expr):
    if not _vanishes_at_random_points(expr):
        assert not is_zero(expr)
    else:
        assert is_zero(expr)  # the true identities above are all within the checker's reach


def test_the_candidates_hold_both_kinds():
    zeros = [e for e in CANDIDATES if _vanishes_at_random_points(e)]
    assert 0 < len(zeros) < len(CANDIDATES)
