"""Derivative checks that run the generated code as plain Python (``py_func``), without compiling."""

import numpy as np

import fd
from fd import taped_reverse
from srcad.api import Transformation


def _copies(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def plain_reverse(func, args, wrt):
    """(value, gradients) from the generated adjoint run as Python; tiny tapes first, as the caller grows them."""
    transformation = Transformation(func, "value_and_grad", wrt)
    types = transformation.split_args(tuple(args), 0)[2]
    reverse = taped_reverse(transformation.specialize(types))
    value, grads, fneeded, ineeded = reverse(*_copies(args), 1.0, np.empty(2), np.empty(2, np.int64))
    if fneeded > 2 or ineeded > 2:
        value, grads, _, _ = reverse(*_copies(args), 1.0, np.empty(fneeded), np.empty(ineeded, np.int64))
    return value, grads


def plain_forward(func, args, wrt, tangents):
    transformation = Transformation(func, "jvp", wrt)
    types = transformation.split_args(tuple(args) + tuple(tangents), len(tangents))[2]
    return _python(transformation.specialize(types).functions["main"])(*_copies(args), *tangents)


def _python(function):
    """The Python function behind a Numba dispatcher (itself where Numba's JIT is disabled)."""
    return getattr(function, "py_func", function)


def assert_plain_derivatives(func, args, wrt=0, rtol=1e-6, atol=1e-8):
    """Value, reverse gradient against finite differences, and forward against reverse, all as plain Python."""
    indices = (wrt,) if isinstance(wrt, int) else tuple(wrt)
    expected_value = func(*_copies(args))
    value, grads = plain_reverse(func, args, wrt)
    grads = (grads,) if isinstance(wrt, int) else tuple(grads)
    fd.assert_close(value, expected_value, what="value")
    for index, grad in zip(indices, grads):
        fd.assert_close(grad, fd.partial(func, _copies(args), index), rtol, atol, what=f"gradient {index}")
    rng = np.random.default_rng(1)
    tangents = tuple(rng.standard_normal(np.shape(args[i])) if np.ndim(args[i]) else float(rng.standard_normal())
                     for i in indices)
    forward_value, directional = plain_forward(func, args, wrt, tangents)
    fd.assert_close(forward_value, expected_value, what="forward value")
    fd.assert_close(directional, fd.dot(grads, tangents), rtol, atol, what="forward against reverse")
