"""The pages run on a second draw in `make test`: book/conftest.py shifts every literal seed."""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

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


@pytest.mark.kernel
def test_nbval_runs_the_shifted_code(tmp_path):
    # The real pipeline: nbval collects the notebook, the hook rewrites its cells, the kernel runs
    # them. The cell passes only if its generator was seeded with 5 + 3.
    shutil.copy(HOOK, tmp_path / "conftest.py")
    _notebook(
        tmp_path / "page.ipynb",
        "import numpy as np\nrng = np.random.default_rng(seed=5)\n"
        "assert rng.bit_generator.seed_seq.entropy == 8, rng.bit_generator.seed_seq.entropy\n",
    )

    def run(offset):
        command = [
            sys.executable,
            "-m",
            "pytest",
            "--nbval-lax",
            "-p",
            "no:cacheprovider",
            f"--seed-offset={offset}",
            "page.ipynb",
        ]
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)

    shifted, unshifted = run(3), run(0)
    assert shifted.returncode == 0, shifted.stdout[-2000:]
    assert "notebook seeds shifted by 3" in shifted.stdout
    assert unshifted.returncode == 1 and "entropy" in unshifted.stdout
