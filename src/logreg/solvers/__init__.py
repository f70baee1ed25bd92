"""The solvers, one module each; every one minimizes an objective from ``logreg.objective``.

Each is called as ``solver(obj, theta, max_iter=..., tol=..., step_done=..., **options)`` and
returns a ``Result``. ``step_done(theta, loss)`` is called after every iteration (a True return
stops training early); ``theta`` is the solver's own flat float64 array.
"""

from .gd import gd
from .lbfgs import lbfgs
from .newton import newton
from .newton_cg import newton_cg
from .sag import local_curvature, sag, saga
from .sgd import sgd

SOLVERS = {
    "newton-cg": newton_cg,
    "lbfgs": lbfgs,
    "newton": newton,
    "gd": gd,
    "sgd": sgd,
    "sag": sag,
    "saga": saga,
}

__all__ = [
    "SOLVERS",
    "gd",
    "lbfgs",
    "local_curvature",
    "newton",
    "newton_cg",
    "sag",
    "saga",
    "sgd",
]
