"""logreg_grader.probes: values leave the kernel as capped messages, and are decoded and parsed
(never evaluated) only by the checker."""

import base64
import io
import json

import numpy as np
import pytest

from logreg_grader.probes import (
    MIME,
    Budget,
    Collector,
    LoadError,
    decode,
    parse_srepr,
    probe_code,
)


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


def _sent(probe):
    """What ``emit`` sends for ``probe``, run here with a stand-in for IPython's display."""
    import IPython.display

    sent = []
    original = IPython.display.publish_display_data
    IPython.display.publish_display_data = sent.append
    try:
        exec(probe_code(probe), {})
    finally:
        IPython.display.publish_display_data = original
    return [message[MIME] for message in sent]


def test_emit_sends_arrays_in_parts_below_the_message_limit_and_they_decode_exactly():
    from logreg_grader.kernel import MAX_MESSAGE_BYTES

    value = np.random.default_rng(0).normal(size=(300, 300))  # 720 kB: several parts
    parts = _sent(
        "import numpy as np\nemit('big', np.random.default_rng(0).normal(size=(300, 300)))"
    )
    assert len(parts) > 1 and all(len(json.dumps(p)) < MAX_MESSAGE_BYTES // 2 for p in parts)
    collector = Collector()
    for part in parts:
        collector.add(part)
    text = collector.values()["big"]
    assert isinstance(text, str) and np.array_equal(decode(text), value)


def test_emit_encodes_every_kind_and_reports_what_it_cannot_encode():
    parts = _sent(
        "import sympy as sp\nx = sp.Symbol('x')\n"
        "emit('s', 'higher')\nemit('e', x**2)\nemit('l', [x, 2 * x])\nemit('p', {x: 1.5})\n"
        "emit('bad', object())"
    )
    collector = Collector()
    for part in parts:
        collector.add(part)
    values = {name: decode(text) for name, text in collector.values().items()}
    assert values["s"] == "higher"
    assert values["e"] == {"type": "sympy", "srepr": "Pow(Symbol('x'), Integer(2))"}
    assert values["l"]["type"] == "sympy_list" and len(values["l"]["items"]) == 2
    assert values["p"] == {"type": "point", "items": {"x": 1.5}}
    assert isinstance(values["bad"], LoadError) and "Object arrays" in str(values["bad"])


def _part(name, text, part=0, parts=1):
    return {"name": name, "part": part, "parts": parts, "text": text}


def test_the_collector_caps_each_value_each_test_and_the_submission():
    collector = Collector(value_chars=10)
    collector.add(_part("small", '"abc"'))
    collector.add(_part("large", "x" * 6, 0, 2))
    collector.add(_part("large", "x" * 6, 1, 2))
    values = collector.values()
    assert values["small"] == '"abc"'
    assert "larger than 10 characters" in decode_message(values["large"])
    budget = Budget(chars=250)
    first, second = Collector(budget), Collector(budget)
    first.add(_part("a", "y" * 100))
    second.add(_part("b", "y" * 100))  # over what the submission may still send
    assert first.values()["a"] == "y" * 100
    assert "more than the grader accepts" in decode_message(second.values()["b"])
    one_test = Collector(test_chars=250)
    one_test.add(_part("a", "z" * 100))
    one_test.add(_part("b", "z" * 100))
    assert "more than the grader accepts" in decode_message(one_test.values()["b"])
    # Many tiny parts and many names cost too: neither grows the grader's memory without end.
    flood = Collector(Budget(chars=100_000))
    for i in range(5000):
        flood.add(_part(f"n{i}", ""))
    assert len(flood.values()) <= 200 and flood.budget.left >= 0


def test_the_collector_reports_lost_parts_and_ignores_malformed_messages():
    collector = Collector()
    collector.add(_part("gap", "a", 0, 3))
    collector.add(_part("gap", "c", 2, 3))
    collector.add(_part("short", "a", 0, 2))
    for junk in (None, "text", {"name": 5}, {"name": "x" * 1000}):
        collector.add(junk)
    collector.add({"name": "typed", "part": "0", "parts": 1, "text": "a"})
    values = collector.values()
    assert set(values) == {"gap", "short", "typed"}
    assert "incomplete" in decode_message(values["gap"])
    assert "incomplete" in decode_message(values["short"])
    assert "malformed" in decode_message(values["typed"])
    collector.add(_part("gap", '"again"'))  # a new emission of the name replaces the old one
    assert collector.values()["gap"] == '"again"'


def decode_message(text):
    value = decode(text)
    assert isinstance(value, LoadError), value
    return str(value)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[" * 100_000 + "]" * 100_000,
        json.dumps({"type": "pickle", "data": ""}),
        json.dumps({"type": "npy", "data": "!!!not base64"}),
        json.dumps({"type": "npy", "data": base64.b64encode(b"\x93NUMPY garbage").decode()}),
    ],
)
def test_decode_turns_anything_malformed_into_a_load_error(text):
    assert isinstance(decode(text), LoadError)


def test_decode_refuses_object_arrays_and_pickles():
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    text = json.dumps({"type": "npy", "data": base64.b64encode(buffer.getvalue()).decode()})
    assert isinstance(decode(text), LoadError)
