"""Link each page's first mention of a library name to its entry in the API reference (book/api).

    .venv/bin/python tools/api_links.py           # rewrite the markdown cells that need it
    .venv/bin/python tools/api_links.py --check   # list them, exit 1 (tests/book)

A *mention* is an inline code span in a markdown cell that names a public object of ``logreg``
(a name in a module's ``__all__``, or a public module): `LogisticRegression`,
`LogisticRegression(alpha=a)`, `logreg.softmax`, `logreg.regions.region_margin`,
`logreg.calibration`. On each page, the first mention of each object becomes a MyST link to its
entry, ``[`softmax`](#logreg.functions.softmax)``. The target is the object's full name where
the reference documents it (``logreg.softmax`` is ``logreg.functions.softmax``). Why this form:
Sphinx resolves a ``#name`` link through the Python domain (a missing entry fails the strict
build), and jupyterlab-myst shows it as a link with its text, where a ``{py:func}`` role would be
an unknown role shown as raw source.

Left alone: a span right after "scikit-learn's", "SciPy's" or the like (another library's object
of the same name), headings, code blocks and the contents of roles (``{eval}`x```). Only markdown
cells are read or written. After a module is renamed, running this again rewrites the targets.
"""

import argparse
import importlib
import json
import pkgutil
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"

# An inline code span, optionally already the text of a link: [`x`](#target).
SPAN = re.compile(r"(?P<open>\[)?`(?P<code>[^`\n]+)`(?(open)\]\((?P<target>[^)\s]*)\))")
NAME = re.compile(r"(?P<path>[A-Za-z_][\w.]*)(?P<call>\(.*\))?")
FOREIGN = re.compile(r"(scikit-learn|sklearn|SciPy|scipy|NumPy|numpy|SymPy|sympy|PyTorch)['’]s\s*$")
FENCE = re.compile(r"^\s*(```+|~~~+)(.*)$")


def public_modules():
    """The library's public modules, by name (the pages of the API reference)."""
    import logreg

    names = [f"logreg.{m.name}" for m in pkgutil.iter_modules(logreg.__path__)]
    return {n: importlib.import_module(n) for n in names if not n.rsplit(".", 1)[1].startswith("_")}


def entry(obj, name, modules):
    """The full name under which the API reference documents ``obj`` (exported as ``name``)."""
    if isinstance(obj, types.ModuleType):
        return obj.__name__
    homes = [m for m, mod in modules.items() if getattr(mod, name, None) is obj]
    home = getattr(obj, "__module__", None)
    if home not in modules:
        # Not defined in a library module: scikit-learn's NotFittedError is documented with the
        # library's other errors; module data (SOLVERS) where it is defined.
        home = "logreg.exceptions" if "logreg.exceptions" in homes else (homes or [None])[0]
    return f"{home}.{name}" if home else None


def catalog():
    """Every public name (bare and qualified) mapped to its entry; ambiguous bare names left out."""
    import logreg

    modules = public_modules()
    names, bare = {}, {}
    for modname, mod in [("logreg", logreg), *modules.items()]:
        if modname != "logreg":
            names[modname] = modname
        for name in getattr(mod, "__all__", ()):
            target = entry(getattr(mod, name), name, modules)
            names[f"{modname}.{name}"] = target
            bare.setdefault(name, set()).add(target)
    for name, targets in bare.items():
        if len(targets) == 1:
            names[name] = targets.pop()
    return names


def _prose_lines(text):
    """Yield (offset, line) for the lines of ``text`` a link may go in: not in a code block, not
    a heading, not a fence. Directive fences (```{note}) nest; their contents are prose."""
    offset, fences = 0, []  # the open fences: (marker, is a code block)
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line)
        if (
            match
            and fences
            and match.group(1).startswith(fences[-1][0])
            and not match.group(2).strip()
        ):
            fences.pop()
        elif match and not (fences and fences[-1][1]):
            fences.append((match.group(1), not match.group(2).strip().startswith("{")))
        elif not (fences and fences[-1][1]) and not line.lstrip().startswith("#"):
            yield offset, line
        offset += len(line)


def mentions(text, names):
    """The mentions in one markdown cell: (start, end, code, target it needs, target it has)."""
    found = []
    for offset, line in _prose_lines(text):
        for span in SPAN.finditer(line):
            code = span.group("code")
            match = NAME.fullmatch(code)
            if not match or match.group("path") not in names:
                continue
            before = line[: span.start()]
            if before.endswith("}") or FOREIGN.search(text[: offset + span.start()]):
                continue
            found.append(
                (
                    offset + span.start(),
                    offset + span.end(),
                    code,
                    names[match.group("path")],
                    (span.group("target") or "").removeprefix("#") or None,
                )
            )
    return found


def link_first_mentions(cells, names):
    """Rewrite ``cells`` (markdown sources) so that each object's first mention links to it.

    ``cells`` is a list of (cell number, source); returns the new sources and what was wrong.
    """
    seen, problems, out = set(), [], []
    for index, text in cells:
        edits = []
        for start, end, code, target, has in mentions(text, names):
            if target in seen:
                continue
            seen.add(target)
            if has != target:
                problems.append(f"cell {index}: `{code}` should link to #{target}")
                edits.append((start, end, f"[`{code}`](#{target})"))
        for start, end, new in reversed(edits):
            text = text[:start] + new + text[end:]
        out.append(text)
    return out, problems


def _source_json(lines):
    """A cell's source as it appears in a notebook saved by JupyterLab (indent 1)."""
    return json.dumps(lines, indent=1, ensure_ascii=False).replace("\n", "\n   ")


def process(path, names, write):
    text = path.read_text(encoding="utf-8")
    nb = json.loads(text)
    markdown = [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]
    new, problems = link_first_mentions([(i, "".join(c["source"])) for i, c in markdown], names)
    if problems and write:
        # Only the markdown sources change: the rest of the file is kept byte for byte.
        for (_, cell), source in zip(markdown, new, strict=True):
            old = _source_json(cell["source"])
            if "".join(cell["source"]) != source:
                if text.count(old) != 1:
                    raise SystemExit(f"{path}: cannot find one copy of a markdown cell to rewrite")
                text = text.replace(old, _source_json(source.splitlines(keepends=True)))
        path.write_text(text, encoding="utf-8")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="list what needs a link; exit 1")
    args = parser.parse_args(argv)
    names = catalog()
    failed = False
    for path in sorted(BOOK.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for problem in process(path, names, write=not args.check):
            failed = True
            print(f"{path.relative_to(ROOT)}: {problem}")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
