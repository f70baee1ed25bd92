"""Every sentence that says how a computation behaves is followed by a cell that asserts it.

A page that says "diverges", "oscillates", "is faster" or "recovers the weights" makes a
claim about the run it shows, and claims written before the measurement have been wrong.
This test finds such sentences in the prose of every notebook (outside theorem and proof
boxes, which are proved, and exercise statements, which ask) and requires an ``assert`` in
the code cell that directly follows the markdown cell: a reader (or a reviewer's script) looks
for the check right after the sentence, not two cells further down. Solutions of
exercises count as prose: a numeric or behavioural answer is computed by an asserting cell
(the ``solution-start`` / ``solution-end`` form lets a solution contain one).
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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
        text = prose("".join(cell["source"]))
        match = BEHAVIOUR.search(text)
        if not match:
            continue
        nxt = cells[i + 1] if i + 1 < len(cells) else None
        checked = nxt is not None and nxt["cell_type"] == "code"
        if not (checked and re.search(r"^\s*assert\b", "".join(nxt["source"]), re.MULTILINE)):
            snippet = " ".join(text[max(0, match.start() - 60) : match.end() + 40].split())
            found.append((i, snippet))
    return found


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
