"""The instructor's reference values, kept in a folder between runs of the grader.

Computing the reference runs the instructor's notebook in a kernel. An instructor who grades in
several batches (and the test suite, which grades many small batches) can keep the values in a
folder and reuse them. The key is a hash of the instructor's notebook and of the code of the
library, the book's helpers and the grader, so a change to any of them computes the values
afresh. Processes sharing the folder take turns through a lock, so a reference is computed once.

A stored reference is one JSON file: grade id -> name -> the JSON text the probe sent, exactly
as the grader received it (the checker decodes it, as it decodes a student's). It is read
defensively: a regular file of bounded size, not a link, of the expected shape; anything else is
computed again rather than graded against.

The folder must be one that no submission can write to: the sandbox lets a submission write only
in its own temporary folder, but ``--sandbox none`` does not.
"""

import fcntl
import hashlib
import importlib.util
import json
import os
import stat
import tempfile
from pathlib import Path

from .grader import compute_reference

__all__ = ["cached_reference", "reference_key"]

PACKAGES = ("logreg", "logreg_book", "logreg_grader")
MAX_BYTES = 64 << 20


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
        stored = _load(folder / f"{key}.json", assignment)
        if stored is not None:
            return stored, True
        values = compute_reference(assignment, options)
        _store(folder, key, values)
        return values, False


def _read(path):
    """The bytes of ``path`` if it is a regular file (not a link, FIFO or device) of at most
    ``MAX_BYTES``; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        data = f.read(MAX_BYTES + 1)
    return data if len(data) <= MAX_BYTES else None


def _load(path, assignment):
    data = _read(path)
    if data is None:
        return None
    try:
        values = json.loads(data)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    grade_ids = {test.grade_id for test in assignment.tests}
    if not isinstance(values, dict) or set(values) != grade_ids:
        return None
    for named in values.values():
        if not isinstance(named, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in named.items()
        ):
            return None
    return values


def _store(folder, key, values):
    """Write the values to a temporary file, then move it into place, so that a reader never
    sees half of it."""
    fd, staging = tempfile.mkstemp(prefix=f".{key}-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(values, f)
        os.replace(staging, folder / f"{key}.json")
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
