"""What the grader runs for one submission: the instructor's notebook with the student's cells.

The order is the instructor's: set-up cells, answers and visible tests run where the instructor
put them, and the student's own extra code cells (helpers) run where the student put them,
after the cell they follow. Which version of each cell runs:

- **visible tests** are always the instructor's (an edited or emptied check changes nothing);
- **set-up cells** run as the student wrote them: an import a student added is kept, as Jupyter
  and nbgrader keep it, and the notes say that the cell differs from the one handed out. A
  set-up cell the student deleted runs the instructor's copy, with a note. Cells whose
  instructor metadata carries ``logreg_homework.variant`` (a student's own data) always run the
  instructor's copy. Set-up cells are matched by cell id; in a notebook without ids (nbformat
  4.4) by position, between the same graded cells (``_pair_by_position``);
- **answers** are found by grade id. When several cells carry one grade id (JupyterLab's "Split
  Cell" copies the metadata to both halves; an old attempt kept above a fixed copy), every copy
  that is not the untouched stub runs, in the student's order, at the answer's place, as Run
  All would: the last copy's definitions are the ones graded. An answer whose grade id no cell
  carries (written in a new cell) runs nothing in its place: the student's own cells run where
  they put them and the tests judge what they define.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .editions import GRADER_KEY, is_answer, is_test, nbgrader_meta

__all__ = ["Step", "assemble"]


@dataclass
class Step:
    kind: str  # "code" (run it) or "test" (run its visible part, then the probe)
    source: str = ""
    label: str = ""
    test: object = None


@dataclass
class Assembled:
    steps: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # for the student
    details: list = field(default_factory=list)  # for the instructor only
    missing: set = field(default_factory=set)  # grade ids of answers no cell carries
    written: dict = field(default_factory=dict)  # grade id -> the student's written answer


def _is_stub(source):
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    return not lines or lines == ["# YOUR CODE HERE", "raise NotImplementedError()"]


def _is_setup(cell):
    return cell["cell_type"] == "code" and not is_answer(cell) and not is_test(cell)


def _is_variant(cell):
    spec = cell.get("metadata", {}).get(GRADER_KEY, {})
    return isinstance(spec, dict) and bool(spec.get("variant"))


def _same(a, b):
    return a.strip() == b.strip()


def _segments(instructor):
    """Instructor set-up cell indices by segment: the index of the graded cell before them."""
    segments, last = {}, -1
    for i, cell in enumerate(instructor):
        if nbgrader_meta(cell).get("grade_id"):
            last = i
        elif _is_setup(cell):
            segments.setdefault(last, []).append(i)
    return segments


def _pair_by_position(instructor, setups, cells):
    """Pair a segment's student cells (position, source) with its set-up cell indices.

    Cells equal to a handed-out set-up cell pair with it, in order. If as many cells as set-up
    cells remain, they pair in order (the edited ones); otherwise each remaining set-up cell
    pairs with the remaining cell most like it, if one is mostly the same text (an edited
    cell beside a new helper). Returns {set-up index: cell}."""
    pairs, last = {}, -1
    for cell in cells:
        match = next(
            (
                i
                for i in setups
                if i > last and i not in pairs and _same(instructor[i]["source"], cell[1])
            ),
            None,
        )
        if match is not None:
            pairs[match], last = cell, match
    rest_cells = [c for c in cells if c not in pairs.values()]
    rest_setups = [i for i in setups if i not in pairs]
    if len(rest_cells) == len(rest_setups):
        pairs.update(zip(rest_setups, rest_cells, strict=True))
        return pairs
    for i in rest_setups:
        # Bounded: the comparison runs in the grader's own process, on text the student chose.
        size = 2 * len(instructor[i]["source"]) + 200
        likeness = {
            c: SequenceMatcher(None, instructor[i]["source"], c[1]).ratio()
            for c in rest_cells[:50]
            if len(c[1]) <= size
        }
        best = max(likeness, key=likeness.get, default=None)
        if best is not None and likeness[best] >= 0.6:
            pairs[i] = best
            rest_cells.remove(best)
    return pairs


def _scan(assignment, submission, result):
    """The student's cells: answer copies, set-up versions, and extra cells by the instructor
    cell they run after (-1: before all)."""
    instructor = assignment.notebook.cells
    grade_index = {}
    for i, cell in enumerate(instructor):
        if nbgrader_meta(cell).get("grade_id"):
            grade_index[nbgrader_meta(cell)["grade_id"]] = i
    setup_ids = {c["id"]: i for i, c in enumerate(instructor) if _is_setup(c) and c.get("id")}
    by_id = any(c.get("id") in setup_ids for c in submission.cells if c["cell_type"] == "code")

    copies, setups, loose = {}, {}, []  # loose: (anchor, position, source), in order
    anchor = -1
    for position, cell in enumerate(submission.cells, start=1):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in assignment.answers and cell["cell_type"] == "code":
            copies.setdefault(grade_id, []).append((position, cell["source"]))
            anchor = grade_index[grade_id]
        elif grade_id in assignment.written and cell["cell_type"] == "markdown":
            result.written.setdefault(grade_id, cell["source"])
            anchor = grade_index[grade_id]
        elif grade_id in grade_index:
            anchor = grade_index[grade_id]  # an instructor cell: its own version runs
        elif by_id and cell.get("id") in setup_ids and cell["cell_type"] == "code":
            anchor = setup_ids[cell["id"]]
            setups.setdefault(anchor, (position, cell["source"]))
        elif cell["cell_type"] == "code" and cell["source"].strip():
            loose.append((anchor, position, cell["source"]))

    if not by_id:  # no ids to match by: pair each segment's cells with its set-up cells
        for segment, indices in _segments(instructor).items():
            cells = [(p, s) for a, p, s in loose if a == segment]
            setups.update(_pair_by_position(instructor, indices, cells))
        # A cell that follows a paired set-up cell runs after it.
        paired_at = {p: i for i, (p, _) in setups.items()}
        placed, segment, current = [], None, -1
        for a, position, source in loose:
            if a != segment:
                segment, current = a, a
            if position in paired_at:
                current = paired_at[position]
            else:
                placed.append((current, position, source))
        loose = placed
    extras = {}
    for a, position, source in loose:
        extras.setdefault(a, []).append((position, source, f"your cell {position}"))
    return copies, setups, extras


def _setup_step(index, cell, mine, notes):
    """The set-up cell at ``index``: the student's version (position, source) or the handed-out."""
    handed_out = Step("code", cell["source"], f"set-up cell {index + 1}")
    if mine is None:
        notes.append(
            f"the handed-out set-up cell {index + 1} was not found in your notebook (deleted, or "
            "changed beyond recognition); the handed-out copy ran"
        )
        return handed_out
    position, source = mine
    if _same(source, cell["source"]):
        return Step("code", source, f"set-up cell {position}")
    if _is_variant(cell):
        notes.append(
            f"your set-up cell {position} holds your own variant's data and differs from the one "
            "handed out; the handed-out copy ran"
        )
        return handed_out
    notes.append(
        f"your set-up cell {position} differs from the one handed out; it ran as you wrote it"
    )
    return Step("code", source, f"set-up cell {position}")


def _duplicate_note(grade_id, cells, chosen):
    head = (
        f"{len(cells)} cells carry the grade id {grade_id} "
        f"(cells {', '.join(str(p) for p, _ in cells)})"
    )
    if len(chosen) > 1:
        return (
            f"{head}; cells {', '.join(str(p) for p, _ in chosen)} ran in your order at the "
            "answer's place, as Run All would, so the last one's definitions are graded"
        )
    if _is_stub(chosen[0][1]):
        return f"{head}; all of them are the untouched stub"
    return f"{head}; cell {chosen[0][0]} ran, and the untouched stubs did not"


def assemble(assignment, submission):
    """The steps to run for ``submission`` (a notebook) of ``assignment``."""
    instructor = assignment.notebook.cells
    result = Assembled()
    meta = submission.metadata.get(GRADER_KEY)
    if not isinstance(meta, dict) or meta.get("assignment") != assignment.name:
        result.notes.append(
            "the notebook's metadata does not name its assignment; it was recognized as "
            f"{assignment.name} by its cells' grade ids"
        )
    copies, setups, extras = _scan(assignment, submission, result)
    result.missing = set(assignment.answers) - set(copies)
    for grade_id in sorted(result.missing):
        result.notes.append(
            f"the graded cell for {grade_id} was not found (no cell carries that grade id); "
            "your own cells ran where you placed them, and the tests judge what they define"
        )

    def run(cells):
        for _, source, label in sorted(cells):
            result.steps.append(Step("code", source, label))

    run(extras.get(-1, []))
    for i, cell in enumerate(instructor):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_answer(cell):
            cells = copies.get(grade_id, [])
            chosen = [c for c in cells if not _is_stub(c[1])] or cells[:1]
            if len(cells) > 1:
                result.notes.append(_duplicate_note(grade_id, cells, chosen))

            name = f"answer {grade_id}"
            several = len(cells) > 1
            chosen = [(p, s, f"your cell {p} ({name})" if several else name) for p, s in chosen]
            run(chosen + extras.get(i, []))
            continue
        if is_test(cell):
            test = next(t for t in assignment.tests if t.grade_id == grade_id)
            result.steps.append(Step("test", test.visible, f"test {grade_id}", test))
        elif _is_setup(cell):
            result.steps.append(_setup_step(i, cell, setups.get(i), result.notes))
        run(extras.get(i, []))
    ran = sum(len(cells) for cells in extras.values())
    if ran:  # nbgrader's header cell is one: the student need not read about it
        result.details.append(f"ran {ran} extra code cell(s) of the student's where they are")
    return result
