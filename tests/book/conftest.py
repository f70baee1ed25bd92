"""Axes for the plotting tests, drawn off-screen and closed after each test."""

import pytest


@pytest.fixture
def ax():
    import matplotlib

    matplotlib.use("Agg")  # no display: the tests read what was drawn, not a window
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture
def two_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    yield axes
    plt.close(fig)
