"""The instructor's reference values, kept in a folder between runs of the grader.

Computing the reference runs the instructor's notebook in a kernel. An instructor who grades in
several batches (and the test suite, which grades many small batches) can keep the values in a
folder and reuse them. The key is a hash of the instructor's notebook and of the code of the
library, the book's helpers and the grader, so a change to any of them computes the values
afresh. Processes sharing the folder take turns through a lock, so a reference is computed once.

The folder must be one that no submission can write to: the sandbox lets a submission write only
in its own temporary folder, but ``--sandbox none`` does not.
"""

import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .grader import compute_reference
from .probes import LoadError, load_values

__all__ = ["cached_reference", "reference_key"]

PACKAGES = ("logreg", "logreg_book", "logreg_grader")


def reference_key(assignment):
    """A hash of the instructor's notebook and of the code its reference values depend on."""
    digest = hashlib.sha256(json.dumps(assignment.notebook, sort_keys=True).encode())
    for package in PACKAGES:
        spec = importlib.util.find_spec(package)
        for folder in spec.submodule_search_locations:
            for path in sorted(Path(folder).rglob("*.py")):
                digest.update(f"{package}/{path.relative_to(folder).as_posix()}".encode())
                digest.update(path.read_bytes())
    return f"{assignment.name}-{digest.hexdigest()[:20]}"


def cached_reference(assignment, options, folder):
    """(reference values, True if they came from ``folder``); computed and stored when absent."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    key = reference_key(assignment)
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another grader computing the same key: wait for it
        stored = _load(folder / key, assignment)
        if stored is not None:
            return stored, True
        values = compute_reference(assignment, options)
        _store(folder, key, values)
        return values, False


def _load(path, assignment):
    if not path.is_dir():
        return None
    values = {test.grade_id: load_values(path / test.grade_id) for test in assignment.tests}
    if any(isinstance(v, LoadError) for test in values.values() for v in test.values()):
        return None  # unreadable: compute again rather than grade against it
    return values


def _store(folder, key, values):
    """Write the values in the probes' own format (read back by ``load_values``), then move the
    finished folder into place, so that a reader never sees half of it."""
    if any(isinstance(v, LoadError) for test in values.values() for v in test.values()):
        return
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=folder))
    try:
        for grade_id, test in values.items():
            (staging / grade_id).mkdir()
            for name, value in test.items():
                if isinstance(value, np.ndarray):
                    np.save(staging / grade_id / f"{name}.npy", value, allow_pickle=False)
                else:
                    record = {"type": "str", "value": value} if isinstance(value, str) else value
                    (staging / grade_id / f"{name}.json").write_text(json.dumps(record), "utf-8")
        os.rename(staging, folder / key)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
