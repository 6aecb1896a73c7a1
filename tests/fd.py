"""Finite-difference references and tolerant comparisons for derivative tests.

Derivatives are estimated with the fourth-order central stencil

    f'(x) ~ (f(x - 2h) - 8 f(x - h) + 8 f(x + h) - f(x + 2h)) / (12 h)

whose truncation error is O(h**4).  The step is a power of two close to
``rel * max(1, |x|)`` so that ``x +- h`` and ``x +- 2h`` are exact in floating
point; with ``rel = 1e-4`` the truncation error is ~1e-17 times the fifth
derivative and the rounding error ~1e-12 times |f|, far below the tolerances
used by :func:`assert_close`.
"""

import math

import numpy as np

DEFAULT_REL_STEP = 1e-4
DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-8


def step_for(x, rel=DEFAULT_REL_STEP):
    """A power-of-two step about ``rel * max(1, |x|)``."""
    scale = rel * max(1.0, abs(float(x)))
    return 2.0 ** round(math.log2(scale))


def derivative(g, x, rel=DEFAULT_REL_STEP):
    """Derivative of the scalar function ``g`` of one scalar at ``x``."""
    x = float(x)
    h = step_for(x, rel)
    fm2 = float(g(x - 2.0 * h))
    fm1 = float(g(x - h))
    fp1 = float(g(x + h))
    fp2 = float(g(x + 2.0 * h))
    return (fm2 - 8.0 * fm1 + 8.0 * fp1 - fp2) / (12.0 * h)


def _is_array(a):
    return isinstance(a, np.ndarray) and a.ndim > 0


def partial(f, args, index, rel=DEFAULT_REL_STEP):
    """Partial derivative of ``f(*args)`` with respect to ``args[index]``.

    A float for a scalar argument, an array of the argument's shape for an
    array argument.  ``args`` is never modified.
    """
    args = list(args)
    a = args[index]

    def fresh():
        # copies: a function that writes into an argument must not change the next evaluation's
        return [np.copy(arg) if isinstance(arg, np.ndarray) else arg for arg in args]

    if not _is_array(a):

        def g(t):
            new = fresh()
            new[index] = t
            return f(*new)

        return derivative(g, a, rel)

    base = np.array(a, dtype=np.float64, copy=True)
    out = np.empty_like(base)
    for k in np.ndindex(base.shape):

        def g(t, k=k):
            moved = base.copy()
            moved[k] = t
            new = fresh()
            new[index] = moved
            return f(*new)

        out[k] = derivative(g, base[k], rel)
    return out


def gradient(f, args, wrt=0, rel=DEFAULT_REL_STEP):
    """Finite-difference gradient shaped like srcad's answer.

    ``wrt`` an int gives one partial, a tuple gives a tuple of partials.
    """
    if isinstance(wrt, tuple):
        return tuple(partial(f, args, i, rel) for i in wrt)
    return partial(f, args, wrt, rel)


def directional(f, args, wrt, tangents, rel=DEFAULT_REL_STEP):
    """The directional derivative sum_i <d f / d args[wrt[i]], tangents[i]>."""
    if not isinstance(wrt, tuple):
        wrt = (wrt,)
    total = 0.0
    for i, v in zip(wrt, tangents):
        total += float(np.sum(np.asarray(partial(f, args, i, rel)) * np.asarray(v)))
    return total


def dot(a, b):
    """<a, b> for scalars, arrays or tuples of them."""
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        return sum(dot(x, y) for x, y in zip(a, b))
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def assert_close(actual, expected, rtol=DEFAULT_RTOL, atol=DEFAULT_ATOL, what="value"):
    """Assert ``actual`` matches ``expected`` elementwise.

    The allowed error is ``atol + rtol * max(|actual|, |expected|)``.  Tuples
    are compared item by item and must have the same length; arrays must have
    the same shape.
    """
    if isinstance(expected, tuple):
        assert isinstance(actual, tuple), f"{what}: expected a tuple, got {type(actual).__name__}: {actual!r}"
        assert len(actual) == len(expected), f"{what}: expected {len(expected)} items, got {len(actual)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, rtol, atol, what=f"{what}[{i}]")
        return
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != expected {e.shape}"
    assert np.all(np.isfinite(a)), f"{what}: not finite: {actual!r} (expected {expected!r})"
    err = np.abs(a - e)
    tol = atol + rtol * np.maximum(np.abs(a), np.abs(e))
    if np.any(err > tol):
        worst = np.unravel_index(np.argmax(err - tol), err.shape) if err.ndim else ()
        raise AssertionError(
            f"{what}: got {actual!r}, expected {expected!r} "
            f"(max abs error {float(np.max(err)):.3e} at {worst}, rtol={rtol}, atol={atol})"
        )


def plain(function):
    """The Python function behind a compiled one (itself when Numba runs as plain Python)."""
    return getattr(function, "py_func", function)


def taped_reverse(spec, compiled=False):
    """The adjoint of specialization ``spec`` as ``(*args, seed, ftape, itape) -> (value, grads, ftop, itop)``,
    as plain Python unless ``compiled``, whether or not it takes tapes (one without pushes takes none)."""
    function = spec.functions["main"] if compiled else plain(spec.functions["main"])
    if spec.taped:
        return function
    return lambda *args: (*function(*args[:-2]), 0, 0)
