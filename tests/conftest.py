"""Shared fixtures."""

import os

# scikit-learn's estimator checks include one that runs with array-API dispatch on NumPy input;
# SciPy must see this before it is imported, or the check is skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import warnings

import numpy as np
import pytest


@pytest.fixture
def strict_floating_point():
    """Turn every floating-point warning into an error: an overflow or invalid
    value would mean an unstable formula. (Underflow to 0 is expected and fine.)"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            yield
