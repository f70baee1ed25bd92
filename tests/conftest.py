"""Shared fixtures, the markers that split the suite, and a private home for every test.

Each test folder is a marker (``library``, ``book``, ``grader``, ``browser``), so that
``pytest -m "not browser"`` or ``pytest -m grader`` selects a part of the suite; ``kernel`` marks
the tests that start Jupyter kernels or the grader's sandboxed kernels.

The suite never reads or writes the real home folder: before any test module is imported,
HOME, the XDG folders, IPython's and Jupyter's folders and Matplotlib's cache are pointed at a
fresh folder, and every kernel, JupyterLab server and grader the tests start inherits them. So a
test cannot depend on what the machine's user has installed or configured there, nor be upset by
another program writing there (tests/grader/test_isolation.py checks this).
"""

import os
import shutil
import tempfile
from pathlib import Path

# scikit-learn's estimator checks include one that runs with array-API dispatch on NumPy input;
# SciPy must see this before it is imported, or the check is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import warnings

import numpy as np
import pytest

TESTS = Path(__file__).resolve().parent
FOLDERS = ("library", "book", "grader", "browser")
# A module that imports the grader's command-line helper grades notebooks end to end.
KERNEL_HELPERS = ("grade_cli",)

_PRIVATE_HOME = None


def private_home_environment(home):
    """The variables that point every per-user folder of Python, IPython, Jupyter and Matplotlib
    at ``home``. Jupyter's kernel specs still come from the environment (sys.prefix), which is
    what the tests need."""
    home = Path(home)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_RUNTIME_DIR": str(home / ".runtime"),
        "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".local" / "share" / "jupyter" / "runtime"),
        "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
        "PYTHONNOUSERSITE": "1",
    }


def pytest_configure(config):
    # Here rather than in a fixture: test modules import matplotlib and IPython at collection,
    # and those read their folders when imported.
    global _PRIVATE_HOME
    _PRIVATE_HOME = Path(tempfile.mkdtemp(prefix="logreg-tests-home-"))
    for key, value in private_home_environment(_PRIVATE_HOME).items():
        os.environ[key] = value
    (_PRIVATE_HOME / ".runtime").mkdir(mode=0o700)


def pytest_unconfigure(config):
    if _PRIVATE_HOME is not None:
        shutil.rmtree(_PRIVATE_HOME, ignore_errors=True)


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
