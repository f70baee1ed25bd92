"""Axes for the plotting tests, drawn off-screen and closed after each test; each test's
in-process Sphinx builds leave Sphinx's defaults as they found them."""

import pytest
from sphinx.config import Config

SOURCE_SUFFIX = dict(Config.config_values["source_suffix"].default)  # before any build


@pytest.fixture(autouse=True)
def sphinx_source_suffix_default():
    # Sphinx 7.4 merges the suffixes its extensions register (myst-nb: .md and .ipynb) into the
    # value of ``source_suffix``, which for a conf.py that sets none is the default's own dict
    # (sphinx/registry.py, merge_source_suffix). After one in-process build with myst-nb, every
    # later build in the process would then read .md with myst-nb, registered or not
    # ("Source parser for myst-nb not registered" in test_api_reference).
    # Restored to what it was before any test after each one, so that the next test (and the
    # module-scoped builds its set-up runs first) starts from Sphinx's own default.
    yield
    default = Config.config_values["source_suffix"].default
    default.clear()
    default.update(SOURCE_SUFFIX)


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
