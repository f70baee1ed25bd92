"""logreg_grader.assemble and identify: what runs when a submission is graded, without a kernel."""

import json

import nbformat
import pytest
from _homework import SOURCE, instructor

from logreg_grader import load_assignments
from logreg_grader.assemble import assemble
from logreg_grader.assignments import SubmissionError, identify
from logreg_grader.editions import GRADER_KEY, nbgrader_meta, student_edition

ASSIGNMENTS = load_assignments(SOURCE)
HW1 = ASSIGNMENTS["hw1_gradient"]
STUB = "# YOUR CODE HERE\nraise NotImplementedError()\n"


def _student():
    return student_edition(instructor("hw1_gradient"))


def _index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == grade_id)


def _copy(cell, source, cell_id):
    twin = nbformat.from_dict(json.loads(json.dumps(cell)))
    twin.source, twin.id = source, cell_id
    return twin


def test_tests_are_the_instructors_and_set_up_cells_the_students():
    nb = instructor("hw1_gradient")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "pass  # a student who emptied the check"
        if cell.get("id") == "c001":
            cell.source += "from logreg import log_softmax  # a student who added an import\n"
    nb.cells.insert(3, nbformat.v4.new_code_cell("helper = 1"))
    position = 1 + next(i for i, c in enumerate(nb.cells) if c.get("id") == "c001")
    result = assemble(HW1, nb)
    sources = [s.source for s in result.steps]
    assert "helper = 1" in sources  # the student's own cell runs
    assert not any("emptied the check" in s for s in sources)  # the instructor's checks run
    assert any("added an import" in s for s in sources)  # the student's set-up cell runs
    assert (
        f"your set-up cell {position} differs from the one handed out; it ran as you wrote it"
        in (result.notes)
    )
    tests = [s for s in result.steps if s.kind == "test"]
    assert [t.test.grade_id for t in tests] == ["hw1_q1a", "hw1_q1b", "hw1_q1c", "hw1_q2", "hw1_q3"]
    assert all("HIDDEN" not in t.source for t in tests)
    assert not result.notes[1:]  # nothing about the extra cell for the student
    assert result.details == ["ran 1 extra code cell(s) of the student's where they are"]


def test_the_instructors_own_notebook_runs_unchanged_without_notes():
    result = assemble(HW1, HW1.notebook)
    code = [c for c in HW1.notebook.cells if c.cell_type == "code"]
    assert [s.source for s in result.steps if s.kind == "code"] == [
        c.source for c in code if not nbgrader_meta(c).get("grade")
    ]
    assert result.notes == [] and result.details == []


def test_a_deleted_set_up_cell_runs_the_handed_out_copy_with_a_note():
    nb = _student()
    nb.cells = [c for c in nb.cells if c.get("id") != "c004"]  # the symbols cell
    result = assemble(HW1, nb)
    symbols = next(c for c in HW1.notebook.cells if c.get("id") == "c004")
    assert symbols.source in [s.source for s in result.steps]
    position = 1 + HW1.notebook.cells.index(symbols)
    assert any(f"handed-out set-up cell {position} was not found" in n for n in result.notes)


def test_a_variant_cell_always_runs_the_instructors_copy():
    assignment = load_assignments(SOURCE)["hw1_gradient"]
    cell = next(c for c in assignment.notebook.cells if c.get("id") == "c004")
    cell.metadata[GRADER_KEY] = {"variant": True}
    nb = _student()
    mine = next(c for c in nb.cells if c.get("id") == "c004")
    mine.source = "p_j = 1  # my own data"
    result = assemble(assignment, nb)
    sources = [s.source for s in result.steps]
    assert cell.source in sources and mine.source not in sources
    assert any("variant" in n and "handed-out copy ran" in n for n in result.notes)


def test_every_copy_of_an_answer_runs_in_the_students_order_at_the_answers_place():
    nb = _student()
    i = _index(nb, "hw1_q2_answer")
    nb.cells[i].source = "old = 1"
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell("between = 1"))
    nb.cells.insert(i + 2, _copy(nb.cells[i], STUB, "stub"))
    nb.cells.insert(i + 3, _copy(nb.cells[i], "new = 1", "fixed"))
    result = assemble(HW1, nb)
    labels = [s.label for s in result.steps]
    start = labels.index(f"your cell {i + 1} (answer hw1_q2_answer)")
    assert [s.source for s in result.steps[start : start + 3]] == [
        "old = 1",
        "between = 1",
        "new = 1",
    ]
    assert result.steps[start + 3].label == "test hw1_q2"
    assert not any(s.source == STUB for s in result.steps[start - 1 : start + 4])
    assert any(
        n.startswith("3 cells carry the grade id hw1_q2_answer")
        and "the last one's definitions are graded" in n
        for n in result.notes
    )


def test_a_missing_answer_runs_no_stub_and_says_the_students_cells_ran():
    nb = _student()
    i = _index(nb, "hw1_q3_answer")
    nb.cells[i] = nbformat.v4.new_code_cell("def numerical_gradient(f, x, h=1e-6):\n    return x\n")
    result = assemble(HW1, nb)
    assert result.missing == {"hw1_q3_answer"}
    assert f"your cell {i + 1}" in [s.label for s in result.steps]
    assert not any("NotImplementedError" in s.source for s in result.steps[-3:])
    (note,) = [n for n in result.notes if "hw1_q3_answer" in n]
    assert "your own cells ran" in note and "missing" not in note


def test_without_cell_ids_set_up_cells_pair_by_position():
    nb = _student()
    for cell in nb.cells:
        cell.pop("id", None)
    k = next(i for i, c in enumerate(HW1.notebook.cells) if c.get("id") == "c001")
    nb.cells[k].source += "from logreg import log_softmax\n"  # the import cell, edited
    nb.cells.insert(k + 1, nbformat.v4.new_code_cell("helper = 1"))  # and a helper after it
    result = assemble(HW1, nb)
    sources = [s.source for s in result.steps]
    # the set-up cells up to the import cell, the helper, then the symbols cell (after a heading)
    assert sources[: k + 1] == [c.source for c in nb.cells[2 : k + 1]] + [
        "helper = 1",
        nb.cells[k + 3].source,
    ]
    assert not any("not found" in n for n in result.notes)
    # nbgrader's header cell above everything: an extra cell, run first, and no note about it.
    nb.cells.insert(0, nbformat.v4.new_code_cell('NAME = ""\nCOLLABORATORS = ""'))
    result = assemble(HW1, nb)
    assert result.steps[0].source.startswith("NAME") and sources[1] == result.steps[2].source
    assert not any("extra" in n for n in result.notes)


def test_lost_notebook_metadata_is_recovered_from_the_grade_ids_of_one_assignment():
    nb = _student()
    nb.metadata = nbformat.from_dict({})
    assert identify(nb, ASSIGNMENTS, "hw1_gradient") is ASSIGNMENTS["hw1_gradient"]
    assert any("recognized as hw1_gradient" in n for n in assemble(HW1, nb).notes)
    other = student_edition(instructor("hw2_training"))
    other.metadata[GRADER_KEY] = {"assignment": ""}
    with pytest.raises(SubmissionError, match="submission for hw2_training, not for hw1_gradient"):
        identify(other, ASSIGNMENTS, "hw1_gradient")
    mixed = _student()
    mixed.metadata = nbformat.from_dict({})
    mixed.cells += other.cells
    with pytest.raises(
        SubmissionError, match=r"several assignments \(hw1_gradient, hw2_training\)"
    ):
        identify(mixed, ASSIGNMENTS, "hw1_gradient")
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    with pytest.raises(SubmissionError, match="belong to none of"):
        identify(bare, ASSIGNMENTS, "hw1_gradient")
