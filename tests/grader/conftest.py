"""The grader's tests share one folder of reference values (``--reference-cache``).

Each run of ``python -m logreg_grader grade`` first runs the instructor's notebook to get the
reference values; the tests grade many small batches, and without the cache every batch would
run the instructor's notebook again. The folder lies in the session's temporary folder, shared by
pytest-xdist's workers (they take turns through a lock), so each assignment's reference is
computed once per session. The grader's own computation of the reference is still tested: by the
first batch of each assignment, and by the tests that grade with a source folder of their own.

The nbgrader test files (test_nbgrader.py, test_nbgrader_autograde.py) each get a course folder of
their own (``course``, module scope), so that pytest-xdist's workers run them side by side, and
its release of the six assignments (``released``).
"""

import os

import _homework
import pytest
from _nbgrader import make_course, nbgrader


@pytest.fixture(scope="session", autouse=True)
def reference_cache(tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # each worker has its own folder under the session's
    folder = base / "grader-reference-cache"
    folder.mkdir(exist_ok=True)
    _homework.REFERENCE_CACHE = folder
    yield folder
    _homework.REFERENCE_CACHE = None


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory)


@pytest.fixture(scope="module")
def released(course):
    nbgrader(course, "generate_assignment", "*", "--force")
    return course[0] / "release"
