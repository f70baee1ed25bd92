"""The pages run on a second draw in `make test`: book/conftest.py shifts every literal seed."""

import copy
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOOK = ROOT / "book" / "conftest.py"
_spec = importlib.util.spec_from_file_location("book_conftest", HOOK)
book_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(book_conftest)
shift_seeds = book_conftest.shift_seeds


@pytest.mark.parametrize(
    "before, after",
    [
        ("rng = np.random.default_rng(seed=15)", "rng = np.random.default_rng(seed=18)"),
        ("rng = np.random.default_rng(0)", "rng = np.random.default_rng(3)"),
        (
            "split(X, y, test_size=0.25, random_state=0)",
            "split(X, y, test_size=0.25, random_state=3)",
        ),
        ("make_blobs(40, 3, random_state = 7)", "make_blobs(40, 3, random_state = 10)"),
        ("np.random.RandomState(2)", "np.random.RandomState(5)"),
        ("np.random.seed(1)", "np.random.seed(4)"),
    ],
)
def test_literal_seeds_are_shifted(before, after):
    assert shift_seeds(before, 3) == (after, 1)


@pytest.mark.parametrize(
    "source",
    [
        "if seed == 3: pass",
        "model = Net(random_state=seed)",
        "n_seeds=5; seeds=5; max_iter=10",
        "f(random_state=0.5)",
        "x = rng.normal(size=3)  # seed=4 in a comment is code too, but this line has none",
    ],
)
def test_other_numbers_are_left_alone(source):
    if "comment" in source:
        assert shift_seeds(source, 3)[1] == 1  # comments are shifted too: harmless
    else:
        assert shift_seeds(source, 3) == (source, 0)


def test_offset_zero_changes_nothing():
    source = "rng = np.random.default_rng(seed=15)"
    assert shift_seeds(source, 0) == (source, 1)


def _notebook(path, code):
    cells = [
        {
            "cell_type": "code",
            "id": "only-cell",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": code,
        }
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")


# A cell that checks which seed its generator received.
SEED_CHECK = (
    "import numpy as np\nrng = np.random.default_rng(seed=5)\n"
    "assert rng.bit_generator.seed_seq.entropy == {expected}, rng.bit_generator.seed_seq.entropy\n"
)


@pytest.mark.kernel
def test_nbval_runs_the_shifted_code(tmp_path):
    # The real pipeline: nbval collects the notebooks, the hook rewrites their cells, a kernel runs
    # each. In one run shifted by 3 (one pytest start-up, the costly part, not two): a cell that
    # expects the seed 5 + 3 passes, and the same cell expecting the seed as written fails, with
    # the shifted source and the entropy 8 in nbval's report. So nbval does execute the cells,
    # and a check written for the seed as written cannot pass by accident.
    shutil.copy(HOOK, tmp_path / "conftest.py")
    _notebook(tmp_path / "shifted.ipynb", SEED_CHECK.format(expected=8))
    _notebook(tmp_path / "as_written.ipynb", SEED_CHECK.format(expected=5))
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-rA"]
    command += ["--seed-offset=3", "shifted.ipynb", "as_written.ipynb"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    out = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout)  # nbval colours its report
    assert run.returncode == 1, out[-3000:]
    assert "notebook seeds shifted by 3" in out, out[-3000:]
    assert re.search(r"^PASSED shifted\.ipynb::Cell 0", out, re.M), out[-3000:]
    assert re.search(r"^FAILED as_written\.ipynb::Cell 0", out, re.M), out[-3000:]
    assert "default_rng(seed=8)" in out and "AssertionError: 8" in out, out[-3000:]


def test_without_an_offset_nbval_runs_the_cells_as_written():
    # What `--seed-offset=0` (the default) does to the cells nbval collected: nothing.
    cell = nbformat.v4.new_code_cell(SEED_CHECK.format(expected=5))

    class Config:
        def __init__(self, offset):
            self.offset = offset

        def getoption(self, name):
            assert name == "--seed-offset", name
            return self.offset

    class Item:  # as nbval's IPyNbCell: the notebook cell it runs
        pass

    item = Item()
    item.cell = copy.deepcopy(cell)
    book_conftest.pytest_collection_modifyitems(Config(0), [item])
    assert item.cell.source == cell.source
    book_conftest.pytest_collection_modifyitems(Config(3), [item])
    assert item.cell.source == cell.source.replace("seed=5", "seed=8")  # the hook does act
