"""The grader's tests share one folder of reference values (``--reference-cache``).

Each run of ``python -m logreg_grader grade`` first runs the instructor's notebook to get the
reference values; the tests grade many small batches, and without the cache every batch would
run the instructor's notebook again. The folder lies in the session's temporary folder, shared by
pytest-xdist's workers (they take turns through a lock), so each assignment's reference is
computed once per session. The grader's own computation of the reference is still tested: by the
first batch of each assignment, and by the tests that grade with a source folder of their own.
"""

import os

import _homework
import pytest


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
