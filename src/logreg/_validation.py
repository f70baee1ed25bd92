"""Input checks shared by the library.

Every check raises (never asserts) with a message that says what was expected
and what was received, so that a reader who passes the wrong thing learns what
to pass instead.
"""

import numbers

import numpy as np

_FLOATS = (np.float32, np.float64)


def as_float_array(a, name, *, ndim=None, allow_neg_inf=False, allow_pos_inf=False):
    """Return ``a`` as a float32 or float64 ndarray, checking type, shape and values.

    float32 input stays float32 (the benchmarks compare both); every other
    numeric dtype becomes float64. NaN and +inf are rejected; -inf only where
    ``allow_neg_inf`` (a logit of -inf is a legitimate "impossible class").
    """
    arr = np.asarray(a)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name} must be numeric; received an array of dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real; received complex dtype {arr.dtype}")
    if arr.dtype.type not in _FLOATS:
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array; received {arr.ndim}-D input of shape {arr.shape}"
        )
    check_finite(arr, name, allow_neg_inf=allow_neg_inf, allow_pos_inf=allow_pos_inf)
    return arr


def check_finite(arr, name, *, allow_neg_inf=False, allow_pos_inf=False):
    """Raise ValueError if ``arr`` holds NaN, or an infinity that is not allowed."""
    if np.isnan(arr).any():
        raise ValueError(f"{name} contains NaN; expected finite values")
    if not allow_pos_inf and np.isposinf(arr).any():
        raise ValueError(f"{name} contains +inf; expected finite values")
    if not allow_neg_inf and np.isneginf(arr).any():
        raise ValueError(f"{name} contains -inf; expected finite values")


def check_axis(arr, axis, name):
    """Return ``axis`` as a non-negative int valid for ``arr``."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; received {type(axis).__name__}")
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one dimension; received a scalar")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"axis {axis} is out of range for {name} with {arr.ndim} dimension(s)")
    axis = int(axis) % arr.ndim
    if arr.shape[axis] == 0:
        raise ValueError(
            f"{name} has no entries along axis {axis} (shape {arr.shape}); "
            "expected at least one class"
        )
    return axis


def real_param(value, name, expected):
    """``value`` as a finite float; a bool or non-number is a TypeError naming ``expected``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}; received {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; received {value!r}")
    return value


def seed_for_generator(random_state):
    """A seed for numpy's Generator from None, an int, a Generator or a RandomState."""
    if random_state is None or isinstance(random_state, (numbers.Integral, np.random.Generator)):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    raise TypeError(
        "random_state must be None, an int, a numpy Generator or a RandomState; "
        f"received {random_state!r}"
    )


def count_classes(classes):
    """ "1 class", "3 classes": for messages."""
    return f"{len(classes)} class" + ("" if len(classes) == 1 else "es")


def show_values(values, limit=5):
    """The first ``limit`` values, for a message."""
    shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")
