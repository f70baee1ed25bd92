"""Honest students who did harmless things with their notebook get the points their answers earn.

Each case is a right answer handed in in a form the reviewer met in a class (review of the
grader, section (c)): an import added to the set-up cell, an answer cell split in two with
JupyterLab's "Split Cell", an old attempt kept above a fixed copy, an answer written in a new
cell, a notebook whose metadata was lost, and a notebook saved as nbformat 4.4 (no cell ids).
All are graded in one batch through the command line, as an instructor grades them; each must
earn 10 of 10 and its notes must say what the grader did without contradicting the score.
"""

import json

import nbformat
import pytest
from _homework import all_solutions, grade_cli, instructor, submission

from logreg_grader.editions import nbgrader_meta

pytestmark = pytest.mark.kernel

GOOD = all_solutions("hw1_gradient")
# Q2 through the library's log_softmax, a name the handed-out set-up cell does not import.
Q2_WITH_LOG_SOFTMAX = (
    "def cross_entropy_grad(W, b, X, Y):\n"
    "    G = (np.exp(log_softmax(X @ W.T + b)) - Y) / X.shape[0]\n"
    "    return G.T @ X, G.sum(axis=0)\n"
)
OLD_ATTEMPT = (
    "def cross_entropy_grad(W, b, X, Y):  # my first try: the sign is wrong\n"
    "    G = (Y - softmax(X @ W.T + b)) / X.shape[0]\n"
    "    return G.T @ X, G.sum(axis=0)\n"
)


def _edit(path, change):
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)
    return path


def _import_log_softmax(nb):
    setup = next(c for c in nb.cells if c.get("id") == "c001")
    setup.source = setup.source.replace("one_hot, softmax,", "log_softmax, one_hot, softmax,")
    assert "log_softmax" in setup.source


def _split_q1(nb):
    """JupyterLab 4's Split Cell: both halves keep the cell's metadata, the second gets a new id."""
    i = next(
        i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "hw1_q1_answer"
    )
    lines = nb.cells[i].source.splitlines(keepends=True)
    second = nbformat.from_dict(json.loads(json.dumps(nb.cells[i])))
    nb.cells[i].source, second.source, second.id = "".join(lines[:2]), "".join(lines[2:]), "split2"
    nb.cells.insert(i + 1, second)


def _answer_in_new_cell(nb):
    i = next(
        i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "hw1_q3_answer"
    )
    nb.cells[i] = nbformat.v4.new_code_cell(GOOD["hw1_q3_answer"])


def _lose_metadata(nb):
    nb.metadata = nbformat.from_dict({"kernelspec": nb.metadata.get("kernelspec", {})})


def _save_as_4_4(path):
    """The notebook as an nbformat 4.4 writer saves it: no cell ids."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["nbformat_minor"] = 4
    for cell in raw["cells"]:
        cell.pop("id", None)
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fairness")
    log_softmax_answers = {**GOOD, "hw1_q2_answer": Q2_WITH_LOG_SOFTMAX}
    paths = [
        _edit(
            submission(folder, "import.ipynb", "hw1_gradient", log_softmax_answers),
            _import_log_softmax,
        ),
        _edit(submission(folder, "split.ipynb", "hw1_gradient", GOOD), _split_q1),
        submission(
            folder,
            "old_attempt.ipynb",
            "hw1_gradient",
            GOOD,
            duplicate=("hw1_q2_answer", OLD_ATTEMPT),
        ),
        _edit(submission(folder, "new_cell.ipynb", "hw1_gradient", GOOD), _answer_in_new_cell),
        _edit(submission(folder, "no_metadata.ipynb", "hw1_gradient", GOOD), _lose_metadata),
        _save_as_4_4(
            _edit(
                submission(folder, "nbformat44.ipynb", "hw1_gradient", log_softmax_answers),
                _import_log_softmax,
            )
        ),
        # Metadata lost, and the cells are another assignment's: still not graded as hw1.
        _edit(
            submission(
                folder, "hw2_no_metadata.ipynb", "hw2_training", all_solutions("hw2_training")
            ),
            _lose_metadata,
        ),
    ]
    done, results = grade_cli(paths, "hw1_gradient", folder, "--jobs", "2")
    assert len(results) == len(paths), done.stdout[-3000:] + done.stderr[-3000:]
    print({name: (r["status"], r["score"]) for name, r in sorted(results.items())})
    return results


def _full_marks(result):
    assert result["status"] == "graded", result["notes"]
    wrong = {
        q["grade_id"]: q["reason"] for q in result["questions"] if q["points"] < q["max_points"]
    }
    assert not wrong and result["score"] == 10.0, (result["score"], wrong, result["notes"])


def _notes(result):
    return "\n".join(result["notes"])


def test_an_import_added_to_the_set_up_cell_is_kept(graded):
    result = graded["import.ipynb"]
    _full_marks(result)
    position = 1 + next(i for i, c in enumerate(instructor("hw1_gradient").cells) if c.id == "c001")
    assert (
        f"set-up cell {position} differs from the one handed out; it ran as you wrote it"
        in _notes(result)
    )


def test_a_split_answer_cell_runs_both_halves(graded):
    result = graded["split.ipynb"]
    _full_marks(result)
    assert "2 cells carry the grade id hw1_q1_answer" in _notes(result)
    assert "the last one's definitions are graded" in _notes(result)


def test_an_old_attempt_above_a_fixed_copy_is_overridden_as_in_run_all(graded):
    result = graded["old_attempt.ipynb"]
    _full_marks(result)
    assert "2 cells carry the grade id hw1_q2_answer" in _notes(result)


def test_an_answer_in_a_new_cell_earns_its_points_without_a_contradicting_note(graded):
    result = graded["new_cell.ipynb"]
    _full_marks(result)
    notes = _notes(result)
    assert "hw1_q3_answer" in notes and "your own cells ran" in notes
    for contradiction in ("answer is missing", "NotImplementedError", "stopped with"):
        assert contradiction not in notes, notes


def test_lost_notebook_metadata_is_recovered_from_the_grade_ids(graded):
    result = graded["no_metadata.ipynb"]
    _full_marks(result)
    assert "recognized as hw1_gradient by its cells' grade ids" in _notes(result)


def test_lost_metadata_on_another_assignments_cells_is_still_rejected(graded):
    result = graded["hw2_no_metadata.ipynb"]
    assert result["status"] == "rejected" and result["score"] == 0.0
    assert "hw2_training" in _notes(result), result["notes"]


def test_nbformat_4_4_without_cell_ids_matches_set_up_cells_by_position(graded):
    result = graded["nbformat44.ipynb"]
    _full_marks(result)
    assert "differs from the one handed out" in _notes(result)


def test_no_note_about_extra_cells_reaches_the_student(graded):
    # nbgrader's header cell (NAME = "") made every student read "ran 1 extra code cell(s)".
    for result in graded.values():
        assert "extra code cell" not in _notes(result)
