"""logreg_grader.assemble: what runs when a submission is graded, without a kernel."""

import nbformat
from _homework import SOURCE, instructor

from logreg_grader import load_assignments
from logreg_grader.assemble import assemble


def test_assemble_uses_the_instructors_cells_and_the_students_answers():
    assignment = load_assignments(SOURCE)["hw1_gradient"]
    nb = instructor("hw1_gradient")
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            cell.source = "pass  # a student who emptied the check"
        if cell.get("id") == "c001":
            cell.source = "import numpy as np  # a student who edited the set-up"
    nb.cells.insert(3, nbformat.v4.new_code_cell("helper = 1"))
    nb.cells = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "hw1_q3_answer"
    ]
    result = assemble(assignment, nb)
    sources = [s.source for s in result.steps]
    assert "helper = 1" in sources  # the student's own cell runs
    assert not any("a student who" in s for s in sources)  # the instructor's versions run instead
    assert result.missing == {"hw1_q3_answer"} and any("hw1_q3_answer" in n for n in result.notes)
    tests = [s for s in result.steps if s.kind == "test"]
    assert [t.test.grade_id for t in tests] == ["hw1_q1a", "hw1_q1b", "hw1_q1c", "hw1_q2", "hw1_q3"]
    assert all("HIDDEN" not in t.source for t in tests)
