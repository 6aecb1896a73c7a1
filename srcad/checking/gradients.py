"""Checking derivatives against finite differences."""

import inspect
import numbers
from dataclasses import dataclass

import numpy as np

from ..api import Transformation, _public_callable
from ..errors import SrcadError
from ..frontend.source import unwrap
from .differences import on_copies, partials


@dataclass
class CheckResult:
    """Outcome of :func:`check_grad`.

    ``max_error`` is the largest of |reverse - numeric| / max(1, |numeric|)
    over all gradient entries, of the forward-vs-reverse mismatch and of
    ``value_error``, the mismatch between the value the derivative computes
    and the value of ``f`` itself run by Python.
    """

    ok: bool
    max_error: float
    gradient: tuple
    numeric: tuple
    forward_error: float
    value_error: float = 0.0

    def __bool__(self):
        return self.ok


def _as_float_array(value):
    return np.array(value, dtype=np.float64, copy=True)


def _with_defaults(primal, args):
    """``args`` completed by the primal's default values: jvp appends its tangents after every parameter."""
    try:
        bound = inspect.signature(primal).bind(*args)
    except TypeError as error:
        raise SrcadError(f"check_grad of {primal.__name__}(): {error}") from None
    bound.apply_defaults()
    return tuple(bound.args)


def _numeric(primal, args, index, eps):
    """:func:`partials` with respect to ``args[index]``, element by element for a tuple (a tuple back)."""
    if not isinstance(args[index], tuple):
        return partials(primal, args, index, eps)

    def of_element(k):
        def moved(element):
            parts = list(args[index])
            parts[k] = element
            return primal(*args[:index], tuple(parts), *args[index + 1:])

        return partials(moved, (args[index][k],), 0, eps)

    return tuple(of_element(k) for k in range(len(args[index])))


def _entries(per_wrt, indices, args):
    """The derivatives ``per_wrt`` (one for each wrt argument) with those of tuple arguments taken apart."""
    return [part for value, i in zip(per_wrt, indices)
            for part in (value if isinstance(args[i], tuple) else (value,))]


def _no_float_argument(name, args):
    """Why no argument can be differentiated: the first int or int array, and what to pass instead."""
    given = ", ".join(type(a).__name__ for a in args) or "no arguments"
    detail = " or float arrays"
    for i, a in enumerate(args):
        if isinstance(a, (bool, np.bool_)):
            continue
        if isinstance(a, (numbers.Integral, np.integer)):
            detail = f": argument {i} is the int {a!r}, pass {float(a)!r}"
            break
        if isinstance(a, np.ndarray) and a.dtype.kind in "iu":
            detail = f": argument {i} is an {a.dtype} array, pass a float array, e.g. .astype(np.float64)"
            break
    return (f"check_grad differentiates with respect to the float arguments, and {name}() was given none "
            f"({given}); pass floats{detail}, or name the arguments with wrt=")


def check_grad(f, *args, wrt=None, eps=1e-6, tol=1e-5, seed=0):
    """Compare srcad's reverse and forward derivatives of ``f`` at ``args`` with central differences.

    ``wrt`` defaults to every float argument (scalar or array).  Returns a
    :class:`CheckResult`, truthy when every entry agrees within ``tol``.

    >>> import math, srcad
    >>> def f(x, y):
    ...     return math.exp(x) * y
    >>> srcad.check_grad(f, 0.5, 2.0).ok
    True
    """
    primal = unwrap(f)
    if wrt is None:
        wrt = tuple(
            i for i, a in enumerate(args)
            if (isinstance(a, numbers.Real) and not isinstance(a, (bool, numbers.Integral, np.integer)))
            or (isinstance(a, np.ndarray) and a.dtype.kind == "f")
        )
        if not wrt:
            raise SrcadError(_no_float_argument(primal.__name__, args))
    single = isinstance(wrt, numbers.Integral)
    indices = (wrt,) if single else tuple(wrt)
    args = _with_defaults(primal, args)
    reverse = _public_callable(Transformation(primal, "grad", indices))(*args)
    forward = _public_callable(Transformation(primal, "jvp", indices))

    numeric = [_numeric(primal, args, i, eps) for i in indices]

    max_error = 0.0
    for r, n in zip(_entries(reverse, indices, args), _entries(numeric, indices, args)):
        r, n = np.asarray(r, dtype=np.float64), np.asarray(n, dtype=np.float64)
        err = np.abs(r - n) / np.maximum(1.0, np.abs(n))
        max_error = max(max_error, float(np.max(err)) if err.size else 0.0)

    rng = np.random.default_rng(seed)
    tangents = []
    for i in indices:
        # a tuple argument (see api/packing.py) has a tuple of tangents, one an element
        parts = args[i] if isinstance(args[i], tuple) else (args[i],)
        drawn = []
        for part in parts:
            base = np.asarray(part, dtype=np.float64)
            drawn.append(rng.standard_normal(base.shape) if base.ndim else float(rng.standard_normal()))
        tangents.append(tuple(drawn) if isinstance(args[i], tuple) else drawn[0])
    value, directional = forward(*args, *tangents)
    expected = sum(float(np.sum(np.asarray(r) * np.asarray(t)))
                   for r, t in zip(_entries(reverse, indices, args), _entries(tangents, indices, args)))
    forward_error = abs(directional - expected) / max(1.0, abs(expected))
    # the primal on copies, so that a function that writes into its arguments sees what the derivative saw
    own = float(on_copies(primal)(*args))
    value_error = abs(float(value) - own) / max(1.0, abs(own))
    max_error = max(max_error, forward_error, value_error)
    return CheckResult(
        ok=bool(max_error <= tol), max_error=max_error,
        gradient=tuple(reverse), numeric=tuple(numeric), forward_error=forward_error, value_error=value_error,
    )
