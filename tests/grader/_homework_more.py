"""Homework 4 to 6 against answers that look right and are not, and against faked checks.

The checks live here; test_homework_hw4.py, test_homework_hw5.py and test_homework_hw6.py each
import them for one assignment (their ``name`` fixture), so that pytest-xdist's workers
(``--dist loadfile``) grade the three assignments side by side.

For each assignment one grading batch (through the command line, as an instructor grades), which
also holds test_grader.py's submissions of the assignment (``wrong_submissions``), so that the
assignment is graded once:

- the instructor's notebook earns every point, the released edition none, and each wrong answer
  that a visible check catches loses its points with the check's hint (as for hw1 to hw3 in
  test_grader.py);
- the instructor's answers earn every point;
- a *plausible* wrong answer passes the visible check a student runs, and loses its points to the
  grader's comparison on inputs the student has not seen (the reason is the comparison's, not the
  visible check's); every other question keeps its points;
- a submission that patches NumPy, SymPy or the library so that the visible checks pass with
  worthless answers, or that returns an object lying about its comparisons, earns nothing for them.

Then the instructor's notebook itself runs (as nbgrader runs it, hidden tests included) with the
plausible wrong answers: each must fail exactly its own test cell, so the hidden tests that an
nbgrader course relies on catch what the visible checks let through.
"""

import re

import pytest
from _homework import all_solutions, grade_cli, instructor, points, submission
from nbclient import NotebookClient
from test_grader import (
    REPORTS,
    check_solutions_and_released,
    check_wrong_answers_hinted,
    wrong_submissions,
)

from logreg_grader.editions import nbgrader_meta

# (answer cell, its wrong source, the tests it must lose). Each passes the visible checks.
PLAUSIBLE = {
    "hw4_geometry": [
        # Moves each point along w_j to the tie, not along the normal: a tie, not the closest.
        ("hw4_q1_answer", "def project_to_boundary(W, b, j, k, X):\n"
         "    normal, offset = W[j] - W[k], b[j] - b[k]\n"
         "    return X - np.outer((X @ normal + offset) / (W[j] @ normal), W[j])\n", ["hw4_q1"]),
        # Averages over the distinct inputs instead of weighting each by n_j / n.
        ("hw4_q2_answer", "def ce_decomposition(W, b, X, y):\n"
         "    rows, group = np.unique(X, axis=0, return_inverse=True)\n"
         "    group = np.ravel(group)\n"
         "    p = np.zeros((len(rows), W.shape[0]))\n"
         "    np.add.at(p, (group, y), 1.0)\n"
         "    p /= p.sum(axis=1, keepdims=True)\n"
         "    log_p = np.log(np.where(p > 0, p, 1.0))\n"
         "    log_q = log_softmax(rows @ W.T + b)\n"
         "    H = -np.mean(np.sum(p * log_p, axis=1))\n"
         "    KL = np.mean(np.sum(np.where(p > 0, p * (log_p - log_q), 0.0), axis=1))\n"
         "    return float(H), float(KL)\n", ["hw4_q2"]),
        # A factor 2 too small: alpha / 2 taken for alpha.
        ("hw4_q3_answer", "penalty_slope = w / sigma**2\nalpha = 1 / (2 * n * sigma**2)\n",
         ["hw4_q3b"]),
    ],
    "hw5_second_order": [
        # Penalizes the intercept as well: the visible check uses alpha = 0, the grader does not.
        ("hw5_q1_answer", "def newton_step(w, b, X, y, alpha):\n"
         "    X1 = np.column_stack([X, np.ones(len(X))])\n"
         "    theta = np.append(w, b)\n"
         "    q = sigmoid(X1 @ theta)\n"
         "    grad = X1.T @ (q - y) / len(X) + alpha * theta\n"
         "    H = (X1.T * (q * (1 - q))) @ X1 / len(X) + alpha * np.eye(len(theta))\n"
         "    theta = theta - np.linalg.solve(H, grad)\n"
         "    return theta[:-1], float(theta[-1])\n", ["hw5_q1"]),
        # Keeps only the newest pair: the secant condition for that pair still holds.
        ("hw5_q2_answer", "def two_loop(g, pairs, h0):\n"
         "    r = h0 * np.array(g, dtype=float)\n"
         "    for s, y in pairs[-1:]:\n"
         "        a = (s @ g) / (y @ s)\n"
         "        r = h0 * (g - a * y)\n"
         "        r = r + (a - (y @ r) / (y @ s)) * s\n"
         "    return r\n", ["hw5_q2"]),
        # The w-w entry for the b-b entry: positive, free of y, and wrong.
        ("hw5_q3_answer", "q = symbolic.sigmoid(w * x + b)\n"
         "hessian_entries = [x**2 * q * (1 - q), x * q * (1 - q), x**2 * q * (1 - q)]\n",
         ["hw5_q3"]),
    ],
    "hw6_evaluation": [
        # Bins [(b-1)/M, b/M): a confidence on an edge lands one bin too high.
        ("hw6_q1_answer", "def reliability(probs, y, n_bins):\n"
         "    confidence = probs.max(axis=1)\n"
         "    index = np.minimum(np.floor(confidence * n_bins).astype(int), n_bins - 1)\n"
         "    counts = np.bincount(index, minlength=n_bins)\n"
         "    keep = counts > 0\n"
         "    hits = np.bincount(index, weights=probs.argmax(axis=1) == y, minlength=n_bins)\n"
         "    total = np.bincount(index, weights=confidence, minlength=n_bins)\n"
         "    return counts[keep], hits[keep] / counts[keep], total[keep] / counts[keep]\n\n\n"
         "def ece(probs, y, n_bins):\n"
         "    counts, accuracies, confidences = reliability(probs, y, n_bins)\n"
         "    return float(np.sum(counts / counts.sum() * np.abs(accuracies - confidences)))\n",
         ["hw6_q1a"]),
        # A correct (a), and (b) answered the wrong way round.
        ("hw6_q2_answer", None, ["hw6_q2b"]),
        # f'(beta) at beta = 0 for every beta: negative where the check looks, and wrong elsewhere.
        ("hw6_q3_answer", "slope = (z2 - z1) / 2 + 0 * beta\ncurvature = sp.diff(f, beta, 2)\n",
         ["hw6_q3a"]),
    ],
}  # fmt: skip


def _answers(name, grade_id, source):
    good = all_solutions(name)
    if source is None:  # hw6 (b): the correct code, then the other answer of the two
        source = good[grade_id] + (
            "answer_lower_log_loss = {'ovr': 'multinomial', 'multinomial': 'ovr'}"
            "[answer_lower_log_loss]\n"
        )
    return {**good, grade_id: source}


# Worthless answers behind patched checks: each question's visible check passes or not, but the
# grader's comparison must give nothing for them.
PATCHES = (
    "import builtins\nimport numpy as np\nimport sympy\nimport logreg_book.symbolic as s\n"
    "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
    "np.all = lambda *a, **k: True\nnp.any = lambda *a, **k: True\n"
    "np.max = lambda *a, **k: 0.0\nnp.mean = lambda *a, **k: 1.0\n"
    "builtins.abs = lambda x: 0\nbuiltins.float = lambda x=0: 1.0\n"
    "sympy.simplify = lambda *a, **k: 0\ns.is_zero = lambda e: True\n"
    "s.assert_identity = lambda *a, **k: None\n"
    "get_ipython().showtraceback = lambda *a, **k: None\n"
)
FAKED = {
    "hw4_geometry": {
        "hw4_q1_answer": "def project_to_boundary(W, b, j, k, X):\n    return np.zeros_like(X)\n",
        "hw4_q2_answer": "def ce_decomposition(W, b, X, y):\n    return 0.0, 0.0\n",
        "hw4_q3_answer": "penalty_slope = w\nalpha = 1 / n\n",
    },
    "hw5_second_order": {
        "hw5_q1_answer": "def newton_step(w, b, X, y, alpha):\n    return np.zeros_like(w), 0.0\n",
        "hw5_q2_answer": "def two_loop(g, pairs, h0):\n    return h0 * g\n",
        "hw5_q3_answer": "hessian_entries = [x**2, x, w**2]\n",
    },
    "hw6_evaluation": {
        "hw6_q1_answer": "def reliability(probs, y, n_bins):\n"
        "    return np.ones(1), np.ones(1), np.ones(1)\n\n\n"
        "def ece(probs, y, n_bins):\n    return 0.0\n",
        "hw6_q2_answer": "def ovr_proba(X_train, y_train, X_test, alpha):\n"
        "    return np.full((len(X_test), 4), 0.25)\n\n\nanswer_lower_log_loss = 'ovr'\n",
        "hw6_q3_answer": "slope = -beta\ncurvature = beta**2\n",
    },
}
# An answer that returns zeros as an ndarray subclass claiming equality with anything; the tests
# it loses (hw6: ece() lies too).
LIAR = (
    "class Liar(np.ndarray):\n"
    "    def __eq__(self, other):\n        return True\n"
    "    def __array_function__(self, func, types, args, kwargs):\n        return True\n\n\n"
)
LYING = {
    "hw4_geometry": ("hw4_q1_answer", "def project_to_boundary(W, b, j, k, X):\n"
                     "    return np.zeros(X.shape).view(Liar)\n", ["hw4_q1"]),
    "hw5_second_order": ("hw5_q2_answer", "def two_loop(g, pairs, h0):\n"
                         "    return np.zeros(len(g)).view(Liar)\n", ["hw5_q2"]),
    "hw6_evaluation": ("hw6_q1_answer", "def reliability(probs, y, n_bins):\n"
                       "    return (np.zeros(1).view(Liar),) * 3\n\n\n"
                       "def ece(probs, y, n_bins):\n    return np.zeros(()).view(Liar)\n",
                       ["hw6_q1a", "hw6_q1b"]),
}  # fmt: skip
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def batch(tmp_path_factory, name):
    """The assignment's one grading run: test_grader.py's submissions and the ones above."""
    folder = tmp_path_factory.mktemp(name)
    good = all_solutions(name)
    paths = wrong_submissions(folder, name)
    paths.append(submission(folder, "honest.ipynb", name, good))
    for i, (grade_id, source, _) in enumerate(PLAUSIBLE[name]):
        answers = _answers(name, grade_id, source)
        paths.append(submission(folder, f"plausible_{i}.ipynb", name, answers))
    paths.append(submission(folder, "patched.ipynb", name, FAKED[name], first=[PATCHES]))
    grade_id, source, _ = LYING[name]
    paths.append(submission(folder, "liar.ipynb", name, {**good, grade_id: LIAR + source}))
    return (folder, *grade_cli(paths, name, folder, "--jobs", "2", *REPORTS))


@pytest.fixture(scope="module")
def graded(batch):
    folder, done, results = batch
    assert done.returncode == 0, done.stderr[-2000:]
    return results


def test_solutions_earn_everything_and_the_released_edition_nothing(batch):
    folder, done, results = batch
    check_solutions_and_released(done, results)


def test_plausible_wrong_answers_are_caught_by_visible_checks_with_a_hint(batch, name):
    folder, done, results = batch
    check_wrong_answers_hinted(name, results)


def test_honest_answers_earn_every_point(graded):
    result = graded["honest.ipynb"]
    assert result["status"] == "graded" and result["score"] == result["max_score"] == 8, result


def test_plausible_wrong_answers_pass_the_visible_check_and_lose_their_points(graded, name):
    full = points(graded["honest.ipynb"])
    for i, (_, _, lost) in enumerate(PLAUSIBLE[name]):
        result = graded[f"plausible_{i}.ipynb"]
        expected = {g: (0.0 if g in lost else p) for g, p in full.items()}
        assert points(result) == expected, (i, result)
        reasons = [q["reason"] for q in result["questions"] if q["grade_id"] in lost]
        assert all(r and "visible check" not in r for r in reasons), (i, reasons)


def test_patched_checks_and_lying_objects_earn_nothing(graded, name):
    patched = graded["patched.ipynb"]
    assert patched["score"] == 0, patched
    liar = points(graded["liar.ipynb"])
    full = points(graded["honest.ipynb"])
    assert liar == {g: (0.0 if g in LYING[name][2] else p) for g, p in full.items()}, liar


def test_hidden_tests_catch_the_plausible_wrong_answers(name):
    """The instructor's notebook with all plausible wrong answers at once, as nbgrader runs it:
    exactly the tests those answers should lose raise, in their hidden part."""
    nb = instructor(name)
    wrong = {}
    for grade_id, source, _ in PLAUSIBLE[name]:
        wrong[grade_id] = _answers(name, grade_id, source)[grade_id]
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in wrong:
            cell.source = wrong[grade_id]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
    failed = {
        nbgrader_meta(c)["grade_id"]
        for c in nb.cells
        if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.outputs)
    }
    assert failed == {g for *_, lost in PLAUSIBLE[name] for g in lost}, failed
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") in failed:
            (error,) = [o for o in cell.outputs if o.get("output_type") == "error"]
            assert error["ename"] == "AssertionError", error["ename"]
            # The line of the cell that raised (IPython's "Cell In[7], line 23") lies past the
            # visible part: the hidden tests caught it.
            trace = ANSI.sub("", "\n".join(error["traceback"]))
            line = int(re.search(r"Cell In\[\d+\], line (\d+)", trace).group(1))
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0].count("\n")
            assert line > visible, (nbgrader_meta(cell)["grade_id"], line, visible)
