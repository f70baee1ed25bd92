"""Shared fixtures, and the markers that split the suite.

Each test folder is a marker (``library``, ``book``, ``grader``, ``browser``), so that
``pytest -m "not browser"`` or ``pytest -m grader`` selects a part of the suite; ``kernel`` marks
the tests that start Jupyter kernels or the grader's sandboxed kernels. (The private home every
test runs with is set up by the repository's top conftest.py, for nbval's pages as well.)
"""

import os
from pathlib import Path

# scikit-learn's estimator checks include one that runs with array-API dispatch on NumPy input;
# SciPy must see this before it is imported, or the check is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

# No property test depends on how fast the machine is today: Hypothesis's per-example deadline
# (200 ms) and its too-slow health check failed test_two_class_softmax_is_sigmoid on a machine
# running two other CPU-bound processes. What an example computes is checked, not its time.
settings.register_profile("logreg", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("logreg")

TESTS = Path(__file__).resolve().parent
FOLDERS = ("library", "book", "grader", "browser")
# A module that imports the grader's command-line helper grades notebooks end to end.
KERNEL_HELPERS = ("grade_cli",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        try:
            folder = Path(item.path).resolve().relative_to(TESTS).parts[0]
        except ValueError:
            continue  # not under tests/ (the pages, collected by nbval)
        if folder in FOLDERS:
            item.add_marker(folder)
        module = getattr(item, "module", None)
        if module is not None and any(hasattr(module, name) for name in KERNEL_HELPERS):
            item.add_marker("kernel")


@pytest.fixture
def strict_floating_point():
    """Turn every floating-point warning into an error: an overflow or invalid
    value would mean an unstable formula. (Underflow to 0 is expected and fine.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            yield
