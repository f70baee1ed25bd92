"""scikit-learn's own tests of ``LogisticRegression``, run against logreg.

The tests are those of the installed scikit-learn, in
``sklearn/linear_model/tests/test_logistic.py``. Each ``test_*`` there is, by name, in exactly one
of three places, and ``test_every_original_test_is_run_ported_or_listed`` checks that nothing is
left out (after an upgrade of scikit-learn it names each new or vanished test):

* ``RUN``: the original function itself runs, unchanged, with ``_sklearn_adapter``'s estimator in
  place of ``LogisticRegression`` and ``_sklearn_adapter.APPLICABLE_SOLVERS`` in place of
  ``SOLVERS`` in its module's namespace. Its
  parametrization is read from its own ``pytest.mark.parametrize`` marks, so a new scikit-learn's
  parameters arrive as they are; the instances that do not apply (``_instance_not_applicable``)
  are left out with their reason, and the one parameter changed is marked PORT below.
* ``PORTED`` (in ``test_sklearn_logistic_ported.py``): same name, body copied, every change marked
  ``PORT:`` with its reason; mostly a ``LogisticRegressionCV`` or a private path function taken out.
* ``NOT_APPLICABLE``: name -> why logreg has nothing for the test to check.

``APPLICABLE_SOLVERS`` is scikit-learn's solvers less liblinear: sag and saga run logreg's own
SAG and SAGA (``logreg.solvers.sag``).

The warning filters are scikit-learn's: those of the original function and module, and
ConvergenceWarning shown rather than raised, as in scikit-learn's own test runs (where only
DeprecationWarning and FutureWarning are errors); every other warning is an error, as everywhere
in this suite. ``SKLEARN_TESTS_GLOBAL_RANDOM_SEED`` picks the seeds, as in scikit-learn
(``_sklearn_adapter.global_random_seed``). The mapping of parameters and solver names is in
``_sklearn_adapter``.
"""

import ast
import inspect
import itertools
from pathlib import Path

import pytest
import sklearn.linear_model.tests.test_logistic as original
from _sklearn_adapter import (
    APPLICABLE_SOLVERS,
    SklearnLogisticRegression,
    global_random_seed,  # noqa: F401  (the fixture the originals ask for)
    logreg_solver,
)

pytestmark = pytest.mark.filterwarnings("default::sklearn.exceptions.ConvergenceWarning")

RUN = (
    "test_predict_2_classes",
    "test_predict_3_classes",
    "test_logistic_glmnet",
    "test_inconsistent_input",
    "test_write_parameters",
    "test_nan",
    "test_logistic_regression_solvers",
    "test_logistic_regression_solvers_multiclass_unpenalized",
    "test_logistic_regression_sample_weights",
    "test_logistic_regression_solver_class_weights",
    "test_logistic_regression_class_weights",
    "test_logreg_intercept_scaling_zero",
    "test_logreg_predict_proba_multinomial",
    "test_max_iter",
    "test_warm_start",
    "test_warm_start_newton_solver",
    "test_dtype_match",
    "test_warm_start_converge_LR",
    "test_c_inf_no_warning",
    "test_multinomial_identifiability_on_iris",
    "test_sample_weight_not_modified",
    "test_single_feature_newton_cg",
    "test_zero_max_iter",
)

PORTED = (
    "test_logistic_regression_path_convergence_fail",
    "test_multinomial_logistic_regression_string_inputs",
    "test_logistic_regression_solvers_multiclass",
    "test_logistic_cv_sparse",
    "test_logistic_regressioncv_class_weights",
    "test_liblinear_decision_function_zero",
    "test_n_iter",
    "test_large_sparse_matrix",
)

_CV = (
    "LogisticRegressionCV's own interface (Cs, C_, coefs_paths_, scores_ per class, refit=False, "
    "l1_ratios): logreg.path.SoftmaxRegressionCV chooses alpha through another one, checked "
    "against GridSearchCV and scikit-learn's choice of C in tests/library/test_path.py"
)
_L1 = "L1 or elastic-net penalty (logreg fits the L2 penalty only)"
_LIBLINEAR = "liblinear only (logreg has no liblinear solver, no dual problem)"
_PATH = "scikit-learn's private path or scoring functions (no public counterpart to call)"
_DEPRECATION = "a scikit-learn deprecation of its own parameters (logreg never had them)"
_ARRAY_API = "array-API dispatch (logreg computes with NumPy and SciPy only)"
_CALLBACKS = "scikit-learn's experimental callback API (logreg's callback is a plain function)"

NOT_APPLICABLE = {
    "test_check_solver_option": "error messages for liblinear, L1, elastic-net and dual=True",
    "test_elasticnet_l1_ratio_err_helpful": _L1,
    "test_sparsify": (
        "sparsify()/densify(), scikit-learn's storage of an L1-sparse coef_ as a sparse matrix "
        "(logreg's L2 coefficients are dense, and it has no such methods)"
    ),
    "test_consistency_path": _PATH + ": _logistic_regression_path",
    "test_liblinear_dual_random_state": _LIBLINEAR,
    "test_logistic_cv": _CV,
    "test_logistic_cv_refit_false_non_elasticnet": _CV,
    "test_logistic_cv_mock_scorer": _CV,
    "test_logistic_cv_multinomial_score": _PATH + ": _log_reg_scoring_path",
    "test_multinomial_cv_iris": _CV,
    "test_logistic_cv_folds_with_classes_missing": _CV,
    "test_sample_and_class_weight_equivalence_liblinear": _LIBLINEAR,
    "test_logreg_l1": _L1,
    "test_logistic_regression_cv_refit": _CV + "; and " + _L1,
    "test_saga_vs_liblinear": _LIBLINEAR,
    "test_elastic_net_coeffs": _L1,
    "test_elastic_net_l1_l2_equivalence": _L1,
    "test_elastic_net_vs_l1_l2": _L1,
    "test_LogisticRegression_elastic_net_objective": _L1,
    "test_LogisticRegressionCV_GridSearchCV_elastic_net": _CV,
    "test_LogisticRegressionCV_no_refit": _CV,
    "test_LogisticRegressionCV_elasticnet_attribute_shapes": _CV,
    "test_LogisticRegressionCV_on_folds": _CV,
    "test_l1_ratio_non_elasticnet": _L1,
    "test_elastic_net_versus_sgd": _L1,
    "test_logistic_regression_path_coefs_multinomial": _PATH + ": _logistic_regression_path",
    "test_logistic_regression_path_init_coefs": _PATH + ": _logistic_regression_path",
    "test_penalty_none": _DEPRECATION + " (penalty=None is C=inf, run by test_c_inf_no_warning)",
    "test_logisticregression_liblinear_sample_weight": _LIBLINEAR,
    "test_scores_attribute_layout_elasticnet": _CV,
    "test_liblinear_with_large_values": _LIBLINEAR,
    "test_liblinear_not_stuck": _LIBLINEAR,
    "test_lr_cv_scores_differ_when_sample_weight_is_requested": _CV,
    "test_lr_cv_scores_without_enabling_metadata_routing": _CV,
    "test_passing_params_without_enabling_metadata_routing": _CV,
    "test_newton_cholesky_fallback_to_lbfgs": (
        "scikit-learn's newton-cholesky handing over to its lbfgs on a singular Hessian: an "
        "implementation choice logreg's newton does not make"
    ),
    "test_liblinear_multiclass_raises": _LIBLINEAR,
    "test_penalty_deprecated": _DEPRECATION,
    "test_logisticregressioncv_warns_with_use_legacy_attributes": _CV,
    "test_l1_ratio_None_deprecated": _DEPRECATION,
    "test_logisticregression_warns_with_n_jobs": _DEPRECATION,
    "test_logistic_regression_array_api_compliance": _ARRAY_API,
    "test_lr_penalty_l1ratio_incompatible": _L1,
    "test_lr_scoring_warns": _CV,
    "test_get_default_scorer": _CV,
    "test_logistic_regression_array_api_warm_start": _ARRAY_API,
    "test_logistic_regression_callback_support": _CALLBACKS,
    "test_logistic_regression_callback_fitted_estimator": _CALLBACKS,
    "test_logistic_regression_callback_support_warning": _CALLBACKS,
}


def _instance_not_applicable(name, params):
    """Why one instance of a RUN test does not apply, or None."""
    if params.get("solver") == "liblinear":
        return _LIBLINEAR
    if params.get("problem") == "cv":
        return _CV
    if name == "test_max_iter" and params["solver"] == "newton-cholesky" and params["max_iter"] > 1:
        return "the original skips it itself ('newton-cholesky might converge very fast')"
    return None


def _ported_parameters(name, params):
    """The one parameter of a RUN test that is changed."""
    if name == "test_max_iter":
        # PORT: the expected warning text is logreg's own ("LogisticRegression(solver='lbfgs')
        # did not converge in max_iter=1 iterations ..."), not each scikit-learn solver's.
        solver = logreg_solver(params["solver"])
        return {**params, "message": rf"\(solver='{solver}'\) did not converge"}
    return params


def _value_id(argname, index, value):
    """The id pytest gives a parameter value (its own rule, simplified)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return str(value)
    return getattr(value, "__name__", f"{argname}{index}")


def _parametrization(name, func):
    """Argument names, instances and ids from ``func``'s parametrize marks; and the instances
    left out, as (id, reason)."""
    axes = []
    for mark in getattr(func, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[:2]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        axis = []
        for index, value in enumerate(values):
            if isinstance(value, type(pytest.param())):
                raise NotImplementedError(f"{name}: pytest.param values are not read yet")
            row = value if len(names) > 1 else (value,)
            ids = [_value_id(n, index, v) for n, v in zip(names, row, strict=True)]
            axis.append((dict(zip(names, row, strict=True)), "-".join(ids)))
        axes.append(axis)
    kept, ids, dropped = [], [], []
    for combination in itertools.product(*axes):
        params = {k: v for part, _ in combination for k, v in part.items()}
        instance_id = "-".join(i for _, i in combination)
        reason = _instance_not_applicable(name, params)
        if reason is None:
            kept.append(_ported_parameters(name, params))
            ids.append(instance_id)
        else:
            dropped.append((instance_id, reason))
    argnames = list(kept[0]) if kept else []
    return argnames, [tuple(p[n] for n in argnames) for p in kept], ids, dropped


# thread_unsafe is pytest-run-parallel's, which this suite does not use.
_IGNORED_MARKS = {"parametrize", "filterwarnings", "thread_unsafe"}
INSTANCES_NOT_APPLICABLE = {}


def _run_original(name):
    """A test function that calls scikit-learn's ``name`` with the same arguments."""
    func = getattr(original, name)
    unknown = {m.name for m in getattr(func, "pytestmark", [])} - _IGNORED_MARKS
    if unknown:
        raise NotImplementedError(f"{name} carries marks this runner does not apply: {unknown}")

    def test(**kwargs):
        func(**kwargs)

    test.__signature__ = inspect.signature(func)
    test.__name__ = test.__qualname__ = name
    test.__doc__ = func.__doc__
    marks = [m for m in getattr(func, "pytestmark", []) if m.name == "filterwarnings"]
    module_marks = original.pytestmark
    marks += [m.mark for m in (module_marks if isinstance(module_marks, list) else [module_marks])]
    argnames, rows, ids, dropped = _parametrization(name, func)
    INSTANCES_NOT_APPLICABLE.update({f"{name}[{i}]": reason for i, reason in dropped})
    if argnames:
        test = pytest.mark.parametrize(argnames, rows, ids=ids)(test)
    for mark in reversed(marks):  # the function's own filters applied last: they win
        test = pytest.mark.filterwarnings(*mark.args)(test)
    return test


for _name in RUN:
    globals()[_name] = _run_original(_name)


@pytest.fixture(autouse=True)
def _adapter_in_place(monkeypatch):
    monkeypatch.setattr(original, "LogisticRegression", SklearnLogisticRegression)
    monkeypatch.setattr(original, "SOLVERS", APPLICABLE_SOLVERS)


def test_every_original_test_is_run_ported_or_listed():
    originals = {n for n, f in vars(original).items() if n.startswith("test_") and callable(f)}
    ported_file = Path(__file__).with_name("test_sklearn_logistic_ported.py")
    defined = {
        node.name
        for node in ast.parse(ported_file.read_text()).body
        if isinstance(node, ast.FunctionDef)
    }
    assert set(PORTED) <= defined, f"ported but not defined: {sorted(set(PORTED) - defined)}"
    places = [set(RUN), set(PORTED), set(NOT_APPLICABLE)]
    assert sum(map(len, places)) == len(set().union(*places)), "a test is in two places"
    accounted = set().union(*places)
    missing, stale = originals - accounted, accounted - originals
    assert not missing, f"neither run, ported nor listed: {sorted(missing)}"
    assert not stale, f"listed here but not in scikit-learn's file: {sorted(stale)}"
    assert INSTANCES_NOT_APPLICABLE, "the liblinear instances at least are left out"
