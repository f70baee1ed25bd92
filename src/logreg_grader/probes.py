"""Getting answers out of a student's kernel as plain data, over the kernel's own messages.

A test's *probe* runs in the student's kernel after the test's visible part. It calls
``emit(name, value)``, which encodes the value as JSON text (numbers and arrays as base64
``.npy`` bytes, no pickles; strings; SymPy expressions as ``srepr`` text; points as a dict of
symbols to numbers) and sends it as ``display_data`` of a private MIME type, cut in parts
smaller than the kernel's message limit. The grader's process collects those parts for the
probe's own execution only (:class:`Collector`), with a cap per value, per test and per
submission, and never decodes them: the text goes, as it came, to the checker, a sandboxed
worker process (``checker``) that decodes it (:func:`decode`) and compares it with the
reference. No file is involved: nothing the kernel can write is ever opened by the grader.

Nothing in the kernel is trusted: a patched NumPy, an object whose ``__eq__`` or
``__array_function__`` lies, or a replaced helper can change what is sent, never how it is
compared. SymPy text is parsed by :func:`parse_srepr`, which builds expressions from a fixed
list of constructors and never calls ``eval``.
"""

import ast
import base64
import binascii
import io
import json
import textwrap

import numpy as np

__all__ = ["MIME", "Budget", "Collector", "LoadError", "decode", "parse_srepr", "probe_code"]

MIME = "application/x-logreg-grader-value+json"
CHUNK_CHARS = 256 * 1024  # characters of a value per message, far below kernel.MAX_MESSAGE_BYTES
MAX_VALUE_CHARS = 4 << 20  # one emitted value, encoded
MAX_TEST_CHARS = 8 << 20  # everything one probe sends
MAX_SUBMISSION_CHARS = 16 << 20  # everything a submission's probes send
MAX_NAME_CHARS = 100
MAX_NAMES = 200  # values one probe may send
PART_OVERHEAD = 100  # what a part costs beyond its text, against the caps
MAX_SREPR_CHARS = 200_000
MAX_NODES = 20_000

_EMITTER = """
def __logreg_probe():
    def emit(name, value):
        import base64 as __b64
        import io as __io
        import json as __json

        from IPython.display import publish_display_data as __publish

        try:
            import numpy as __np
            import sympy as __sp

            if isinstance(value, str):
                record = {"type": "str", "value": value}
            elif isinstance(value, __sp.Basic):
                record = {"type": "sympy", "srepr": __sp.srepr(value)}
            elif isinstance(value, (list, tuple)) and value and all(
                isinstance(v, __sp.Basic) for v in value
            ):
                record = {"type": "sympy_list", "items": [__sp.srepr(v) for v in value]}
            elif isinstance(value, dict):
                record = {"type": "point", "items": {str(k): float(v) for k, v in value.items()}}
            else:
                buffer = __io.BytesIO()
                __np.save(buffer, __np.asarray(value), allow_pickle=False)
                record = {"type": "npy", "data": __b64.b64encode(buffer.getvalue()).decode()}
            text = __json.dumps(record)
        except Exception as exc:
            text = __json.dumps({"type": "error", "message": f"{type(exc).__name__}: {exc}"[:300]})
        if len(text) > {limit}:
            text = f"{len(text):,} characters is too large"
            text = __json.dumps({"type": "error", "message": text})
        parts = [text[i : i + {chunk}] for i in range(0, len(text), {chunk})]
        for i, part in enumerate(parts):
            __publish({"{mime}": {"name": str(name), "part": i, "parts": len(parts), "text": part}})

{body}

__logreg_probe()
del __logreg_probe
"""


def probe_code(probe):
    """The code that runs ``probe`` in the kernel, with ``emit`` sending each value."""
    body = textwrap.indent(probe.strip() + "\n", "    ")
    code = _EMITTER.replace("{limit}", str(MAX_VALUE_CHARS)).replace("{chunk}", str(CHUNK_CHARS))
    return code.replace("{mime}", MIME).replace("{body}", body)


def _error(message):
    return json.dumps({"type": "error", "message": message})


class Budget:
    """What one submission's probes may still send, in characters (shared by its tests)."""

    def __init__(self, chars=MAX_SUBMISSION_CHARS):
        self.left = chars


class Collector:
    """The values one probe sends, reassembled from their parts, as JSON text by name.

    The grader's side of ``emit``: it checks the shape of each part (a name, a part number, a
    count, a string) and the caps, and keeps the text undecoded. A value that breaks a cap, or
    whose parts do not arrive in order, becomes an error record for that value alone.
    """

    def __init__(self, budget=None, test_chars=MAX_TEST_CHARS, value_chars=MAX_VALUE_CHARS):
        self.budget = budget or Budget()
        self.test_left, self.value_chars = test_chars, value_chars
        self.parts = {}  # name -> the parts received so far, or None once the value failed
        self.errors = {}  # name -> why the value failed
        self.expected = {}  # name -> the number of parts announced

    def add(self, data):
        """One ``display_data`` payload of the private MIME type (already parsed by the
        kernel client, and no larger than a kernel message)."""
        if not isinstance(data, dict):
            return
        name, part, count, text = (data.get(k) for k in ("name", "part", "parts", "text"))
        if not (isinstance(name, str) and 0 < len(name) <= MAX_NAME_CHARS):
            return  # no name to blame: the value that lacks it is reported missing
        if not (type(part) is int and type(count) is int and isinstance(text, str)):
            self._fail(name, "was sent in a malformed message")
            return
        if part == 0:  # a new emission of the name replaces an earlier one
            if name not in self.parts and len(self.parts) >= MAX_NAMES:
                return  # a flood of names: the ones a rule needs are reported missing
            self.parts[name], self.expected[name] = [], count
            self.errors.pop(name, None)
        held = self.parts.get(name)
        if held is None:
            return
        if part != len(held) or count != self.expected[name]:
            self._fail(name, "arrived incomplete (a part was lost or out of order)")
            return
        size = len(text) + len(name) + PART_OVERHEAD  # many tiny parts cost too
        if size > self.budget.left or size > self.test_left:
            self._fail(name, "was not received: the answers sent more than the grader accepts")
            return
        self.budget.left -= size
        self.test_left -= size
        if sum(map(len, held)) + len(text) > self.value_chars:
            self._fail(name, f"is larger than {self.value_chars:,} characters once encoded")
            return
        held.append(text)

    def _fail(self, name, why):
        self.parts[name] = None
        self.errors[name] = why

    def values(self):
        """Name -> JSON text of the value (an error record for a value that failed)."""
        out = {}
        for name, held in self.parts.items():
            if held is None:
                out[name] = _error(f"{name} {self.errors[name]}")
            elif len(held) != self.expected[name]:
                out[name] = _error(f"{name} arrived incomplete (a part was lost)")
            else:
                out[name] = "".join(held)
        return out


class LoadError(ValueError):
    """An emitted value that is not plain data of the expected kind."""


def decode(text):
    """The value that ``emit`` encoded as ``text`` (in the checker, never in the grader).

    Arrays come back as NumPy arrays of numbers, strings as ``str``, SymPy values and points as
    their records (parsed later, each in its own process); anything else as a ``LoadError``.
    """
    try:
        if not isinstance(text, str) or len(text) > MAX_VALUE_CHARS + 1000:
            raise LoadError("not a value the grader knows")
        try:
            record = json.loads(text)
        except (ValueError, RecursionError):
            raise LoadError("not a value the grader knows") from None
        kind = record.get("type") if isinstance(record, dict) else None
        if kind == "npy" and isinstance(record.get("data"), str):
            return _array(record["data"])
        if kind == "str" and isinstance(record.get("value"), str):
            return record["value"]
        if kind in ("sympy", "sympy_list", "point"):
            return {"type": kind, **{k: record[k] for k in ("srepr", "items") if k in record}}
        if kind == "error":
            raise LoadError(str(record.get("message"))[:300])
        raise LoadError("not a value the grader knows")
    except LoadError as exc:
        return exc


def _array(data):
    try:
        raw = base64.b64decode(data, validate=True)
        array = np.load(io.BytesIO(raw), allow_pickle=False)
    except (binascii.Error, ValueError, OSError, EOFError) as exc:
        raise LoadError(f"unreadable array ({type(exc).__name__})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise LoadError(f"expected numbers; received an array of dtype {array.dtype}")
    return array


# ---------------------------------------------------------------------------
# A safe reader of SymPy's srepr text.
# ---------------------------------------------------------------------------

_FUNCTIONS = (
    "Symbol Integer Rational Float Add Mul Pow exp log Abs sin cos tan tanh sinh cosh "
    "Max Min KroneckerDelta Tuple"
).split()
_CONSTANTS = {"pi", "E", "oo", "zoo", "nan", "I"}


def parse_srepr(text):
    """The SymPy expression that ``srepr`` text describes, built without ``eval``.

    Only calls of known SymPy constructors on literals are accepted; anything else (attribute
    access, other names, lambdas, comprehensions) raises ``LoadError``.
    """
    import sympy as sp

    if not isinstance(text, str) or len(text) > MAX_SREPR_CHARS:
        raise LoadError("expected SymPy srepr text of reasonable size")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise LoadError("not valid srepr text") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise LoadError("expression too large")

    def build(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            operand = build(node.operand)
            if isinstance(operand, (int, float)):
                return -operand
        if isinstance(node, ast.Name) and node.id in _CONSTANTS:
            return getattr(sp, node.id)
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(build(e) for e in node.elts)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in _FUNCTIONS:
                args = [build(a) for a in node.args]
                kwargs = {k.arg: build(k.value) for k in node.keywords if k.arg}
                if node.func.id == "Symbol":
                    if len(args) != 1 or not isinstance(args[0], str):
                        raise LoadError("a Symbol needs a name")
                    kwargs = {k: v for k, v in kwargs.items() if isinstance(v, bool)}
                return getattr(sp, node.func.id)(*args, **kwargs)
        raise LoadError(f"srepr text may not contain {type(node).__name__} nodes like this one")

    try:
        return build(tree.body)
    except LoadError:
        raise
    except Exception as exc:  # a constructor rejected its arguments
        raise LoadError(f"srepr text does not build an expression ({type(exc).__name__})") from None
