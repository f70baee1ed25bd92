"""Symbolic (sympy) versions of the book's functions, and a checker that can fail.

The proof chapters state an identity, prove it, and then call
:func:`assert_identity`, which raises ``AssertionError`` unless sympy can show
that the two sides are equal. Every transformation it tries is an equivalence
(no ``force=True``), so a passing check is a proof under the symbols'
declared assumptions, and a wrong identity cannot pass.

This module needs sympy; ``import logreg`` alone does not import it.
"""

import sympy as sp

__all__ = [
    "assert_identity",
    "assert_not_identity",
    "is_zero",
    "logsumexp",
    "sigmoid",
    "softmax",
]


def sigmoid(t):
    """``1 / (1 + exp(-t))`` as a sympy expression."""
    return 1 / (1 + sp.exp(-t))


def softmax(z):
    """The softmax of a sequence of sympy expressions, as a list of K expressions."""
    exps = [sp.exp(zk) for zk in z]
    total = sp.Add(*exps)
    return [e / total for e in exps]


def logsumexp(z):
    """``log(sum_k exp(z_k))`` as a sympy expression."""
    return sp.log(sp.Add(*[sp.exp(zk) for zk in z]))


def _candidates(expr):
    """Equivalent forms of ``expr`` in which a zero may become visible."""
    yield expr
    yield sp.simplify(expr)
    logs = sp.expand_log(expr)  # sound: only splits logs of positive factors
    yield sp.simplify(logs)
    yield sp.simplify(sp.powsimp(sp.expand(expr)))
    yield sp.simplify(expr.rewrite(sp.exp))


def is_zero(expr):
    """True if sympy can show ``expr == 0`` under the symbols' assumptions.

    False means "not shown", which for the identities in this book means false:
    :func:`assert_not_identity` backs that up with a numeric counterexample.
    """
    expr = sp.sympify(expr)
    for form in _candidates(expr):
        if form == 0 or form.is_zero:
            return True
    return False


def assert_identity(lhs, rhs, what="identity"):
    """Raise ``AssertionError`` unless sympy shows ``lhs == rhs``."""
    if not is_zero(sp.sympify(lhs) - sp.sympify(rhs)):
        raise AssertionError(f"{what} not shown: {lhs} != {rhs}")


def assert_not_identity(lhs, rhs, values, what="claim"):
    """Raise ``AssertionError`` unless ``lhs != rhs`` at the point ``values``.

    A wrong formula is refuted by a counterexample, not by sympy's failure to
    simplify: ``values`` maps every free symbol to a number, and the two sides
    must differ there by more than rounding.
    """
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    missing = (lhs.free_symbols | rhs.free_symbols) - set(values)
    if missing:
        raise ValueError(
            f"values must give every free symbol a number; missing {sorted(map(str, missing))}"
        )
    # Exact rational inputs and 50 digits: rounding cannot fake a difference.
    exact = {k: sp.Rational(v) for k, v in values.items()}
    a, b = sp.N(lhs.subs(exact), 50), sp.N(rhs.subs(exact), 50)
    if abs(a - b) <= sp.Float("1e-30") * (1 + abs(a) + abs(b)):
        raise AssertionError(f"{what} is not refuted at {values}: both sides equal {a}")
