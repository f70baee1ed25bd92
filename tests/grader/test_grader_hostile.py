"""The grader against submissions written as an attacker would write them.

Every hostile submission is built from the student edition. Each must earn exactly the points
its genuinely correct answers deserve, the batch must finish within its bound, no file outside a
submission's temporary folder may change, and no process may outlive grading. The batches run
through the command line, as an instructor runs them, with two jobs.
"""

import hashlib
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from _homework import ROOT, SOURCE, all_solutions, grade_cli, points, processes_with, submission

from logreg_grader.sandbox import sandbox_mode

MARKER = "logreg-hostile-" + hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]
# Where a submission would plant files for later kernels and for the machine: both must stay empty.
EVIL = Path(tempfile.gettempdir()) / f"{MARKER}-evil"
# The grader runs with this folder as HOME, so that the test watches a home nobody else writes to.
GRADER_HOME = Path(tempfile.gettempdir()) / f"{MARKER}-home"
HOME_STARTUP = GRADER_HOME / ".ipython" / "profile_default" / "startup" / "00-logreg-hostile.py"


def test_bubblewrap_is_available():
    # The hostile cases below rely on the sandbox; .ci/run installs bubblewrap.
    assert sandbox_mode()[0] == "bwrap", sandbox_mode()[1]


def _digest(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def _tree(folder):
    """The files under ``folder`` with their digests (the grader's own process may create the
    empty IPython folder there, as any IPython program does; no submission may add a file)."""
    return {str(Path(p).relative_to(folder)): h for p, h in _digest(folder.rglob("*")).items()}


def hw1_batch(folder):
    """(path, expected points per question) for the hw1 batch."""
    good = all_solutions("hw1_gradient")
    stub = {}
    q1 = {"hw1_q1_answer": good["hw1_q1_answer"]}
    full = {"hw1_q1a": 1.0, "hw1_q1b": 1.0, "hw1_q1c": 1.0, "hw1_q2": 4.0, "hw1_q3": 3.0}
    zero = dict.fromkeys(full, 0.0)
    only_q1 = {**zero, "hw1_q1a": 1.0, "hw1_q1b": 1.0, "hw1_q1c": 1.0}
    honest = submission(folder, "honest.ipynb", "hw1_gradient", good)
    cases = [
        (honest, full),
        (
            submission(
                folder,
                "custom_exc.ipynb",
                "hw1_gradient",
                stub,
                first=["get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"],
            ),
            zero,
        ),
        (
            submission(
                folder,
                "patched_numpy.ipynb",
                "hw1_gradient",
                {
                    "hw1_q1_answer": "dl_dp_j = y_j / p_j\ndz_k_dw_km = x_m\ndp_j_dz_k = p_j\ndl_dw_km = x_m\n",
                    "hw1_q2_answer": "def cross_entropy_grad(W, b, X, Y):\n"
                    "    return np.zeros_like(W), np.zeros_like(b)\n",
                    "hw1_q3_answer": "def numerical_gradient(f, x, h=1e-6):\n    return np.zeros_like(x)\n",
                },
                first=[
                    "import numpy as np, sympy, builtins\n"
                    "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
                    "np.shape = lambda *a, **k: (3, 4)\nbuiltins.abs = lambda x: 0\n"
                    "sympy.simplify = lambda *a, **k: 0\n"
                    "import logreg_book.symbolic as s\ns.is_zero = lambda e: True\n"
                    "s.assert_identity = lambda *a, **k: None\n"
                    "assert_identity = lambda *a, **k: None\n"
                    "get_ipython().showtraceback = lambda *a, **k: None\n"
                ],
            ),
            zero,
        ),
        (
            submission(
                folder,
                "lying_objects.ipynb",
                "hw1_gradient",
                {
                    **q1,
                    "hw1_q2_answer": "class Liar(np.ndarray):\n"
                    "    def __eq__(self, other):\n        return True\n"
                    "    def __array_function__(self, func, types, args, kwargs):\n        return True\n"
                    "def cross_entropy_grad(W, b, X, Y):\n"
                    "    return np.zeros(W.shape).view(Liar), np.zeros(b.shape).view(Liar)\n",
                },
            ),
            only_q1,
        ),
        (
            submission(
                folder,
                "reads_instructor.ipynb",
                "hw1_gradient",
                {
                    "hw1_q2_answer": "import json, glob\n"
                    f"paths = [{str(SOURCE / 'hw1_gradient.ipynb')!r}]\n"
                    "paths += glob.glob('/**/hw1_gradient.ipynb', recursive=True)[:20]\n"
                    "for p in paths:\n"
                    "    try:\n"
                    "        nb = json.load(open(p))\n"
                    "    except Exception:\n"
                    "        continue\n"
                    "    for c in nb['cells']:\n"
                    "        src = ''.join(c['source'])\n"
                    "        if 'def cross_entropy_grad' in src and 'BEGIN SOLUTION' in src:\n"
                    "            exec(src.replace('### BEGIN SOLUTION', '').replace('### END SOLUTION', ''))\n",
                },
            ),
            zero,
        ),
        (
            submission(
                folder,
                "metadata_path.ipynb",
                "hw1_gradient",
                good,
                metadata={"logreg_homework": {"assignment": "../../book/homework/hw1_gradient"}},
            ),
            {},
        ),
        (
            submission(
                folder,
                "os_exit.ipynb",
                "hw1_gradient",
                {
                    **q1,
                    "hw1_q2_answer": "def cross_entropy_grad(W, b, X, Y):\n    import os\n    os._exit(0)\n",
                    "hw1_q3_answer": good["hw1_q3_answer"],
                },
            ),
            only_q1,
        ),
        (
            submission(
                folder,
                "sigint_loop.ipynb",
                "hw1_gradient",
                {
                    **q1,
                    "hw1_q2_answer": good["hw1_q2_answer"],
                    "hw1_q3_answer": "import signal\n"
                    "def numerical_gradient(f, x, h=1e-6):\n"
                    "    signal.signal(signal.SIGINT, signal.SIG_IGN)\n    while True:\n        pass\n",
                },
            ),
            {**full, "hw1_q3": 0.0},
        ),
        (
            submission(
                folder,
                "floods.ipynb",
                "hw1_gradient",
                good,
                first=[
                    "import os\nos.write(1, b'x' * 10_000_000)\nos.write(2, b'y' * 10_000_000)\n"
                    "print('z' * 10_000_000)\n"
                    "from IPython.display import display, HTML\n"
                    "for _ in range(50):\n    display(HTML('w' * 2_000_000))\n"
                ],
            ),
            full,
        ),
        (
            submission(
                folder,
                "writes_elsewhere.ipynb",
                "hw1_gradient",
                good,
                first=[
                    "import os, glob\n"
                    f"targets = glob.glob({str(SOURCE) + '/*.ipynb'!r}) + [{str(folder / 'honest.ipynb')!r}]\n"
                    f"targets += [{str(HOME_STARTUP)!r}, {str(EVIL)!r}]\n"
                    "for t in targets:\n"
                    "    try:\n"
                    "        os.makedirs(os.path.dirname(t), exist_ok=True)\n"
                    "        open(t, 'w').write('get_ipython().set_custom_exc((BaseException,), lambda *a: None)')\n"
                    "    except Exception:\n"
                    "        pass\n"
                    "# a startup file in the kernel's own IPython folder, for whichever kernel comes next\n"
                    "d = os.path.join(os.environ['IPYTHONDIR'], 'profile_default', 'startup')\n"
                    "os.makedirs(d, exist_ok=True)\n"
                    "open(os.path.join(d, '00-evil.py'), 'w').write("
                    "'get_ipython().set_custom_exc((BaseException,), lambda *a: None)')\n"
                ],
            ),
            full,
        ),
        (
            submission(
                folder,
                "background.ipynb",
                "hw1_gradient",
                good,
                first=[
                    "import subprocess, sys\n"
                    f"subprocess.Popen(['sleep', '600', '{MARKER}'])\n"
                    "subprocess.Popen([sys.executable, '-c', "
                    f"'import os, time\\nif os.fork() == 0:\\n    os.setsid()\\n    time.sleep(600)', '{MARKER}'],"
                    " start_new_session=True)\n"
                ],
            ),
            full,
        ),
        (
            submission(
                folder,
                "classmate_snoop.ipynb",
                "hw1_gradient",
                stub,
                first=[
                    "import glob, json, os\n"
                    "for cmdline in glob.glob('/proc/*/cmdline'):\n"
                    "    try:\n"
                    "        words = open(cmdline, 'rb').read().decode(errors='ignore').split('\\0')\n"
                    "    except Exception:\n"
                    "        continue\n"
                    "    for w in words:\n"
                    "        if w.endswith('.ipynb') and os.path.exists(w):\n"
                    "            for c in json.load(open(w))['cells']:\n"
                    "                src = ''.join(c['source'])\n"
                    "                if src.startswith(('def cross_entropy_grad', 'def numerical_gradient', 'dl_dp_j')):\n"
                    "                    exec(src, globals())\n"
                ],
            ),
            zero,
        ),
        (
            submission(
                folder,
                "helper_cell.ipynb",
                "hw1_gradient",
                {
                    **good,
                    "hw1_q2_answer": "def cross_entropy_grad(W, b, X, Y):\n"
                    "    G = (probabilities(W, b, X) - Y) / X.shape[0]\n    return G.T @ X, G.sum(axis=0)\n",
                },
                before={
                    "hw1_q2_answer": [
                        "def probabilities(W, b, X):\n    return softmax(X @ W.T + b)\n"
                    ]
                },
            ),
            full,
        ),  # fmt: skip
        (
            submission(
                folder,
                "duplicate.ipynb",
                "hw1_gradient",
                good,
                duplicate=("hw1_q2_answer", "# YOUR CODE HERE\nraise NotImplementedError()\n"),
            ),
            full,
        ),
    ]
    return cases


@pytest.fixture(scope="module")
def hw1_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hw1-submissions")
    cases = hw1_batch(folder)
    # A wrong assignment, two ways: hw3 handed in for hw1, and hw3 with its metadata edited.
    hw3 = all_solutions("hw3_sympy")
    cases.append((submission(folder, "hw3_as_hw1.ipynb", "hw3_sympy", hw3), {}))
    cases.append(
        (
            submission(
                folder,
                "hw3_relabelled.ipynb",
                "hw3_sympy",
                hw3,
                metadata={"logreg_homework": {"assignment": "hw1_gradient", "edition": "student"}},
            ),
            {},
        )
    )
    (folder / "not_a_notebook.ipynb").write_bytes(os.urandom(2048))
    cases.append((folder / "not_a_notebook.ipynb", {}))
    watched = [*SOURCE.glob("*.ipynb"), *(path for path, _ in cases)]
    before = _digest(watched)
    shutil.rmtree(GRADER_HOME, ignore_errors=True)
    GRADER_HOME.mkdir()
    home_listing = _tree(GRADER_HOME)
    done, results = grade_cli(
        [p for p, _ in cases],
        "hw1_gradient",
        folder,
        "--jobs",
        "2",
        "--timeout",
        "5",
        home=GRADER_HOME,
    )
    time.sleep(1.0)  # anything that escaped would still be running now
    return {
        "cases": cases,
        "done": done,
        "results": results,
        "changed": {p for p, h in before.items() if _digest([Path(p)]).get(p) != h},
        "home_listing": (home_listing, _tree(GRADER_HOME)),
        "leftover": processes_with(MARKER),
    }


def test_every_hostile_submission_earns_exactly_what_its_correct_answers_deserve(hw1_results):
    results = hw1_results["results"]
    table = []
    for path, expected in hw1_results["cases"]:
        result = results[path.name]
        table.append((path.name, result["score"], result["status"]))
        if expected:
            assert result["status"] == "graded", (path.name, result["notes"])
            assert points(result) == expected, (path.name, points(result), result)
        else:
            assert result["status"] == "rejected" and result["score"] == 0, (path.name, result)
    print("\n".join(f"{n:24s} {s:5.1f}  {st}" for n, s, st in table))


def test_wrong_assignments_are_reported_as_such(hw1_results):
    results = hw1_results["results"]
    assert "not for hw1_gradient" in results["hw3_as_hw1.ipynb"]["notes"][0]
    assert "those of hw3_sympy" in results["hw3_relabelled.ipynb"]["notes"][0]
    assert "expected one of" in results["metadata_path.ipynb"]["notes"][0]
    assert "not a" in results["not_a_notebook.ipynb"]["notes"][0]


def test_the_batch_finishes_and_reports_only_on_stdout(hw1_results):
    done = hw1_results["done"]
    assert done.returncode == 0, done.stderr[-2000:]
    # 10 MB through fd 1 and 2, 10 MB printed and 100 MB displayed: none of it reaches the grader's output
    assert len(done.stdout) < 20_000 and len(done.stderr) < 20_000
    assert "xxxxxxxxxx" not in done.stdout and "zzzzzzzzzz" not in done.stdout
    assert f"graded {len(hw1_results['cases'])} submission(s)" in done.stdout
    peak = float(re.search(r"peak memory: (\d+) MB", done.stdout).group(1))
    assert peak < 300  # 100 MB of display output never sits in the grader's memory
    # A loop that ignores SIGINT, with --timeout 5, is killed after seconds, not at the submission
    # timeout (300 s); the margin is wide so that a busy machine cannot fail this.
    assert hw1_results["results"]["sigint_loop.ipynb"]["seconds"] < 150


def test_no_file_outside_the_sandbox_changed_and_no_process_survived(hw1_results):
    assert not hw1_results["changed"]
    before, after = hw1_results["home_listing"]
    assert before == after
    assert not HOME_STARTUP.exists()
    assert not EVIL.exists()
    assert not hw1_results["leftover"], "processes started by a submission outlived grading"


def test_duplicates_and_helpers_are_explained_to_the_student(hw1_results):
    results = hw1_results["results"]
    assert any(
        "2 cells carry the grade id hw1_q2_answer" in n for n in results["duplicate.ipynb"]["notes"]
    )
    assert not any("extra code cell" in n for n in results["helper_cell.ipynb"]["notes"])
    sigint = {q["grade_id"]: q["reason"] for q in results["sigint_loop.ipynb"]["questions"]}
    assert "interrupt was ignored" in sigint["hw1_q3"]


def test_hostile_answers_to_the_other_assignments(tmp_path):
    hw2 = all_solutions("hw2_training")
    liar = (
        "class Yes(str):\n    def __eq__(self, other):\n        return True\n"
        "    __hash__ = str.__hash__\n"
        "answer_first_step, answer_lowest, answer_blowup = Yes('lower'), Yes('0.5'), Yes('10')\n"
    )
    cases2 = [
        (
            submission(
                tmp_path,
                "showtraceback.ipynb",
                "hw2_training",
                {},
                first=["get_ipython().showtraceback = lambda *a, **k: None"],
            ),
            {"hw2_q1": 0.0, "hw2_q2": 0.0, "hw2_q3a": 0.0, "hw2_q3b": 0.0, "hw2_q3c": 0.0},
        ),
        (
            submission(tmp_path, "lying_str.ipynb", "hw2_training", {**hw2, "hw2_q3_answer": liar}),
            {"hw2_q1": 3.0, "hw2_q2": 2.0, "hw2_q3a": 0.0, "hw2_q3b": 0.0, "hw2_q3c": 0.0},
        ),
    ]
    done, results = grade_cli([p for p, _ in cases2], "hw2_training", tmp_path, "--jobs", "2")
    assert done.returncode == 0, done.stderr[-2000:]
    for path, expected in cases2:
        assert points(results[path.name]) == expected, (path.name, results[path.name])
    wrong = {
        "hw3_q1_answer": "original = softmax([z1, z2, z3])\nshifted = original\n",
        "hw3_q2_answer": "w_hat = w2 - w1\n",
        "hw3_q3_answer": "counterexample = {z1: 0, z2: 0, z3: 0}\n"
        "corrected = z1 - sp.log(sp.exp(z2) + sp.exp(z3))\n",
    }
    cheat = (
        "import builtins, logreg_book.symbolic as s\nbuiltins.abs = lambda x: 0\nbuiltins.all = lambda x: True\n"
        "s.assert_identity = s.assert_not_identity = lambda *a, **k: None\n"
        "assert_identity = assert_not_identity = lambda *a, **k: None\n"
    )
    path = submission(tmp_path, "replaced_helpers.ipynb", "hw3_sympy", wrong, first=[cheat])
    done, results = grade_cli([path], "hw3_sympy", tmp_path)
    assert points(results[path.name]) == {"hw3_q1": 0.0, "hw3_q2": 0.0, "hw3_q3": 0.0}, results
