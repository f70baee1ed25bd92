"""The instructor's reference values kept between runs (``--reference-cache``)."""

import copy

import nbformat
import numpy as np
import pytest
from _homework import SOURCE

from logreg_grader import Options, load_assignments
from logreg_grader import reference_cache as cache
from logreg_grader.sandbox import sandbox_mode

pytestmark = pytest.mark.kernel


def _same(a, b):
    assert a.keys() == b.keys()
    for grade_id in a:
        assert a[grade_id].keys() == b[grade_id].keys(), grade_id
        for name, value in a[grade_id].items():
            if isinstance(value, np.ndarray):
                assert value.dtype == b[grade_id][name].dtype
                assert np.array_equal(value, b[grade_id][name]), (grade_id, name)
            else:
                assert value == b[grade_id][name], (grade_id, name)


def test_the_reference_is_computed_once_then_read_back_unchanged(tmp_path, monkeypatch):
    assignment = load_assignments(SOURCE)["hw3_sympy"]
    options = Options(mode=sandbox_mode()[0])
    computed, cached = cache.cached_reference(assignment, options, tmp_path)
    assert not cached and computed

    def no_kernel(*args):
        raise AssertionError("the reference was computed again")

    monkeypatch.setattr(cache, "compute_reference", no_kernel)
    again, cached = cache.cached_reference(assignment, options, tmp_path)
    assert cached
    _same(computed, again)
    # A stored value that cannot be read is computed again, never graded against.
    stored = tmp_path / cache.reference_key(assignment)
    next(stored.rglob("*.json")).write_text("{not json")
    with pytest.raises(AssertionError, match="computed again"):
        cache.cached_reference(assignment, options, tmp_path)


def test_the_key_changes_with_the_instructors_notebook():
    assignment = load_assignments(SOURCE)["hw3_sympy"]
    edited = copy.copy(assignment)
    edited.notebook = copy.deepcopy(assignment.notebook)
    edited.notebook.cells.append(nbformat.v4.new_code_cell("x = 1"))
    assert cache.reference_key(assignment) == cache.reference_key(copy.copy(assignment))
    assert cache.reference_key(edited) != cache.reference_key(assignment)
    assert cache.reference_key(assignment).startswith("hw3_sympy-")
