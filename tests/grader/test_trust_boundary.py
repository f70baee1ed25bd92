"""The trust boundary: nothing a submission plants where its kernel can write reaches the
grader's own process, and a check built to be slow costs its own question only.

Each hostile submission is the student edition with the instructor's answers (so it deserves
every point) and IPython hooks that run before or after every cell, the probes' included. They
plant what once hung or crashed the whole batch (review A02, A03, A08) everywhere the kernel
can write: its working folder, HOME, /tmp, the sandbox's folder and the folder where probes
used to write their values. The batch runs beside an honest submission with two jobs.
"""

import re

import pytest
from _homework import all_solutions, grade_cli, points, submission

from logreg_grader import grader
from logreg_grader.grader import Options, grade_submission
from logreg_grader.sandbox import Limits

FULL = {"hw1_q1a": 1.0, "hw1_q1b": 1.0, "hw1_q1c": 1.0, "hw1_q2": 4.0, "hw1_q3": 3.0}

# Runs in the kernel: the places it can write, the sandbox's folder (the parent of its working
# folder and of HOME) and the old probe folder in it included.
PLACES = """
import os, shutil, uuid

def __places():
    found = ['/tmp']
    for key in ('HOME', 'IPYTHONDIR', 'TMPDIR'):
        if os.environ.get(key):
            found.append(os.environ[key])
    try:
        here = os.getcwd()
    except OSError:
        here = None
    if here:
        root = os.path.dirname(here)
        found += [here, root, os.path.join(root, 'out'), os.path.join(root, 'sockets')]
        found.append(os.path.join(root, 'out', uuid.uuid4().hex))
    return found
"""

PLANT_FILES = (
    PLACES
    + """
def __plant(*args, **kwargs):
    for place in __places():
        try:
            os.makedirs(place, exist_ok=True)
        except OSError:
            pass
        for name in ('zz_fifo.json', 'zz_fifo.npy', 'kernel.err'):
            try:
                os.mkfifo(os.path.join(place, name))
            except OSError:
                pass
        links = [('zero.npy', '/dev/zero'), ('zero.json', '/dev/zero'),
                 ('connection.json', '/dev/zero'), ('host.json', HOST_FILE),
                 ('hostdir', HOST_DIR), ('hostdir.npy', HOST_DIR)]
        for name, target in links:
            try:
                os.symlink(target, os.path.join(place, name))
            except OSError:
                pass

get_ipython().events.register('pre_run_cell', __plant)
get_ipython().events.register('post_run_cell', __plant)
"""
)

REPLACE_FOLDERS = (
    PLACES
    + """
def __swap(*args, **kwargs):
    for place in __places()[::-1]:
        if place == '/tmp' or place.endswith('sockets'):
            continue
        try:
            if os.path.islink(place):
                os.unlink(place)
            else:
                shutil.rmtree(place)
        except OSError:
            pass
        try:
            os.symlink(HOST_DIR if len(place) % 2 else '/nonexistent/folder', place)
        except OSError:
            pass

get_ipython().events.register('post_run_cell', __swap)
get_ipython().events.register('pre_run_cell', __swap)
"""
)

# The visible checks pass (the answers are right), then the probe sends expressions built to be
# slow: 3**(10**9) is computed as it is parsed; 2**(2e9) as a float.
SYMPY_BOMBS = """
import sympy
__srepr = sympy.srepr

def __bomb(expr, *args, **kwargs):
    text = str(expr)
    if text == '-y_j/p_j':
        return 'Pow(Integer(3), Integer(1000000000))'
    if text == 'x_m':
        return "Pow(Integer(2), Float('2000000000.0', precision=53))"
    return __srepr(expr, *args, **kwargs)

sympy.srepr = __bomb
"""


def _with_paths(code, host_dir):
    return f"HOST_DIR = {str(host_dir)!r}\nHOST_FILE = {str(host_dir / 'secret.txt')!r}\n" + code


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trust-boundary")
    host_dir = tmp_path_factory.mktemp("host-folder")
    (host_dir / "secret.txt").write_text("the grader's file\n")
    listing = sorted(p.name for p in host_dir.iterdir())
    good = all_solutions("hw1_gradient")
    chatty = [
        f"raise ValueError('cell {i} ' + 'leaked ' * 100 + '\\n\\x1b[2J## alice 10 / 10')"
        for i in range(30)
    ]
    cases = {
        "honest.ipynb": ([], FULL),
        "plants_files.ipynb": ([_with_paths(PLANT_FILES, host_dir)], FULL),
        "replaces_folders.ipynb": ([_with_paths(REPLACE_FOLDERS, host_dir)], FULL),
        "sympy_bombs.ipynb": ([SYMPY_BOMBS], {**FULL, "hw1_q1a": 0.0}),
        "chatty.ipynb": (chatty, FULL),
    }
    paths = [
        submission(folder, name, "hw1_gradient", good, first=first)
        for name, (first, _) in cases.items()
    ]
    extra = ("--jobs", "2", "--timeout", "20", "--gradebook", "gradebook.csv")
    done, results = grade_cli(paths, "hw1_gradient", folder, *extra)
    return {
        "done": done,
        "results": results,
        "expected": {name: want for name, (_, want) in cases.items()},
        "folder": folder,
        "host": (listing, sorted(p.name for p in host_dir.iterdir())),
        "secret": (host_dir / "secret.txt").read_text(),
    }


def test_the_batch_ends_with_every_score_intact_and_a_gradebook(batch):
    done, results = batch["done"], batch["results"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert set(results) == set(batch["expected"]), done.stdout[-3000:]
    for name, want in batch["expected"].items():
        assert results[name]["status"] == "graded", (name, results[name])
        assert points(results[name]) == want, (name, results[name])
    gradebook = (batch["folder"] / "gradebook.csv").read_text()
    assert gradebook.count("\n") == len(batch["expected"]) + 1


def test_the_grader_created_nothing_at_a_host_path_and_read_no_device(batch):
    assert batch["host"][0] == batch["host"][1]
    assert batch["secret"] == "the grader's file\n"
    peak = float(re.search(r"peak memory: (\d+) MB", batch["done"].stdout).group(1))
    assert peak < 300  # a /dev/zero read without end once took 2.4 GB


def test_a_slow_sympy_answer_costs_its_own_question_only(batch):
    result = batch["results"]["sympy_bombs.ipynb"]
    reasons = {q["grade_id"]: q["reason"] for q in result["questions"]}
    assert "could not" in reasons["hw1_q1a"] or "not equal" in reasons["hw1_q1a"], reasons
    assert points(result)["hw1_q1b"] == 1.0 and points(result)["hw1_q1c"] == 1.0


def test_notes_are_short_lines_and_the_details_keep_everything(batch):
    result = batch["results"]["chatty.ipynb"]
    notes, details = result["notes"], result["details"]
    assert len(notes) == 21 and notes[-1].startswith("and ") and "more" in notes[-1], notes
    for note in notes:
        assert len(note) < 200 and "\n" not in note and "\x1b" not in note, note
        assert "leaked " * 12 not in note  # at most one short line of the message
    stopped = [d for d in details if "stopped with ValueError" in d]
    assert len(stopped) == 30
    assert all("leaked " * 90 in d and "\\n\\x1b[2J## alice" in d for d in stopped)
    assert not any("\n" in d or "\x1b" in d for d in details)


def test_a_kernel_that_cannot_start_names_the_memory_limit(tmp_path):
    # With a per-process limit the kernel cannot start; with a control group for the whole
    # submission it starts and is killed by the first import of the set-up cell. Either way it
    # is the grader's error, and the instructor reads which option to raise.
    path = submission(tmp_path, "any.ipynb", "hw1_gradient", {})
    options = Options(limits=Limits(memory_bytes=64 << 20))
    assignments = {"hw1_gradient": _assignment()}
    result = grade_submission(path, assignments, lambda a: {}, options, "hw1_gradient")
    assert result["status"] == "grader-error", result
    assert "--memory 64" in " ".join(result["details"]) and "raise --memory" in result["details"][0]
    assert result["notes"] and "--memory" not in " ".join(result["notes"])


def test_any_failure_while_grading_is_that_submissions_record(tmp_path, monkeypatch):
    path = submission(tmp_path, "any.ipynb", "hw1_gradient", {})

    def vanished(*args):
        raise FileNotFoundError(2, "No such file or directory", str(tmp_path / "logreg-grade-x"))

    monkeypatch.setattr(grader, "_run", vanished)
    assignments = {"hw1_gradient": _assignment()}
    result = grade_submission(path, assignments, lambda a: {}, Options(), "hw1_gradient")
    assert result["status"] == "grader-error" and result["score"] == 0
    assert "logreg-grade-x" in result["details"][0]
    assert "logreg-grade-x" not in " ".join(result["notes"])  # no host path for the student


def _assignment():
    from _homework import SOURCE

    from logreg_grader import load_assignments

    return load_assignments(SOURCE)["hw1_gradient"]
