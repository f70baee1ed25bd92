"""Per-student variants: one notebook per student, drawn from a seed only the instructor can sign.

An instructor notebook may mark ONE code cell with ``metadata.logreg_homework.variant = true``;
that cell sets ``VARIANT_SEED = <integer>`` (the instructor's own seed), and the hidden inputs
and data that should differ between students are drawn from it (hw1: the probes' inputs; hw2:
the split of the digits into training and test images). The questions and the derivations do
not depend on it.

``release`` with a roster writes ``DEST/<student>/<assignment>.ipynb`` for every student, with

- ``VARIANT_SEED = HMAC(key, [term, assignment, student])`` (32 bits): deterministic, so a
  notebook can be released again, and unguessable without the key, so a student cannot predict
  a classmate's seed;
- ``metadata.logreg_homework.variant = {"student", "seed", "signature"}`` with the signature
  ``HMAC(key, ["signature", assignment, student, seed])``.

The grader (``grade --key-file``) checks each submission before it runs (``variant_grader``):
the signature must hold, and the signed student must be the student the grader assigned to the
file (roster, pattern or file name), so a classmate's notebook handed in as one's own is
rejected. A valid variant is graded against the reference computed from the instructor's notebook
with that seed (``with_seed``), once per seed. The signature is verified without the term: the
grader needs only the key.
"""

import csv
import dataclasses
import hashlib
import hmac
import json
import re
import threading
import unicodedata
from pathlib import Path

import nbformat

from .assignments import SubmissionError, _read_regular_file
from .editions import GRADER_KEY, check_grade_ids, student_edition
from .grader import compute_reference
from .reference_cache import cached_reference
from .text import printable, short_line

__all__ = [
    "derive_seed",
    "folder_name",
    "read_key",
    "read_roster",
    "release_variants",
    "sign",
    "variant_assignment",
    "variant_cell",
    "variant_grader",
    "variant_seed",
    "verify",
    "with_seed",
]

SEED_LINE = re.compile(r"^(VARIANT_SEED[ \t]*=[ \t]*)(\d+)([ \t]*(?:#.*)?)$", re.M)
SEED_NAME = re.compile(r"\bVARIANT_SEED\b")
SEED_BOUND = 2**32  # numpy's generators take any non-negative integer; 32 bits are plenty
MIN_KEY_BYTES = 16
MAX_ID_CHARS = 200


def read_key(path):
    """The instructor's key: the bytes of ``path`` without surrounding whitespace."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise ValueError(f"cannot read the key file {path}: {exc.strerror}") from None
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"the key file {path} holds {len(key)} bytes; expected at least {MIN_KEY_BYTES} "
            '(make one with: python -c "import secrets; print(secrets.token_hex(32))" > KEY)'
        )
    return key


def _mac(key, *parts):
    message = json.dumps(list(parts), ensure_ascii=True, separators=(",", ":"))
    return hmac.new(key, message.encode("ascii"), hashlib.sha256)


def derive_seed(key, term, assignment, student):
    """The variant seed of ``student`` for ``assignment`` in ``term`` (an int below 2**32)."""
    digest = _mac(key, "seed", term, assignment, student_id(student)).digest()
    return int.from_bytes(digest[:4], "big")


def sign(key, assignment, student, seed):
    return _mac(key, "signature", assignment, student_id(student), int(seed)).hexdigest()


def verify(key, assignment, variant):
    """(student, seed) of a submission's ``variant`` metadata if its signature holds for
    ``assignment``; else a ValueError whose message a student may read (it repeats nothing of
    the metadata: the student wrote it)."""
    if not isinstance(variant, dict):
        raise ValueError(
            f"the notebook carries no signed variant (metadata.{GRADER_KEY}.variant); expected "
            "the notebook released to you"
        )
    student, seed, signature = (variant.get(k) for k in ("student", "seed", "signature"))
    if (
        not isinstance(student, str)
        or not 0 < len(student) <= MAX_ID_CHARS
        or type(seed) is not int
        or not 0 <= seed < SEED_BOUND
        or not isinstance(signature, str)
        or not re.fullmatch(r"[0-9a-f]{64}", signature)
    ):
        raise ValueError(
            f"the notebook's metadata.{GRADER_KEY}.variant is malformed; expected the student, "
            "seed and signature it was released with"
        )
    if not hmac.compare_digest(sign(key, assignment, student, seed), signature):
        raise ValueError(
            f"the signature of the notebook's variant does not match its student and seed for "
            f"{assignment}: the seed or the student was changed, or the notebook was not released "
            "by this course"
        )
    return student, seed


def student_id(raw):
    """A student id as the release and the grader compare it: Unicode NFC, no outer spaces."""
    return unicodedata.normalize("NFC", str(raw)).strip()


def folder_name(student):
    """A folder name for ``student`` that is safe on any file system and keeps the letters of
    any script (张三 stays 张三); ids that differ only in other characters are caught by
    ``read_roster``, never merged."""
    name = re.sub(r"[^\w.@+-]", "_", student_id(student)).lstrip(".-")[:100]
    if not any(char.isalnum() for char in name):
        raise ValueError(
            f"the student id {student!r} has no letter or digit; expected a usable name"
        )
    return name


def same_student(assigned, signed):
    """Whether the id the grader assigned to a file (roster, pattern: maybe the release's folder
    name, or the file name) names the student a variant was signed for."""
    assigned, signed = student_id(assigned), student_id(signed)
    return assigned == signed or assigned == folder_name(signed)


def read_roster(path):
    """The student ids of a roster CSV (column ``student``), checked: none empty, none twice,
    no two with the same folder name."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if "student" not in (reader.fieldnames or []):
            raise ValueError(
                f"{path} needs a column 'student'; received the columns {reader.fieldnames}"
            )
        rows = [(reader.line_num, student_id(row["student"] or "")) for row in reader]
    if not rows:
        raise ValueError(f"{path} lists no students; expected one row per student")
    folders = {}
    for line, student in rows:
        if not student:
            raise ValueError(f"{path}, line {line}: the student id is empty")
        if len(student) > MAX_ID_CHARS:
            raise ValueError(f"{path}, line {line}: the student id is over {MAX_ID_CHARS} chars")
        other = folders.setdefault(folder_name(student), student)
        if other is not student:
            raise ValueError(
                f"{path}, line {line}: the student ids {other!r} and {student!r} "
                + (
                    "are the same"
                    if other == student
                    else f"share the folder name {folder_name(student)!r}"
                )
                + "; expected each student once, under a distinct name"
            )
    return [student for _, student in rows]


def variant_cell(nb):
    """The index of ``nb``'s variant cell, or None; a ValueError if the marking is ambiguous."""
    marked = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.get("metadata", {}).get(GRADER_KEY, {}).get("variant") is True
    ]
    if not marked:
        return None
    if len(marked) > 1 or nb.cells[marked[0]]["cell_type"] != "code":
        raise ValueError(
            f"{len(marked)} cells are marked metadata.{GRADER_KEY}.variant; expected one code cell"
        )
    if len(SEED_LINE.findall(nb.cells[marked[0]]["source"])) != 1:
        raise ValueError(
            "the variant cell must set VARIANT_SEED = <integer> on a line of its own, once"
        )
    return marked[0]


def variant_seed(nb):
    """The seed the variant cell of ``nb`` sets, or None when ``nb`` has no variant cell."""
    index = variant_cell(nb)
    if index is None:
        return None
    return int(SEED_LINE.search(nb.cells[index]["source"]).group(2))


def with_seed(nb, seed, index=None):
    """A copy of ``nb`` whose variant cell sets ``VARIANT_SEED = seed``."""
    index = variant_cell(nb) if index is None else index
    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    cell = copy.cells[index]
    cell["source"] = SEED_LINE.sub(lambda m: f"{m.group(1)}{int(seed)}{m.group(3)}", cell["source"])
    return copy


def release_variants(source_dir, dest_dir, roster, term, key):
    """Write each student's edition of every notebook in ``source_dir`` into
    ``dest_dir/<student>/``: a signed variant where the notebook has a variant cell, the common
    student edition otherwise. Returns the paths written."""
    source_dir, dest_dir = Path(source_dir), Path(dest_dir)
    students = read_roster(roster)
    notebooks = sorted(source_dir.glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no notebooks in {source_dir}; expected the instructor's homework")
    books = {path: nbformat.read(path, as_version=4) for path in notebooks}
    for path, nb in books.items():  # all checked before any is written, as ``release`` does
        check_grade_ids(nb, path.name)
        variant_cell(nb)
    written = []
    for path, instructor in books.items():
        index = variant_cell(instructor)
        edition = student_edition(instructor)
        for student in students:
            folder = dest_dir / folder_name(student)
            folder.mkdir(parents=True, exist_ok=True)
            nb = edition
            if index is not None:
                seed = derive_seed(key, term, path.stem, student)
                nb = with_seed(edition, seed, index)
                nb.metadata[GRADER_KEY]["variant"] = {
                    "student": student,
                    "seed": seed,
                    "signature": sign(key, path.stem, student, seed),
                }
            nbformat.write(nb, folder / path.name)
            written.append(folder / path.name)
    return written


def variant_assignment(assignment, seed):
    """``assignment`` as the grader runs it for the variant ``seed``: its variant cell sets the
    seed, and its probes use the seed as a literal (a submission that rebinds VARIANT_SEED in
    its kernel changes nothing the grader evaluates)."""
    tests = [
        dataclasses.replace(t, probe=SEED_NAME.sub(str(int(seed)), t.probe))
        for t in assignment.tests
    ]
    notebook = with_seed(assignment.notebook, seed)
    return dataclasses.replace(assignment, notebook=notebook, tests=tests)


class VariantReferences:
    """The reference values of each variant, computed once per (assignment, seed) and kept; with
    a cache folder, also kept between runs (``reference_cache``: its key hashes the notebook,
    which carries the seed)."""

    def __init__(self, options, cache_folder=None):
        self.options, self.cache_folder = options, cache_folder
        self._values, self._locks, self._lock = {}, {}, threading.Lock()

    def __call__(self, assignment):
        key = (assignment.name, variant_seed(assignment.notebook))
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # two submissions of one seed (--jobs 2): the second waits for the first
            if key not in self._values:
                if self.cache_folder:
                    values, _ = cached_reference(assignment, self.options, self.cache_folder)
                else:
                    values = compute_reference(assignment, self.options)
                self._values[key] = values
            return self._values[key]


def _peek_metadata(path):
    """(the notebook metadata of a submission, None) or (None, why it cannot be read): read as
    ``read_submission`` reads it, without following a link, blocking on a FIFO or reading past
    the size cap."""
    try:
        data = _read_regular_file(Path(path))
    except SubmissionError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, f"the file cannot be read ({type(exc).__name__})"
    try:
        metadata = json.loads(data.decode("utf-8")).get("metadata")
    except (ValueError, AttributeError, RecursionError):
        metadata = None
    if not isinstance(metadata, dict):
        return None, "not a Jupyter notebook with metadata; expected the notebook released to you"
    return metadata, None


def _refused(path, assignment, status, reason, detail=None):
    """A result shaped as ``grade_submission``'s, for a submission refused before it runs."""
    return {
        "submission": str(path),
        "assignment": assignment.name,
        "status": status,
        "score": 0.0,
        "max_score": assignment.max_score,
        "questions": [],
        "notes": [reason],
        "details": [printable(detail or reason)],
        "written": {},
        "written_points": 0.0,
        "seconds": 0.0,
    }


def variant_grader(key_file, students, options, reference_cache, grade):
    """``grade`` (``grader.grade_submission``) with each submission's variant checked first.

    With a key, a submission of an assignment that has a variant cell must carry a valid
    signature for the student ``students(path)`` names, and is graded against its own variant.
    Without a key, a variant submission is a grader error (it would be compared with the wrong
    reference). Assignments without a variant cell are graded as before.
    """
    key = read_key(key_file) if key_file else None
    references = VariantReferences(options, reference_cache)

    def grade_one(path, assignments, default_references, options, expected):
        assignment = assignments[expected]
        try:
            has_variant = variant_cell(assignment.notebook) is not None
        except ValueError as exc:  # the instructor's notebook: no submission can be graded
            return _refused(
                path, assignment, "grader-error", "the grader is misconfigured",
                f"{assignment.name}: {exc}",
            )  # fmt: skip
        if not has_variant:
            return grade(path, assignments, default_references, options, expected)
        metadata, unreadable = _peek_metadata(path)
        ours = (metadata or {}).get(GRADER_KEY)
        variant = ours.get("variant") if isinstance(ours, dict) else None
        if key is None:
            if variant is None:
                return grade(path, assignments, default_references, options, expected)
            return _refused(
                path, assignment, "grader-error",
                "this submission is a per-student variant; it is graded once the instructor "
                "runs the grader with the course key",
                "a per-student variant (metadata.logreg_homework.variant), but no --key-file: "
                "grade with --key-file KEY to verify it and compare it with its own reference",
            )  # fmt: skip
        if metadata is None:
            return _refused(path, assignment, "rejected", unreadable)
        try:
            signed, seed = verify(key, expected, variant)
        except ValueError as exc:
            return _refused(path, assignment, "rejected", str(exc))
        assigned = students(path)
        if not same_student(assigned, signed):
            return _refused(
                path, assignment, "rejected",
                f"this notebook is the variant of {short_line(signed, 60)}, but it was handed "
                f"in as {short_line(assigned, 60)}'s; expected the notebook released to you",
            )  # fmt: skip
        mine = variant_assignment(assignment, seed)
        result = grade(path, {**assignments, expected: mine}, references, options, expected)
        result["variant"] = {"student": signed, "seed": seed}
        return result

    return grade_one
