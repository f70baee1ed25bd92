"""Bad input to the estimators: a clear error that says what was expected and what was received."""

import numpy as np
import pytest
from _blobs import blobs

from logreg import LogisticRegression, NotFittedError, SoftmaxRegression

# ---------------------------------------------------------------------------
# Bad input: a clear error, nothing else
# ---------------------------------------------------------------------------

Xb, yb = blobs()


@pytest.mark.parametrize(
    ("model", "X", "y", "exc", "match"),
    [
        # Data errors are scikit-learn's own (validate_data), as every scikit-learn user knows them.
        (SoftmaxRegression(), Xb[:, 0], yb, ValueError, "Expected 2D array, got 1D array"),
        (SoftmaxRegression(), np.where(Xb > 2, np.nan, Xb), yb, ValueError, "Input X contains NaN"),
        (SoftmaxRegression(), np.where(Xb > 2, np.inf, Xb), yb, ValueError, "X contains infinity"),
        (SoftmaxRegression(), np.full(Xb.shape, "a"), yb, ValueError, "could not convert"),
        (
            SoftmaxRegression(),
            Xb,
            yb[:-1],
            ValueError,
            r"inconsistent numbers of samples: \[90, 89\]",
        ),
        (SoftmaxRegression(), Xb[:0], yb[:0], ValueError, r"0 sample\(s\)"),
        (
            SoftmaxRegression(),
            Xb,
            np.linspace(0, 1, 90),
            ValueError,
            "Unknown label type: continuous",
        ),
        (
            SoftmaxRegression(),
            Xb,
            np.zeros(90),
            ValueError,
            r"at least 2 classes; received 1 class",
        ),
        (
            LogisticRegression(),
            Xb,
            yb,
            ValueError,
            "exactly 2 classes; received 3 classes .*Softmax",
        ),
        (SoftmaxRegression(lr=0), Xb, yb, ValueError, "lr must be 'auto' or a finite number > 0"),
        (SoftmaxRegression(lr=-0.1), Xb, yb, ValueError, "lr must be .* > 0; received -0.1"),
        (SoftmaxRegression(lr="fast"), Xb, yb, TypeError, "lr must be 'auto' or a real number"),
        (SoftmaxRegression(alpha=-1), Xb, yb, ValueError, "alpha must be .* >= 0; received -1"),
        (
            SoftmaxRegression(max_iter=-1),
            Xb,
            yb,
            ValueError,
            "max_iter must be an int >= 0; received -1",
        ),
        (SoftmaxRegression(max_iter=2.5), Xb, yb, ValueError, "max_iter must be an int >= 0"),
        (SoftmaxRegression(batch_size=0), Xb, yb, ValueError, "batch_size must be an int >= 1"),
        (SoftmaxRegression(tol=-1.0), Xb, yb, ValueError, "tol must be .* >= 0"),
        (
            SoftmaxRegression(solver="sgd", batch_size=0),
            Xb,
            yb,
            ValueError,
            "batch_size must be an int",
        ),
        (SoftmaxRegression(solver="adam"), Xb, yb, ValueError, "solver must be one of 'newton-cg'"),
        (SoftmaxRegression(random_state="seed"), Xb, yb, TypeError, "random_state must be None"),
        (SoftmaxRegression(callback=3), Xb, yb, TypeError, "callback must be callable"),
        (SoftmaxRegression(fit_intercept="yes"), Xb, yb, TypeError, "fit_intercept must be True"),
        (SoftmaxRegression(class_weight="heavy"), Xb, yb, ValueError, "balanced"),
    ],
)
def test_bad_input_to_fit(model, X, y, exc, match):
    with pytest.raises(exc, match=match):
        model.fit(X, y)


def test_unfitted_model_says_to_call_fit():
    from sklearn.exceptions import NotFittedError as SkNotFittedError

    assert NotFittedError is SkNotFittedError  # scikit-learn's own, as its tools expect
    for Model in (LogisticRegression, SoftmaxRegression):
        for method in ("predict", "predict_proba", "decision_function", "predict_log_proba"):
            with pytest.raises(
                NotFittedError, match=f"This {Model.__name__} instance is not fitted"
            ):
                getattr(Model(), method)(Xb)


def test_predict_with_wrong_number_of_features():
    model = SoftmaxRegression().fit(Xb, yb)
    with pytest.raises(
        ValueError, match="X has 3 features, but SoftmaxRegression is expecting 2 features"
    ):
        model.predict_proba(np.ones((4, 3)))
