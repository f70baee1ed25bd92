"""The instructor's reference values kept between runs (``--reference-cache``)."""

import copy
import json
import os

import nbformat
import pytest
from _homework import SOURCE

from logreg_grader import Options, load_assignments
from logreg_grader import reference_cache as cache
from logreg_grader.sandbox import sandbox_mode

pytestmark = pytest.mark.kernel


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
    assert again == computed  # the JSON text each probe sent, byte for byte
    assert all(isinstance(t, str) for named in again.values() for t in named.values())
    # A stored reference that cannot be trusted is computed again, never graded against: not
    # JSON, of another shape, a link (to /dev/zero: never read without end), or a FIFO (never
    # waited on).
    stored = tmp_path / f"{cache.reference_key(assignment)}.json"
    good = stored.read_text()
    broken = [
        lambda: stored.write_text("{not json"),
        lambda: stored.write_text(json.dumps({"hw3_q1": {"original": 1}})),
        lambda: (stored.unlink(), stored.symlink_to("/dev/zero")),
        lambda: (stored.unlink(), os.mkfifo(stored)),
    ]
    for damage in broken:
        damage()
        with pytest.raises(AssertionError, match="computed again"):
            cache.cached_reference(assignment, options, tmp_path)
        stored.unlink()
        stored.write_text(good)
    assert cache.cached_reference(assignment, options, tmp_path) == (computed, True)


def test_the_key_changes_with_the_instructors_notebook():
    assignment = load_assignments(SOURCE)["hw3_sympy"]
    edited = copy.copy(assignment)
    edited.notebook = copy.deepcopy(assignment.notebook)
    edited.notebook.cells.append(nbformat.v4.new_code_cell("x = 1"))
    assert cache.reference_key(assignment) == cache.reference_key(copy.copy(assignment))
    assert cache.reference_key(edited) != cache.reference_key(assignment)
    assert cache.reference_key(assignment).startswith("hw3_sympy-")
