"""Who a submission belongs to, and the file names made from students' names.

A student id decides which gradebook row, feedback file and written-answer section a result goes
to, so two submissions must never share one silently. The id comes from a roster (file name ->
student), else from ``--student-pattern`` (a regex with a group ``student``), else from the path:
the file's stem when the submissions' file names differ (``alice.ipynb``), the parent folder's
name when several share a file name, as in nbgrader's layout
(``submitted/<student>/<assignment>.ipynb``). Ids that still collide are an error before any
grading (:func:`assign_ids`).

File names made from ids (:func:`file_names`) keep letters and digits of any script, normalized
to NFC (张三, José), replace everything else, and get a suffix where two ids would give the same
name: two students never share one file.
"""

import csv
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from .text import printable

__all__ = ["IdentityError", "StudentIds", "assign_ids", "file_names"]

NAME_CHARS = 80  # characters of a file name kept from an id (the file system allows 255 bytes)


class IdentityError(ValueError):
    """Submissions whose student ids cannot be told apart: nothing may be graded."""


class StudentIds:
    """Who a submission belongs to: from a roster file, a pattern on the path, or the path."""

    def __init__(self, roster=None, pattern=None):
        self.roster = {}
        if roster:
            with open(roster, newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    if "file" not in row or "student" not in row:
                        raise ValueError(
                            f"{roster} needs the columns 'file' and 'student'; received {list(row)}"
                        )
                    self.roster[Path(row["file"]).name] = row["student"].strip()
        self.pattern = re.compile(pattern) if pattern else None
        if self.pattern is not None and "student" not in self.pattern.groupindex:
            raise ValueError(
                f"--student-pattern needs a group named 'student'; received {pattern!r}"
            )

    def __call__(self, path, by_folder=False):
        """The id of ``path``; ``by_folder``: the parent folder's name instead of the stem (used
        when several submissions share a file name)."""
        path = Path(path)
        if path.name in self.roster:
            return self.roster[path.name]
        if self.pattern is not None:
            match = self.pattern.search(path.as_posix())
            if match:
                return match.group("student")
        if by_folder:
            return Path(path).absolute().parent.name or path.stem
        return path.stem


def assign_ids(paths, students):
    """``{path: student id}`` for every submission; raises :class:`IdentityError` naming every
    id that two or more submissions would share, with their files."""
    shared = Counter(Path(p).name for p in paths)
    ids = {str(p): students(p, by_folder=shared[Path(p).name] > 1) for p in paths}
    files = defaultdict(list)
    for path, student in ids.items():
        files[student].append(path)
    clashes = {s: fs for s, fs in files.items() if len(fs) > 1}
    if clashes:
        listed = "; ".join(
            f"{printable(s, 80)}: {', '.join(printable(f, 200) for f in fs)}"
            for s, fs in sorted(clashes.items())
        )
        raise IdentityError(
            f"{len(clashes)} student id(s) belong to more than one submission ({listed}); "
            "expected one submission per student: give --roster (columns file,student) or "
            "--student-pattern with a group 'student'"
        )
    return ids


def _base(student):
    text = unicodedata.normalize("NFC", str(student))
    # Letters (L*), marks that combine with them (M*) and digits (N*) of any script are kept;
    # everything else (separators, punctuation, controls, path characters) becomes "_".
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" or c in "._-" else "_" for c in text)
    kept = re.sub(r"_+", "_", kept)[:NAME_CHARS]
    # No hidden file, no "..", no name an argument parser takes for an option.
    kept = kept.lstrip(".-")
    return kept or "student"


def file_names(students):
    """``{student id: file stem}``, one distinct stem per distinct id, the same for a given set
    of ids whatever their order. Stems are compared without case (case-insensitive file
    systems)."""
    names, taken = {}, set()
    nfc = lambda s: unicodedata.normalize("NFC", str(s))  # noqa: E731
    # An id already in NFC keeps the plain name; another spelling of it gets the suffix.
    for student in sorted(set(students), key=lambda s: (nfc(s), nfc(s) != s, s)):
        base = stem = _base(student)
        count = 1
        while stem.casefold() in taken:
            count += 1
            stem = f"{base}-{count}"
        taken.add(stem.casefold())
        names[student] = stem
    return names
