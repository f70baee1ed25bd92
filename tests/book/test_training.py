"""logreg_book.training: a demo's training run, a fixed budget of steps recorded one by one."""

import warnings

import numpy as np
from _demos import XB, YB

from logreg import ConvergenceWarning, SoftmaxRegression
from logreg_book import training


def test_fixed_steps_run_the_whole_budget_and_report_divergence():
    model = SoftmaxRegression(solver="gd", lr=0.5, alpha=1e-3, max_iter=7, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it silences the expected warning
        assert training.fit_fixed_steps(model, XB, YB) is None
    assert model.n_iter_[0] == 7
    model = SoftmaxRegression(solver="gd", lr=30.0, alpha=1.0, max_iter=50, tol=0.0)
    assert "> 2" in training.fit_fixed_steps(model, XB * 1e3, YB)


def test_the_record_has_one_entry_per_step():
    history = training.record_training(XB, YB, solver="sgd", lr=0.1, n_iter=9, random_state=3)
    n_classes = len(np.unique(YB))
    assert history["coefs"].shape == (9, n_classes, 2)
    assert history["intercepts"].shape == (9, n_classes) and history["losses"].shape == (9,)
    again = training.record_training(XB, YB, solver="sgd", lr=0.1, n_iter=9, random_state=3)
    np.testing.assert_array_equal(history["coefs"], again["coefs"])  # the seed decides the run


def test_training_replay_reports_divergence():
    history = training.record_training(XB * 1e3, YB, solver="gd", lr=30.0, alpha=1.0, n_iter=50)
    assert "lr * alpha = 30 * 1 = 30 > 2" in history["error"]
    assert "Use lr < 2 / alpha = 2" in history["error"]
    # a far longer step without the L2 term never stops with an error
    history = training.record_training(XB, YB, solver="gd", lr=300.0, alpha=0.0, n_iter=50)
    assert history["error"] is None and len(history["losses"]) == 50
