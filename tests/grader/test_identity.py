"""Who a submission belongs to, the file names made from students' names, and which submission
files the grader reads at all.

Unit tests on paths and names first; then one grading run in nbgrader's layout
(``submitted/<student>/hw3_sympy.ipynb``) with a symlink to the instructor's notebook and a FIFO
among the submissions."""

import csv
import os
import threading
import unicodedata

import pytest
from _homework import SOURCE, all_solutions, grade_cli, submission

from logreg_grader.assignments import MAX_SUBMISSION_BYTES, SubmissionError, read_submission
from logreg_grader.identity import IdentityError, StudentIds, assign_ids, file_names


def test_student_ids_from_roster_pattern_or_file_name(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("file,student\nsub/upload_7.ipynb, bob \n")
    ids = StudentIds(roster, r"/(?P<student>[a-z]+)/hw\.ipynb$")
    assert ids(tmp_path / "other" / "upload_7.ipynb") == "bob"  # by file name, trimmed
    assert ids("/x/alice/hw.ipynb") == "alice"
    assert ids("/x/Carol/hw.ipynb") == "hw"  # no match: the file's stem
    roster.write_text("name,student\nupload_7.ipynb,bob\n")
    with pytest.raises(ValueError, match="needs the columns 'file' and 'student'; received"):
        StudentIds(roster)
    with pytest.raises(ValueError, match="needs a group named 'student'; received '.*'"):
        StudentIds(pattern=r"/(\w+)/hw")


def test_nbgrader_layout_takes_the_folder_name_when_file_names_are_shared(tmp_path):
    layout = [tmp_path / "submitted" / s / "hw2_training.ipynb" for s in ("alice", "bob")]
    paths = [*map(str, layout), str(tmp_path / "carol.ipynb")]
    assert list(assign_ids(paths, StudentIds()).values()) == ["alice", "bob", "carol"]
    # A pattern still wins over the folder.
    ids = assign_ids(paths[:2], StudentIds(pattern=r"/(?P<student>[a-z])[a-z]+/hw2"))
    assert list(ids.values()) == ["a", "b"]


def test_duplicate_student_ids_are_an_error_that_names_them_and_their_files(tmp_path):
    paths = [str(tmp_path / d / "x" / "hw.ipynb") for d in ("one", "two")]
    paths += [str(tmp_path / "three" / "x.ipynb"), str(tmp_path / "y.ipynb")]
    with pytest.raises(IdentityError) as caught:
        assign_ids(paths, StudentIds())
    message = str(caught.value)
    assert message.startswith("1 student id(s) belong to more than one submission (x: ")
    assert all(p in message for p in paths[:3]) and "y.ipynb" not in message
    assert "expected one submission per student" in message


def test_file_names_keep_every_script_and_never_collapse_two_students():
    nfd = unicodedata.normalize("NFD", "José")
    students = ["张三", "李四", "José", "Josè", nfd, "Alice", "alice", "a/b", "a_b", "../x", "-x"]
    students += ["=1+2", "мария", "", "\x1b[2J"]
    names = file_names(students)
    assert len(set(names.values())) == len(set(students))  # one file per student
    assert len({n.casefold() for n in names.values()}) == len(set(students))
    assert names["张三"] == "张三" and names["李四"] == "李四" and names["мария"] == "мария"
    assert names["José"] == "José" and names["Josè"] == "Josè" and names[nfd] == "José-2"
    for name in names.values():
        assert name and unicodedata.is_normalized("NFC", name)
        assert not name.startswith((".", "-")) and "/" not in name and "\x1b" not in name
    assert file_names(reversed(students)) == names  # the same names whatever the order


def _refused(path):
    """read_submission's refusal of ``path``, from a thread, so that a blocking open fails the
    test instead of hanging it."""
    outcome = []

    def read():
        try:
            read_submission(path)
            outcome.append(None)
        except SubmissionError as exc:
            outcome.append(str(exc))
        except Exception as exc:  # the test says which, instead of "blocked"
            outcome.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(30)
    assert outcome, f"reading {path} blocked"
    return outcome[0]


def test_links_fifos_devices_folders_option_names_and_huge_files_are_refused(tmp_path):
    good = submission(tmp_path, "good.ipynb", "hw3_sympy", {})
    assert read_submission(good).cells
    (tmp_path / "link.ipynb").symlink_to(SOURCE / "hw3_sympy.ipynb")
    (tmp_path / "zero.ipynb").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.ipynb")
    (tmp_path / "dir.ipynb").mkdir()
    (tmp_path / "-x.ipynb").write_bytes(good.read_bytes())
    with open(tmp_path / "big.ipynb", "wb") as f:
        f.truncate(MAX_SUBMISSION_BYTES + 1)  # sparse: no disk used
    expected = {
        "link.ipynb": "the file is a symbolic link; expected the notebook itself",
        "zero.ipynb": "the file is a symbolic link; expected the notebook itself",
        "fifo.ipynb": "the file is not a regular file (a FIFO); expected a notebook",
        "dir.ipynb": "the file is not a regular file (a directory); expected a notebook",
        "-x.ipynb": "the file name '-x.ipynb' starts with '-'; expected a notebook name that",
        "big.ipynb": f"the file is {MAX_SUBMISSION_BYTES + 1:,} bytes; expected a notebook under",
    }
    for name, reason in expected.items():
        assert _refused(tmp_path / name).startswith(reason), name
    assert _refused("/dev/null").startswith("the file is not a regular file (a character device)")


def test_a_class_in_nbgrader_layout_with_a_link_and_a_fifo(tmp_path):
    folder = tmp_path / "submitted"
    good = all_solutions("hw3_sympy")
    for student, answers in (("alice", good), ("bob", {}), ("张三", good)):
        (folder / student).mkdir(parents=True)
        submission(folder / student, "hw3_sympy.ipynb", "hw3_sympy", answers)
    for student in ("carol", "dave"):
        (folder / student).mkdir()
    (folder / "carol" / "hw3_sympy.ipynb").symlink_to(SOURCE / "hw3_sympy.ipynb")
    os.mkfifo(folder / "dave" / "hw3_sympy.ipynb")
    paths = sorted(folder.glob("*/hw3_sympy.ipynb"))
    done, _ = grade_cli(
        [], "hw3_sympy", tmp_path, "--jobs", "2", "--gradebook", "book.csv", "--feedback", "fb",
        "--", *map(str, paths), timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    with (tmp_path / "book.csv").open(newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert sorted(rows) == ["alice", "bob", "carol", "dave", "张三"]
    assert float(rows["alice"]["score"]) == float(rows["alice"]["max_score"]) > 0
    assert float(rows["张三"]["score"]) == float(rows["alice"]["score"])
    assert float(rows["bob"]["score"]) == 0.0
    for student in ("carol", "dave"):  # refused, never graded: no points from a link
        assert (rows[student]["status"], rows[student]["score"]) == ("rejected", "0.0")
    feedback = {p.name: p.read_text() for p in (tmp_path / "fb").glob("*.md")}
    assert sorted(feedback) == ["alice.md", "bob.md", "carol.md", "dave.md", "张三.md"]
    assert "symbolic link" in feedback["carol.md"] and "a FIFO" in feedback["dave.md"]
