"""logreg_grader.probes: the values a probe reports are parsed, never evaluated."""

import pytest

from logreg_grader.probes import LoadError, parse_srepr


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch pwned')",
        "Symbol('x').__class__.__mro__",
        "(lambda: 1)()",
        "Symbol('x', real=True).subs",
        "[c for c in ().__class__.__base__.__subclasses__()]",
        "Function('f')(Symbol('x'))",
        "Add(" * 30_000,
    ],
)
def test_srepr_text_is_parsed_without_eval(text):
    with pytest.raises(LoadError):
        parse_srepr(text)


def test_srepr_round_trip():
    import sympy as sp

    x = sp.Symbol("x", real=True)
    expr = (
        sp.log(1 + sp.exp(-x)) / 3 - sp.Rational(1, 2) * sp.KroneckerDelta(x, 2) + sp.Float("0.25")
    )
    assert parse_srepr(sp.srepr(expr)) == expr
