"""Homework editions: the student edition leaks nothing, and the assignments are well formed."""

import json
import re

import nbformat
import pytest
from _homework import ASSIGNMENTS, SOURCE, instructor, secret_lines

from logreg_grader import HIDDEN, load_assignments, release
from logreg_grader.editions import (
    GRADER_KEY,
    check_grade_ids,
    is_test,
    is_written,
    nbgrader_meta,
)


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    dest = tmp_path_factory.mktemp("student")
    release(SOURCE, dest)
    return dest


def test_three_assignments_of_ten_points_each():
    assignments = load_assignments(SOURCE)
    assert sorted(assignments) == ASSIGNMENTS
    for name, assignment in assignments.items():
        prefix = name.split("_")[0] + "_"
        assert len(assignment.tests) >= 3
        assert assignment.max_score + sum(assignment.written.values()) == 10, name
        ids = [*assignment.answers, *assignment.written, *(t.grade_id for t in assignment.tests)]
        assert all(i.startswith(prefix) for i in ids), ids  # grade ids name their assignment
        for test in assignment.tests:
            assert test.probe and test.rules and "emit(" in test.probe


def test_nbgrader_metadata_follows_its_conventions():
    for name in ASSIGNMENTS:
        for cell in instructor(name).cells:
            meta = nbgrader_meta(cell)
            if not meta:
                continue
            assert meta["schema_version"] == 3
            if is_test(cell):
                assert meta["locked"] and meta["points"] > 0
            if is_written(cell):  # a written answer is graded by hand: grade and solution
                assert meta["grade"] and meta["solution"] and meta["points"] > 0


def test_student_edition_contains_no_solution_hidden_test_or_probe(student_dir):
    secrets = secret_lines()
    assert len(secrets) > 30  # the search is not vacuous
    for path in sorted(student_dir.glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", GRADER_KEY + '": {"probe'):
            assert marker not in text, f"{marker!r} in {path.name}"
        nb = nbformat.read(path, as_version=4)
        sources = "\n".join(c.source for c in nb.cells)
        leaked = sorted(line for line in secrets if line in sources)
        assert not leaked, f"{path.name} leaks: {leaked[:3]}"
        for cell in nb.cells:
            assert GRADER_KEY not in cell.metadata
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None
        assert nb.metadata[GRADER_KEY]["edition"] == "student"


def test_student_edition_keeps_the_questions_and_visible_checks(student_dir):
    for name in ASSIGNMENTS:
        student = nbformat.read(student_dir / f"{name}.ipynb", as_version=4)
        original = instructor(name)
        assert len(student.cells) == len(original.cells)
        for mine, theirs in zip(student.cells, original.cells, strict=True):
            assert mine.get("id") == theirs.get("id")  # the grader matches cells by id
            if is_test(theirs):
                visible = HIDDEN.sub("", theirs.source).strip()
                assert mine.source.strip() == visible and "assert" in visible


def test_the_instructor_edition_does_not_point_students_to_its_solutions():
    for name in ASSIGNMENTS:
        text = " ".join(c.source for c in instructor(name).cells if c.cell_type == "markdown")
        assert not re.search(r"solutions are (folded|hidden)|Show code cell source", text)


def test_each_grade_id_is_on_one_cell_and_a_duplicate_is_refused(tmp_path):
    # nbgrader keys its gradebook by grade id; a duplicate stops its autograde for the class.
    for name in ASSIGNMENTS:
        check_grade_ids(instructor(name), f"{name}.ipynb")
    nb = instructor("hw2_training")
    at = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "hw2_q2")
    nb.cells.append(nbformat.from_dict(json.loads(json.dumps(nb.cells[at]))))
    nb.cells[-1].id = "twin"
    message = (
        rf"hw2_training\.ipynb: the grade id 'hw2_q2' is on cells {at + 1}, {len(nb.cells)}; "
        "expected each grade id"
    )
    with pytest.raises(ValueError, match=message):
        check_grade_ids(nb, "hw2_training.ipynb")
    nbformat.write(nb, tmp_path / "hw2_training.ipynb")
    with pytest.raises(ValueError, match=message):
        release(tmp_path, tmp_path / "student")
    assert not (tmp_path / "student" / "hw2_training.ipynb").exists()
