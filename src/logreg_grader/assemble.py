"""What the grader runs for one submission: the instructor's notebook with the student's answers.

The instructor's cells (set-up, visible tests) are taken from the instructor's notebook, so a
submission that edits or deletes them changes nothing. The student's answer cells are found by
grade id; the student's own extra code cells (helpers) run where the student put them. A grade
id that appears in several cells is reported, and the first copy that is not the untouched stub
is graded.
"""

from dataclasses import dataclass, field

from .editions import is_answer, is_test, is_written, nbgrader_meta

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
    notes: list = field(default_factory=list)
    missing: set = field(default_factory=set)  # grade ids of answers the submission lacks
    written: dict = field(default_factory=dict)  # grade id -> the student's written answer


def _is_stub(source):
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()]
    return not lines or lines == ["# YOUR CODE HERE", "raise NotImplementedError()"]


def assemble(assignment, submission):
    """The steps to run for ``submission`` (a notebook) of ``assignment``."""
    instructor = assignment.notebook.cells
    owned_ids = {c.get("id") for c in instructor if c.get("id") and not is_answer(c)}
    grade_ids = {nbgrader_meta(c).get("grade_id") for c in instructor if nbgrader_meta(c)}
    index_of = {}
    for i, cell in enumerate(instructor):
        if nbgrader_meta(cell).get("grade_id"):
            index_of[("grade", nbgrader_meta(cell)["grade_id"])] = i
        if cell.get("id"):
            index_of[("id", cell["id"])] = i

    result = Assembled()
    copies = {}  # answer grade id -> the student's cells that carry it, in order
    extra_after = {}  # instructor cell index -> the student's extra code cells after it
    anchor = -1
    for position, cell in enumerate(submission.cells, start=1):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in assignment.answers and cell["cell_type"] == "code":
            copies.setdefault(grade_id, []).append((position, cell["source"]))
            anchor = index_of[("grade", grade_id)]
        elif grade_id in assignment.written and cell["cell_type"] == "markdown":
            result.written.setdefault(grade_id, cell["source"])
            anchor = index_of[("grade", grade_id)]
        elif grade_id in grade_ids:
            anchor = index_of[("grade", grade_id)]  # an instructor cell: its own version runs
        elif cell.get("id") in owned_ids:
            anchor = index_of[("id", cell["id"])]
        elif cell["cell_type"] == "code" and cell["source"].strip():
            extra_after.setdefault(anchor, []).append((position, cell["source"]))

    chosen = {}
    for grade_id, cells in copies.items():
        pick = next(((p, s) for p, s in cells if not _is_stub(s)), cells[0])
        chosen[grade_id] = pick[1]
        if len(cells) > 1:
            result.notes.append(
                f"{len(cells)} cells carry the grade id {grade_id} (cells "
                f"{', '.join(str(p) for p, _ in cells)}); graded cell {pick[0]}, the first that "
                "is not the untouched stub, and ignored the others"
            )
    result.missing = set(assignment.answers) - set(chosen)
    for grade_id in sorted(result.missing):
        result.notes.append(f"no cell carries the grade id {grade_id}: that answer is missing")

    def add_extras(index):
        for position, source in extra_after.get(index, []):
            result.steps.append(Step("code", source, f"your cell {position}"))

    add_extras(-1)
    for i, cell in enumerate(instructor):
        grade_id = nbgrader_meta(cell).get("grade_id")
        if is_answer(cell):
            source = chosen.get(grade_id, "raise NotImplementedError()\n")
            result.steps.append(Step("code", source, f"answer {grade_id}"))
        elif is_test(cell):
            test = next(t for t in assignment.tests if t.grade_id == grade_id)
            result.steps.append(Step("test", test.visible, f"test {grade_id}", test))
        elif cell["cell_type"] == "code" and not is_written(cell):
            result.steps.append(Step("code", cell["source"], f"set-up cell {i + 1}"))
        add_extras(i)
    extras = sum(len(v) for v in extra_after.values())
    if extras:
        result.notes.append(f"ran {extras} extra code cell(s) of yours where you placed them")
    return result
