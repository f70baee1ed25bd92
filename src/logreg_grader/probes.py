"""Getting answers out of a student's kernel as plain data.

A test's *probe* runs in the student's kernel after the test's visible part. It calls
``emit(name, value)``, which writes the value to a file in a fresh folder: numbers and arrays
as ``.npy`` (no pickles), strings, SymPy expressions (as ``srepr`` text) and points (a dict of
symbols to numbers) as JSON. The grader then reads the files in its own process, without
trusting anything in the kernel: a patched NumPy, an object whose ``__eq__`` or
``__array_function__`` lies, or a replaced helper can change what is written, never how it is
compared. SymPy text is parsed by :func:`parse_srepr`, which builds expressions from a fixed
list of constructors and never calls ``eval``.
"""

import ast
import json
import textwrap
from pathlib import Path

import numpy as np

__all__ = ["LoadError", "load_values", "parse_srepr", "probe_code"]

MAX_FILE_BYTES = 50_000_000
MAX_SREPR_CHARS = 200_000
MAX_NODES = 20_000

_EMITTER = """
def __logreg_probe(__out):
    import json as __json
    import os as __os

    def emit(name, value):
        path = __os.path.join(__out, name)
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
                __np.save(path + ".npy", __np.asarray(value), allow_pickle=False)
                return
        except Exception as exc:
            record = {"type": "error", "message": f"{type(exc).__name__}: {exc}"[:300]}
        with open(path + ".json", "w") as f:
            __json.dump(record, f)

{body}

__logreg_probe({out!r})
del __logreg_probe
"""


def probe_code(probe, out_dir):
    """The code that runs ``probe`` in the kernel with ``emit`` writing into ``out_dir``."""
    body = textwrap.indent(probe.strip() + "\n", "    ")
    return _EMITTER.replace("{body}", body).replace("{out!r}", repr(str(out_dir)))


class LoadError(ValueError):
    """An emitted value that is not plain data of the expected kind."""


def load_values(out_dir):
    """Every value emitted into ``out_dir``, as plain Python/NumPy/SymPy data, by name.

    A value that could not be read becomes a ``LoadError`` (so a rule can say why it failed).
    """
    values = {}
    for path in sorted(Path(out_dir).iterdir()):
        name = path.stem
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise LoadError(f"{path.stat().st_size:,} bytes is too large")
            if path.suffix == ".npy":
                array = np.load(path, allow_pickle=False)
                if array.dtype.kind not in "biuf":
                    raise LoadError(f"expected numbers; received an array of dtype {array.dtype}")
                values[name] = array
            elif path.suffix == ".json":
                values[name] = _from_record(json.loads(path.read_text(encoding="utf-8")))
        except LoadError as exc:
            values[name] = exc
        except Exception as exc:  # a corrupt file is the submission's problem, not a crash
            values[name] = LoadError(f"unreadable ({type(exc).__name__})")
    return values


def _from_record(record):
    kind = record.get("type") if isinstance(record, dict) else None
    if kind == "str" and isinstance(record.get("value"), str):
        return record["value"]
    if kind in ("sympy", "sympy_list", "point"):
        return {"type": kind, **{k: record[k] for k in ("srepr", "items") if k in record}}
    if kind == "error":
        raise LoadError(str(record.get("message"))[:300])
    raise LoadError("not a value the grader knows")


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
    except (SyntaxError, ValueError):
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
