"""srcad: source-transformation automatic differentiation for Numba-style Python.

>>> import math, srcad
>>> @srcad.grad
... def f(x):
...     return math.sin(x) * x
>>> round(f(1.0), 6)
1.381773
"""

from ._version import __version__
from .errors import DerivativeMismatchError, ShapeError, SrcadError, UnsupportedError
from .api import (grad, value_and_grad, jvp, vjp, hessian, hvp, jacobian, jacfwd, jacrev, explain, forward_grad,
                  source, tape_report, tape_size, workspace_size, batch)
from .checking import check_grad, CheckResult
from .chain import chain_jacobian
from .rules.custom import rule, register_rule

__all__ = [
    "__version__", "SrcadError", "UnsupportedError", "ShapeError", "DerivativeMismatchError",
    "grad", "value_and_grad", "jvp", "vjp", "hessian", "hvp", "jacobian", "jacfwd", "jacrev", "explain",
    "forward_grad", "source", "tape_report", "tape_size", "workspace_size", "batch", "check_grad",
    "CheckResult",
    "rule", "register_rule", "chain_jacobian",
]
