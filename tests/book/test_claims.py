"""Every sentence that says how a computation behaves is checked, on every draw of the data.

A page that says "diverges", "oscillates", "is faster" or "recovers the weights" states a
property of the method, and a reader takes it as one. This test finds such sentences in the
prose of every notebook (outside theorem and proof boxes, which are proved, and exercise
statements, which ask) and requires an ``assert`` in the code cell that directly follows the
markdown cell: a reader (or a reviewer's script) looks for the check right after the sentence.
Solutions of exercises count as prose. The one exception is a sentence that is worded as an
observation of the run shown ("on this split ...") and takes its numbers from the run (an
``{eval}`` value in the same cell): it draws no general lesson, so there is nothing to assert.

What the assert checks must hold on every draw, not only on the seeds the page shows: `make test`
runs the pages with every literal seed shifted (book/conftest.py), and `make robustness` under
several offsets. So that a shift reaches all of a page's randomness, every call that draws random
numbers passes its seed explicitly (no library default), and since a busy machine changes
wall-clock times, no page measures them: compare iterations, gradient evaluations or flops.
"""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(ROOT.glob("book/**/*.ipynb"))

# "divergence" alone is left out: the noun names a quantity (the KL divergence), not a behaviour;
# "diverges", "diverged", "diverging" and "divergent" are claims.
BEHAVIOUR = re.compile(
    r"\b(diverg(?!ences?\b)\w*|explod\w*|blows? up|blow-up|oscillat\w*|overshoot\w*|faster|"
    r"fastest|slower|slowest|orders? of magnitude|recover\w*|converg\w*|(?:more|less) accurate|"
    r"hover\w*|stall\w*|jitter\w*|plateau\w*|levels? off|decreas\w*|increas\w*|outperform\w*|"
    r"beats?)\b",
    re.IGNORECASE,
)
FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*(?:\{([\w:-]+)\})?")
MATH = re.compile(r"\$\$.*?\$\$|\$[^$]+?\$", re.DOTALL)  # inline math may span lines
INLINE_CODE = re.compile(r"`[^`\n]+`")
# "On this split, ...": an observation of the run shown, with its numbers glued.
OBSERVATION = re.compile(
    r"\b(?:on|in|for|with) this (?:run|split|draw|sample|seed|training set|test set|data set)\b",
    re.IGNORECASE,
)


def _kind(directive):
    """How a fenced body counts: code, exempt (proved statements, questions), or prose."""
    if directive is None:
        return "code"
    if directive.startswith("prf:") or directive == "exercise":
        return "exempt"
    return "prose"  # solutions, admonitions, margins, dropdowns: they can make claims


def prose(markdown):
    """The text of a markdown cell that can make a claim about a computation."""
    kept, stack = [], []  # stack of (fence, kind) for the open fenced blocks
    for line in markdown.splitlines():
        if stack and line.strip() == stack[-1][0]:
            stack.pop()
            continue
        hidden = any(kind != "prose" for _, kind in stack)
        match = FENCE.match(line)
        if match and not (stack and stack[-1][1] == "code"):
            stack.append((match.group(1), _kind(match.group(2))))
            continue
        if not hidden and not re.match(r"^\s*:\w[\w-]*:", line):  # skip directive options
            kept.append(line)
    text = "\n".join(kept)
    for pattern in (MATH, INLINE_CODE):
        text = pattern.sub(" ", text)
    return text


def unasserted_claims(cells):
    """(cell index, snippet) for each markdown cell whose claim the next cell, a code cell, does
    not assert."""
    found = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        text = prose(source)
        match = BEHAVIOUR.search(text)
        if not match:
            continue
        if OBSERVATION.search(text) and "{eval}`" in source:
            continue  # an observation of this run, its numbers glued: no general claim
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        checked = nxt is not None and nxt["cell_type"] == "code"
        if not (checked and re.search(r"^\s*assert\b", "".join(nxt["source"]), re.MULTILINE)):
            snippet = " ".join(text[max(0, match.start() - 60) : match.end() + 40].split())
            found.append((i, snippet))
    return found


def code_cells(path):
    """(cell index, source) of each code cell, IPython magics and shell lines made `pass`."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            yield i, re.sub(r"^(\s*)[%!].*$", r"\1pass", source, flags=re.MULTILINE)


# Calls that draw random numbers: each must be given its seed (the library's and scikit-learn's
# defaults are fixed seeds or fresh entropy, which a shift of the page's seeds cannot reach).
SEEDED = {
    "make_blobs",
    "make_moons",
    "make_classification",
    "train_test_split",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "TwoLayerClassifier",
}
# Demo helpers whose default seed matters only for the stochastic solver.
SEEDED_IF_SGD = {"record_training"}
WALL_CLOCK = re.compile(
    r"\b(?:time\.(?:time|perf_counter|monotonic|process_time)(?:_ns)?|timeit|default_timer)\b"
)


def unseeded_calls(source):
    """Names of random draws in `source` that rely on a default seed."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg for k in node.keywords}
        seeded = "random_state" in keywords or None in keywords
        if name in SEEDED and not seeded:
            found.append(name)
        elif name in SEEDED_IF_SGD and not seeded:
            solver = next((k.value for k in node.keywords if k.arg == "solver"), None)
            if not (isinstance(solver, ast.Constant) and solver.value != "sgd"):
                found.append(name)
        elif name == "default_rng" and not node.args and "seed" not in keywords:
            found.append("default_rng()")
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and func.value.attr == "random"
            and getattr(func.value.value, "id", "") in ("np", "numpy")
            and name not in ("default_rng", "Generator", "SeedSequence", "PCG64")
        ):
            found.append(f"np.random.{name}")  # the legacy global generator
        elif (
            name in ("KFold", "StratifiedKFold")
            and any(k.arg == "shuffle" for k in node.keywords)
            and "random_state" not in keywords
        ):
            found.append(name)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_random_draw_is_seeded_on_the_page(path):
    problems = [
        f"cell {i}: {name}" for i, source in code_cells(path) for name in unseeded_calls(source)
    ]
    assert not problems, (
        "random draws without an explicit seed (pass random_state=... or seed=..., so that the "
        "shifted-seed run reaches them): " + "; ".join(problems)
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_page_measures_wall_clock_time(path):
    found = [f"cell {i}" for i, source in code_cells(path) if WALL_CLOCK.search(source)]
    assert not found, (
        "wall-clock timing on a page (a busy machine changes it; compare iterations, gradient "
        "evaluations or flops instead): " + ", ".join(found)
    )


def test_notebooks_were_found():
    assert len(NOTEBOOKS) >= 15


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_behaviour_claims_are_asserted(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = unasserted_claims(cells)
    assert not found, "claims with no assert in the code cell that follows: " + "; ".join(
        f"cell {i}: ...{snippet}..." for i, snippet in found
    )


def _cells(*sources):
    return [
        {
            "cell_type": "code" if s.startswith("CODE:") else "markdown",
            "source": [s[5:] if s.startswith("CODE:") else s],
        }
        for s in sources
    ]


def test_the_rule_catches_what_it_is_for():
    claim = "A step this large makes the objective oscillate."
    assert unasserted_claims(_cells(claim, "CODE:plt.plot(x)"))
    assert unasserted_claims(_cells(claim, "## Next section"))
    assert not unasserted_claims(_cells(claim, "CODE:assert rises > 0", "CODE:plt.plot(x)"))
    # the check belongs in the cell right after the sentence, not in a later one
    assert unasserted_claims(_cells(claim, "CODE:run()", "CODE:assert rises > 0"))
    # proved statements and questions are not claims about a run
    theorem = "```{prf:theorem} T\n:label: t\nThe iterates diverge when...\n```"
    question = "```{exercise}\n:label: e\nDoes it converge faster?\n```"
    assert not unasserted_claims(_cells(theorem, "CODE:x = 1"))
    assert not unasserted_claims(_cells(question, "CODE:x = 1"))
    # but a solution is prose, and inline math or code never hides a claim in the text around it
    solution = "```{solution} e\n:class: dropdown\nYes, by orders of magnitude.\n```"
    assert unasserted_claims(_cells(solution, "CODE:x = 1"))
    assert unasserted_claims(_cells("With $\\eta$ `lr` the loss converges.", "CODE:x = 1"))
    assert unasserted_claims(_cells("Past this step the iterates diverge.", "CODE:x = 1"))
    assert not unasserted_claims(_cells("The KL divergence is never negative.", "CODE:x = 1"))
    # an observation of the run shown, with glued numbers, needs no assert; without them it does
    observed = "On this split the recall rises from {eval}`r0` to {eval}`r1`, an increase."
    assert not unasserted_claims(_cells(observed, "CODE:x = 1"))
    assert unasserted_claims(_cells("On this split the recall increases.", "CODE:x = 1"))


def test_the_seed_and_clock_rules_catch_what_they_are_for():
    assert unseeded_calls("X, y = datasets.make_blobs(40, 3)") == ["make_blobs"]
    assert not unseeded_calls("X, y = datasets.make_blobs(40, 3, random_state=2)")
    assert unseeded_calls("a, b = train_test_split(X, y, test_size=0.2)") == ["train_test_split"]
    assert unseeded_calls("rng = np.random.default_rng()") == ["default_rng()"]
    assert not unseeded_calls("rng = np.random.default_rng(seed=3)")
    assert unseeded_calls("x = np.random.normal(size=3)") == ["np.random.normal"]
    assert unseeded_calls("cv = KFold(5, shuffle=True)") == ["KFold"]
    assert not unseeded_calls("model = TwoLayerClassifier(**options)")
    assert unseeded_calls('record_training(X, y, solver="sgd", n_iter=5)') == ["record_training"]
    assert unseeded_calls("record_training(X, y, solver=name)") == ["record_training"]
    assert not unseeded_calls('record_training(X, y, solver="gd", n_iter=5)')
    assert WALL_CLOCK.search("start = time.perf_counter()")
    assert not WALL_CLOCK.search("n_iter = model.n_iter_[0]  # iterations, not time")
