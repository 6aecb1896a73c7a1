"""The public transformations: grad, value_and_grad, jvp, vjp, hessian, hvp, jacobian, forward_grad, source,
check_grad.

Its rooms, each importing only those listed before it:

- ``arguments``: argument types and checks (tangents, cotangents), type keys, names of extra arguments;
- ``entry``: the public callable of a transformation (a :class:`Derivative`) and its ``@njit`` overload;
- ``kinds``: :class:`Kind` and one class per public kind, what each generates and presents;
- ``references``: how a pickled derivative names the function it differentiates, and finds it again;
- ``transformation``: :class:`Transformation`, its specializations, and :func:`source`;
- ``decorators``: the public functions (grad, jvp, ..., jacobian, explain, forward_grad);
- ``sizes``: :func:`tape_size` and :func:`workspace_size`, the tape entries and the workspace a call needs;
- ``batch``: :func:`batch`, a derivative run over the leading axis of its arguments, on a target.
"""

from .decorators import (explain, forward_grad, grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, value_and_grad,
                         vjp)
from .batch import batch
from .sizes import tape_size, workspace_size
from .entry import _public_callable
from .transformation import Transformation, source, tape_report

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "hessian", "hvp", "jacobian", "jacfwd", "jacrev", "explain",
           "forward_grad", "source", "tape_report", "tape_size", "workspace_size", "batch", "Transformation",
           "_public_callable"]
