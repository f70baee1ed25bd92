"""The version is written once, in ``logreg.__version__``; the package metadata reads it from
there (pyproject.toml: ``dynamic = ["version"]``)."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import logreg

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_metadata_carries_the_version_of_the_source():
    assert re.fullmatch(r"\d+\.\d+\.\d+", logreg.__version__), logreg.__version__
    installed = importlib.metadata.version("logreg")
    assert installed == logreg.__version__, (
        f"the installed metadata says {installed}, src/logreg says {logreg.__version__}; "
        "reinstall (make venv)"
    )


def test_pyproject_takes_the_version_from_the_source():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "logreg.__version__"}
