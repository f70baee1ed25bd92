"""A private home for every pytest run of the repository: the tests, and nbval's pages.

No test reads or writes the real home folder. Before any test module is imported, HOME, the XDG
folders, IPython's and Jupyter's folders and Matplotlib's are pointed at a fresh folder, and
every kernel, JupyterLab server and grader a test starts inherits them. So a result cannot depend
on what the machine's user installed or configured there (an IPython start-up file, a Jupyter
config, a kernel spec), nor be upset by another program writing there while the tests run
(tests/grader/test_isolation.py checks this). Jupyter's kernel specs still come from the
environment (sys.prefix), which is what the tests and the pages need.
"""

import os
import shutil
import tempfile
from pathlib import Path

_PRIVATE_HOME = None


def private_home_environment(home):
    """The variables that point every per-user folder of Python, IPython, Jupyter and Matplotlib
    at ``home``."""
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
    os.environ.update(private_home_environment(_PRIVATE_HOME))
    (_PRIVATE_HOME / ".runtime").mkdir(mode=0o700)


def pytest_unconfigure(config):
    if _PRIVATE_HOME is not None:
        shutil.rmtree(_PRIVATE_HOME, ignore_errors=True)
