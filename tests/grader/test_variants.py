"""Per-student variants: ``release --roster`` writes one signed notebook per student, and
``grade --key-file`` verifies it and grades it against the reference of its own seed."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import _homework
import nbformat
import numpy as np
import pytest
from _homework import ASSIGNMENTS, SOURCE, all_solutions, grade_cli, instructor

from logreg_grader import load_assignments, student_edition
from logreg_grader.editions import GRADER_KEY, nbgrader_meta
from logreg_grader.probes import decode
from logreg_grader.reference_cache import reference_key
from logreg_grader.variants import (
    derive_seed,
    read_roster,
    sign,
    variant_assignment,
    variant_cell,
    verify,
)

KEY = b"0f1e2d3c4b5a69788796a5b4c3d2e1f00123456789abcdef"
TERM = "2027-spring"
STUDENTS = ["alice", "bob", "carol", "dave", "erin", "张三"]
PATTERN = r"/(?P<student>[^/]+)/hw\d_\w+\.ipynb$"


def _release(dest, *extra):
    command = [sys.executable, "-m", "logreg_grader", "release", "--source", str(SOURCE)]
    return subprocess.run(
        [*command, "--dest", str(dest), *extra], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    folder = tmp_path_factory.mktemp("variants")
    (folder / "course.key").write_bytes(KEY + b"\n")
    (folder / "roster.csv").write_text("student,name\n" + "".join(f"{s},x\n" for s in STUDENTS))
    done = _release(
        folder / "release", "--roster", str(folder / "roster.csv"), "--seed", TERM,
        "--key-file", str(folder / "course.key"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return folder


def _read(path):
    return nbformat.read(path, as_version=4)


def _answered(released, student, name, dest, owner=None):
    """``owner``'s released notebook with the instructor's answers, handed in as ``student``."""
    nb = _read(released / "release" / (owner or student) / f"{name}.ipynb")
    answers = all_solutions(name)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    (dest / student).mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest / student / f"{name}.ipynb")
    return dest / student / f"{name}.ipynb"


def _by_student(tmp_path, name):
    """The JSON lines of a run by student folder (the files are all named after the assignment,
    so ``grade_cli``'s results, keyed by file name, keep only one)."""
    lines = (tmp_path / f"{name}-results.jsonl").read_text().splitlines()
    return {Path(r["submission"]).parent.name: r for r in map(json.loads, lines)}


def _reference(name, seed):
    """The reference values of a variant, as the grader stored them in the tests' shared cache."""
    assignment = variant_assignment(load_assignments(SOURCE)[name], seed)
    stored = _homework.REFERENCE_CACHE / f"{reference_key(assignment)}.json"
    payloads = json.loads(stored.read_text())  # the values as the probes sent them
    return {
        t.grade_id: {name: decode(text) for name, text in payloads[t.grade_id].items()}
        for t in assignment.tests
    }


def test_seeds_depend_on_key_term_assignment_and_student():
    seed = derive_seed(KEY, TERM, "hw1_gradient", "alice")
    assert seed == derive_seed(KEY, TERM, "hw1_gradient", " alice ")  # deterministic
    others = {
        derive_seed(KEY[::-1], TERM, "hw1_gradient", "alice"),
        derive_seed(KEY, "2027-fall", "hw1_gradient", "alice"),
        derive_seed(KEY, TERM, "hw2_training", "alice"),
        derive_seed(KEY, TERM, "hw1_gradient", "bob"),
    }
    assert seed not in others and len(others) == 4


def test_each_student_gets_a_signed_variant_with_the_same_questions(released):
    for name in ("hw1_gradient", "hw2_training"):
        notebooks = {s: _read(released / "release" / s / f"{name}.ipynb") for s in STUDENTS[:2]}
        index = variant_cell(instructor(name))
        seeds = {}
        for student, nb in notebooks.items():
            variant = nb.metadata[GRADER_KEY]["variant"]
            assert verify(KEY, name, variant) == (student, variant["seed"])
            assert variant["seed"] == derive_seed(KEY, TERM, name, student)
            assert f"VARIANT_SEED = {variant['seed']}\n" in nb.cells[index].source + "\n"
            seeds[student] = variant["seed"]
        assert len(set(seeds.values())) == 2, seeds
        # Only the seed differs: every question, answer stub and check is the same for both.
        alice, bob = (nb.cells for nb in notebooks.values())
        assert [c.source for i, c in enumerate(alice) if i != index] == [
            c.source for i, c in enumerate(bob) if i != index
        ]
    # hw3 has no variant cell: every student receives the common student edition.
    common = student_edition(instructor("hw3_sympy"))
    for student in STUDENTS:
        nb = _read(released / "release" / student / "hw3_sympy.ipynb")
        assert nb == common and "variant" not in nb.metadata[GRADER_KEY]


def test_the_key_is_in_no_released_notebook(released):
    paths = sorted((released / "release").rglob("*.ipynb"))
    assert len(paths) == len(ASSIGNMENTS) * len(STUDENTS)
    for path in paths:
        text = path.read_bytes()
        assert KEY not in text and KEY.decode().encode("unicode_escape") not in text, path


def test_a_changed_seed_or_student_breaks_the_signature(released):
    variant = _read(released / "release" / "bob" / "hw1_gradient.ipynb").metadata[GRADER_KEY][
        "variant"
    ]
    for change in ({"seed": variant["seed"] + 1}, {"student": "alice"}, {"signature": "0" * 64}):
        with pytest.raises(ValueError, match="signature of the notebook's variant does not match"):
            verify(KEY, "hw1_gradient", {**variant, **change})
    with pytest.raises(ValueError, match="signature"):
        verify(KEY, "hw2_training", variant)  # signed for another assignment
    for broken in (None, {**variant, "seed": True}, {**variant, "seed": "12"}, {"student": 1}):
        with pytest.raises(ValueError, match="no signed variant|malformed"):
            verify(KEY, "hw1_gradient", broken)
    assert sign(KEY, "hw1_gradient", "bob", variant["seed"]) == variant["signature"]


def test_the_roster_refuses_ids_it_would_merge(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student\n张三\nJosé\nJosè\n")
    assert read_roster(roster) == ["张三", "José", "Josè"]  # distinct letters stay distinct
    cases = [
        ("a b\na_b\n", "share the folder name"),
        ("bob\n bob\n", "the same"),
        ("ok\n\n\n,\n", "line 5: the student id is empty"),
        ("../..\n", "no letter or digit"),
    ]
    for rows, message in cases:
        roster.write_text("student\n" + rows)
        with pytest.raises(ValueError, match=message):
            read_roster(roster)
    roster.write_text("file,name\nx.ipynb,bob\n")
    with pytest.raises(ValueError, match="needs a column 'student'"):
        read_roster(roster)


def test_release_without_a_roster_is_unchanged(tmp_path, released):
    done = _release(tmp_path / "plain")
    assert done.returncode == 0 and done.stdout.count("wrote") == len(ASSIGNMENTS), done.stderr
    for path in sorted((tmp_path / "plain").iterdir()):
        nb = _read(path)
        assert nb == student_edition(instructor(path.stem)), path.name
        assert "variant" not in nb.metadata[GRADER_KEY]
    plain = _read(tmp_path / "plain" / "hw1_gradient.ipynb")
    assert plain.cells[variant_cell(instructor("hw1_gradient"))].source.endswith("VARIANT_SEED = 0")
    partial = _release(tmp_path / "partial", "--roster", str(released / "roster.csv"))
    assert partial.returncode == 2 and "--seed and --key-file together" in partial.stderr
    assert not (tmp_path / "partial").exists()


def test_hw1_variants_are_graded_against_their_own_seed(released, tmp_path):
    subs = tmp_path / "submitted"
    paths = [
        _answered(released, "alice", "hw1_gradient", subs),
        _answered(released, "bob", "hw1_gradient", subs),
        _answered(released, "carol", "hw1_gradient", subs, owner="alice"),  # alice's, as carol's
        _answered(released, "dave", "hw1_gradient", subs),
    ]
    # dave takes bob's seed, in the cell and in the metadata: the signature no longer holds.
    dave = _read(paths[3])
    bob_seed = derive_seed(KEY, TERM, "hw1_gradient", "bob")
    dave.metadata[GRADER_KEY]["variant"]["seed"] = bob_seed
    index = variant_cell(instructor("hw1_gradient"))
    dave.cells[index].source = f"VARIANT_SEED = {bob_seed}\n"
    nbformat.write(dave, paths[3])
    # erin hands in the common student edition, which carries no variant.
    (subs / "erin").mkdir()
    nbformat.write(
        student_edition(instructor("hw1_gradient")), subs / "erin" / "hw1_gradient.ipynb"
    )
    paths.append(subs / "erin" / "hw1_gradient.ipynb")
    done, _ = grade_cli(
        paths, "hw1_gradient", tmp_path, "--jobs", "2", "--key-file",
        str(released / "course.key"), "--student-pattern", PATTERN,
    )  # fmt: skip
    by_student = _by_student(tmp_path, "hw1_gradient")
    assert sorted(by_student) == ["alice", "bob", "carol", "dave", "erin"], done.stdout
    for student in ("alice", "bob"):
        result = by_student[student]
        assert result["score"] == 10.0, (result, done.stderr)
        assert result["variant"] == {
            "student": student,
            "seed": derive_seed(KEY, TERM, "hw1_gradient", student),
        }
    carol, dave, erin = by_student["carol"], by_student["dave"], by_student["erin"]
    assert carol["status"] == "rejected" and "variant of alice" in carol["notes"][0]
    assert "handed in as carol" in carol["notes"][0]
    assert dave["status"] == "rejected" and "signature" in dave["notes"][0]
    assert erin["status"] == "rejected" and "no signed variant" in erin["notes"][0]
    assert done.returncode == 0, done.stderr
    # The two students' hidden inputs, hence reference values, differ; the derivations do not.
    alice, bob = (
        _reference("hw1_gradient", by_student[s]["variant"]["seed"]) for s in ("alice", "bob")
    )
    assert not np.allclose(alice["hw1_q2"]["grad_W_1"], bob["hw1_q2"]["grad_W_1"])
    assert not np.allclose(alice["hw1_q3"]["cross_entropy"], bob["hw1_q3"]["cross_entropy"])
    for grade_id in ("hw1_q1a", "hw1_q1b", "hw1_q1c"):
        assert alice[grade_id] == bob[grade_id]


def test_hw2_variants_split_the_digits_differently(released, tmp_path):
    subs = tmp_path / "submitted"
    paths = [_answered(released, s, "hw2_training", subs) for s in ("alice", "bob")]
    done, _ = grade_cli(
        paths, "hw2_training", tmp_path, "--jobs", "2", "--key-file",
        str(released / "course.key"), "--student-pattern", PATTERN,
    )  # fmt: skip
    results = _by_student(tmp_path, "hw2_training")
    assert sorted(results) == ["alice", "bob"], done.stdout + done.stderr
    for result in results.values():
        assert result["score"] == result["max_score"] == 8.0, (result, done.stderr)
    alice, bob = (
        _reference("hw2_training", derive_seed(KEY, TERM, "hw2_training", s))
        for s in ("alice", "bob")
    )
    assert not np.array_equal(alice["hw2_q2"]["X_test"], bob["hw2_q2"]["X_test"])
    assert not np.allclose(alice["hw2_q1"]["W"], bob["hw2_q1"]["W"])
    assert [alice[g] for g in ("hw2_q3a", "hw2_q3b", "hw2_q3c")] == [
        bob[g] for g in ("hw2_q3a", "hw2_q3b", "hw2_q3c")
    ]


def test_a_variant_graded_without_the_key_is_the_graders_error(released, tmp_path):
    path = _answered(released, "alice", "hw1_gradient", tmp_path / "submitted")
    done, results = grade_cli([path], "hw1_gradient", tmp_path)
    (result,) = results.values()
    assert result["status"] == "grader-error" and done.returncode == 1
    assert "--key-file" in " ".join(result["details"]) and "key" in result["notes"][0]
    shutil.rmtree(tmp_path / "submitted")


def test_the_key_file_is_checked_before_grading(tmp_path):
    (tmp_path / "short.key").write_text("hunter2pw\n")
    done, _ = grade_cli([tmp_path / "x.ipynb"], "hw1_gradient", tmp_path, "--key-file",
                        str(tmp_path / "short.key"))  # fmt: skip
    assert done.returncode == 2 and "at least 16" in done.stderr, done.stderr
    assert "hunter2pw" not in done.stdout + done.stderr and "reference values" not in done.stdout


def test_the_grader_runs_a_variant_with_its_seed_in_the_cell_and_the_probes():
    original = load_assignments(SOURCE)["hw1_gradient"]
    index = variant_cell(original.notebook)
    variant = variant_assignment(original, 42)
    assert variant.notebook.cells[index].source.endswith("\nVARIANT_SEED = 42")
    assert original.notebook.cells[index].source.endswith("\nVARIANT_SEED = 0")  # not changed
    probes = "\n".join(t.probe for t in variant.tests)
    assert "VARIANT_SEED" not in probes and "default_rng([20261129, 42])" in probes
    assert "VARIANT_SEED" in "\n".join(t.probe for t in original.tests)


def test_the_variant_cell_is_one_code_cell_that_sets_the_seed_once():
    nb = instructor("hw1_gradient")
    index = variant_cell(nb)
    nb.cells[index].source += "\nVARIANT_SEED = 1\n"
    with pytest.raises(ValueError, match="VARIANT_SEED = <integer> on a line of its own, once"):
        variant_cell(nb)
    nb = instructor("hw1_gradient")
    nb.cells[index + 1].metadata[GRADER_KEY] = {"variant": True}
    with pytest.raises(ValueError, match="2 cells are marked"):
        variant_cell(nb)
    assert variant_cell(instructor("hw3_sympy")) is None
