"""logreg_grader.grader end to end, for honest students and instructors: fair points, useful
reasons, usable reports (gradebook, feedback, written answers, JSON lines).

Every assignment is graded once, in a batch of the instructor's notebook, the released edition and
each plausible wrong answer a visible check catches (``wrong_submissions``). hw1 to hw3 are graded
here (the module-scoped ``batches``); hw4, hw5 and hw6 each in a file of its own
(test_homework_hw4.py and so on, the checks of _homework_more.py), whose submissions join the same
batch and which run these checks on it: no assignment is graded twice, and with the files spread
over pytest-xdist's workers (``--dist loadfile``) the assignments are graded side by side.
"""

import csv
import json
from pathlib import Path

import pytest
from _homework import ASSIGNMENTS, all_solutions, grade_cli, instructor, submission, written_answers

# Plausible wrong answers, each with the words the visible check's hint must contain.
WRONG = {
    "hw1_gradient": [
        ("hw1_q2_answer", "G = (Y - softmax(X @ W.T + b)) / X.shape[0]\n    return G.T @ X, G.sum(axis=0)", "wrong sign"),
        ("hw1_q2_answer", "G = (softmax(X @ W.T + b) - Y) / X.shape[0]\n    return X.T @ G, G.sum(axis=0)", "transposed"),
        ("hw1_q2_answer", "G = softmax(X @ W.T + b) - Y\n    return G.T @ X, G.sum(axis=0)", "n times too large"),
        ("hw1_q2_answer", "Z = X @ W.T + b\n    P = np.exp(Z) / np.exp(Z).sum(axis=0)\n"
         "    G = (P - Y) / X.shape[0]\n    return G.T @ X, G.sum(axis=0)", "axis=1"),
        ("hw1_q2_answer", "G = (softmax(X @ W.T + b) - Y) / X.shape[0]\n    return G.T @ X, G.sum(axis=1)", "shapes"),
        ("hw1_q3_answer", "x = np.asarray(x, dtype=float)\n    g = np.zeros_like(x)\n"
         "    for i in np.ndindex(x.shape):\n        e = np.zeros_like(x)\n        e[i] = h\n"
         "        g[i] = (f(x + e) - f(x)) / h\n    return g", "central difference"),
        ("hw1_q1_answer", "dl_dp_j = y_j / p_j\ndz_k_dw_km = x_m\ndp_j_dz_k = p_j * (delta_jk - p_k)\n"
         "dl_dw_km = (p_k - y_k) * x_m", "should be negative"),
        ("hw1_q1_answer", "dl_dp_j = -y_j / p_j\ndz_k_dw_km = x_m\ndp_j_dz_k = p_j * (p_k - delta_jk)\n"
         "dl_dw_km = (p_k - y_k) * x_m", "minus sign"),
        ("hw1_q1_answer", "dl_dp_j = -y_j / p_j\ndz_k_dw_km = x_m\ndp_j_dz_k = p_j * (delta_jk - p_k)\n"
         "dl_dw_km = (y_k - p_k) * x_m", "sign of (p_k - y_k)"),
    ],
    "hw2_training": [
        ("hw2_q1_answer", "W, b = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1])\n"
         "    for _ in range(n_iter):\n        gW, gb = gradient(X, Y, W, b)\n"
         "        W, b = W + lr * gW, b + lr * gb\n    return W, b", "raised the objective"),
        ("hw2_q1_answer", "W, b = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1])\n"
         "    for _ in range(n_iter):\n        gW, gb = gradient(X, Y, W, b)\n"
         "        W = W - lr * gW\n    return W, b", "b never changed"),
        ("hw2_q1_answer", "W, b = np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1])\n"
         "    for _ in range(n_iter + 1):\n        gW, gb = gradient(X, Y, W, b)\n"
         "        W, b = W - lr * gW, b - lr * gb\n    return W, b", "exactly n_iter steps"),
        ("hw2_q2_answer", "model = SoftmaxRegression(alpha=1e-3).fit(X_train, y_train)\n"
         "W_digits, b_digits = model.coef_.T, model.intercept_", "not coef_.T"),
    ],
    "hw3_sympy": [
        ("hw3_q2_answer", "w_hat = w2 - w1", "sign of w_hat is flipped"),
        ("hw3_q3_answer", "counterexample = {z1: 0, z2: 0, z3: 0}\n"
         "corrected = z1 - sp.log(sp.exp(z2) + sp.exp(z3))", "z1 included"),
        ("hw3_q1_answer", "original = softmax([z1, z2, z3])\nshifted = original", "shifted must be"),
    ],
    "hw4_geometry": [
        ("hw4_q1_answer", "normal = W[j] - W[k]\n    return X - np.outer(X @ normal / (normal @ normal), normal)",
         "include the offset"),
        ("hw4_q2_answer", "L = softmax_cross_entropy(W, b, X, np.eye(W.shape[0])[y])\n    return L, 0.0",
         "labels' frequencies only"),
        ("hw4_q3_answer", "penalty_slope = -w / sigma**2\nalpha = 1 / (n * sigma**2)", "instead of -log(prior)"),
        ("hw4_q3_answer", "penalty_slope = w / sigma**2\nalpha = 1 / sigma**2", "must depend on n"),
    ],
    "hw5_second_order": [
        ("hw5_q1_answer", "X1 = np.column_stack([X, np.ones(len(X))])\n    theta = np.append(w, b)\n"
         "    q = sigmoid(X1 @ theta)\n    D = np.diag(np.append(np.ones(X.shape[1]), 0.0))\n"
         "    H = (X1.T * (q * (1 - q))) @ X1 + alpha * D\n"
         "    theta = theta - np.linalg.solve(H, X1.T @ (q - y) / len(X) + alpha * D @ theta)\n"
         "    return theta[:-1], float(theta[-1])", "both divided by n"),
        ("hw5_q2_answer", "u = np.array(g, dtype=float)\n    a = []\n    for s, y in pairs:\n"
         "        a.append((s @ u) / (y @ s))\n        u = u - a[-1] * y\n    r = h0 * u\n"
         "    for (s, y), a_j in zip(reversed(pairs), reversed(a)):\n"
         "        r = r + (a_j - (y @ r) / (y @ s)) * s\n    return r", "from the newest pair to the oldest"),
        ("hw5_q3_answer", "hessian_entries = [sp.diff(loss, w, w), sp.diff(loss, w, b), sp.diff(loss, b, b)]",
         "contains the label y"),
    ],
    "hw6_evaluation": [
        ("hw6_q1_answer", "confidence = probs[np.arange(len(y)), y]\n"
         "    index = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)\n"
         "    counts = np.bincount(index, minlength=n_bins)\n    keep = counts > 0\n"
         "    hits = np.bincount(index, weights=probs.argmax(axis=1) == y, minlength=n_bins)[keep]\n"
         "    total = np.bincount(index, weights=confidence, minlength=n_bins)[keep]\n"
         "    return counts[keep], hits / counts[keep], total / counts[keep]\n\n\n"
         "def ece(probs, y, n_bins):\n    counts, accuracies, confidences = reliability(probs, y, n_bins)\n"
         "    return float(np.sum(counts / counts.sum() * np.abs(accuracies - confidences)))",
         "largest probability"),
        ("hw6_q2_answer", "classes = np.arange(y_train.max() + 1)\n    scores = np.column_stack([LogisticRegression("
         "alpha=alpha).fit(X_train, y_train == k).predict_proba(X_test)[:, 0] for k in classes])\n"
         "    return scores / scores.sum(axis=1, keepdims=True)\n\n\nanswer_lower_log_loss = 'multinomial'",
         "column 1 of predict_proba"),
        ("hw6_q3_answer", "slope = -sp.diff(f, beta)\ncurvature = sp.diff(f, beta, 2)", "must be negative"),
    ],
}  # fmt: skip


# Every batch also writes the instructor's reports; the tests below read hw2's.
REPORTS = ("--gradebook", "gradebook.csv", "--feedback", "feedback", "--written", "written")
# Graded here; the others by test_homework_<hw>.py, with their own submissions in the same batch.
HERE = ASSIGNMENTS[:3]


def _as_function_body(name, grade_id, body):
    """Wrong answers above are function bodies for the 'def' answers, plain code otherwise."""
    header = solution_header(name, grade_id)
    return (header + "    " + body + "\n") if header else body + "\n"


def solution_header(name, grade_id):
    source = all_solutions(name)[grade_id]
    first = source.splitlines()[0]
    return first + "\n" if first.startswith("def ") else ""


def wrong_submissions(folder, name):
    """The instructor's notebook, the released edition and each of ``WRONG[name]`` (everything
    else correct), written into ``folder``; their paths."""
    good = all_solutions(name)
    paths = [
        submission(folder, "instructor_solutions.ipynb", name, {**good, **written_answers(name)})
    ]
    paths.append(submission(folder, "released.ipynb", name, {}))
    for i, (grade_id, body, _) in enumerate(WRONG[name]):
        answers = {**good, grade_id: _as_function_body(name, grade_id, body)}
        paths.append(submission(folder, f"wrong_{i}.ipynb", name, answers))
    return paths


def check_solutions_and_released(done, results):
    """The instructor's answers earn every point; the released edition none, each with a reason."""
    assert done.returncode == 0, done.stderr[-2000:]
    full = results["instructor_solutions.ipynb"]
    assert full["status"] == "graded" and full["score"] == full["max_score"] > 0, full
    released = results["released.ipynb"]
    assert released["score"] == 0 and all(q["reason"] for q in released["questions"]), released


def check_wrong_answers_hinted(name, results):
    """Each of ``WRONG[name]`` loses points to its visible check, whose reason holds the hint."""
    for i, (grade_id, _, hint) in enumerate(WRONG[name]):
        result = results[f"wrong_{i}.ipynb"]
        failed = [q for q in result["questions"] if q["points"] < q["max_points"]]
        assert failed, (grade_id, hint, result)
        reasons = " ".join(q["reason"] for q in failed)
        assert "the visible check failed" in reasons and hint in reasons, (grade_id, hint, reasons)


def test_every_assignment_is_graded_here_or_in_a_file_of_its_own():
    """An assignment added to the book gets these checks: here, or in its own file."""
    from _homework_more import PLAUSIBLE  # not at the top: _homework_more imports this module

    others = [name for name in ASSIGNMENTS if name not in HERE]
    for name in others:
        path = Path(__file__).with_name(f"test_homework_{name.split('_')[0]}.py")
        assert path.exists(), f"{name}: expected {path.name} (as test_homework_hw4.py)"
        assert f'return "{name}"' in path.read_text(), f"{path.name} does not grade {name}"
    assert sorted(HERE + others) == sorted(ASSIGNMENTS) and set(others) == set(PLAUSIBLE), others


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """One grading run per assignment of ``HERE``: ``wrong_submissions``, with the reports."""
    out = {}
    for name in HERE:
        folder = tmp_path_factory.mktemp(name)
        paths = wrong_submissions(folder, name)
        out[name] = (folder, *grade_cli(paths, name, folder, "--jobs", "2", *REPORTS))
    return out


@pytest.mark.parametrize("name", HERE)
def test_solutions_earn_everything_and_the_released_edition_nothing(batches, name):
    folder, done, results = batches[name]
    check_solutions_and_released(done, results)


@pytest.mark.parametrize("name", HERE)
def test_plausible_wrong_answers_are_caught_by_visible_checks_with_a_hint(batches, name):
    folder, done, results = batches[name]
    check_wrong_answers_hinted(name, results)


def test_gradebook_feedback_and_written_answers(batches):
    folder, done, results = batches["hw2_training"]
    with (folder / "gradebook.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(results)
    assert rows[0].keys() >= {"student", "hw2_q1", "hw2_q2", "hw2_q3a", "score", "max_score"}
    by_student = {r["student"]: r for r in rows}
    assert float(by_student["instructor_solutions"]["score"]) == 8.0
    assert float(by_student["released"]["hw2_q1"]) == 0.0
    feedback = (folder / "feedback" / "wrong_0.md").read_text()
    assert "hw2_q1" in feedback and "raised the objective" in feedback
    hidden = [ln.strip() for ln in _hidden_lines("hw2_training") if len(ln.strip()) > 12]
    for path in (folder / "feedback").glob("*.md"):
        assert not [ln for ln in hidden if ln in path.read_text()], path  # no hidden test code
    written = (folder / "written" / "hw2_training_hw2_written_scaling.md").read_text()
    assert "## instructor_solutions" in written and "standardizing" in written.lower()
    assert "## released" in written and "(no answer)" in written


def _hidden_lines(name):
    from logreg_grader.editions import HIDDEN

    return [
        ln
        for c in instructor(name).cells
        for m in HIDDEN.finditer(c.source)
        for ln in m.group(0).splitlines()
    ]


def test_json_lines_stream_one_record_per_submission(batches):
    folder, done, results = batches["hw3_sympy"]
    lines = (folder / "hw3_sympy-results.jsonl").read_text().splitlines()
    assert len(lines) == len(results) == len(WRONG["hw3_sympy"]) + 2
    record = json.loads(lines[0])
    assert {
        "student",
        "submission",
        "assignment",
        "score",
        "max_score",
        "questions",
    } <= record.keys()
    assert "written" not in record  # the students' written answers go to --written only
