"""Compiled helpers that generated code calls."""

import numpy as np
from numba import njit

from ..errors import ShapeError  # noqa: F401  (raised by the shape checks of generated code)
from .device import floor as _floor   # np.floor as CUDA device code can call it too


@njit(cache=True)
def range_len(start, stop, step):
    """Number of iterations of ``range(start, stop, step)``."""
    if step > 0:
        if stop <= start:
            return 0
        return (stop - start + step - 1) // step
    if step < 0:
        if stop >= start:
            return 0
        return (start - stop - step - 1) // (-step)
    raise ValueError("range() arg 3 must not be zero")


@njit(cache=True)
def digamma(x):
    """The logarithmic derivative of the gamma function (for the rules of lgamma and gamma)."""
    result = 0.0
    if x <= 0.0 and x == _floor(x):
        return np.nan
    if x < 0.0:
        # reflection: psi(1 - x) - psi(x) = pi / tan(pi x)
        return digamma(1.0 - x) - np.pi / np.tan(np.pi * x)
    while x < 10.0:
        result -= 1.0 / x
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 / 132))))
    return result + np.log(x) - 0.5 * inv - series


@njit(cache=True)
def trigamma(x):
    """The derivative of :func:`digamma` (for the second derivatives of lgamma and gamma)."""
    if x <= 0.0 and x == _floor(x):
        return np.nan
    if x < 0.0:
        # reflection: psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x)
        s = np.sin(np.pi * x)
        return np.pi * np.pi / (s * s) - trigamma(1.0 - x)
    result = 0.0
    while x < 10.0:
        result += 1.0 / (x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = inv * (1.0 + inv * (0.5 + inv * (1.0 / 6 - inv2 * (1.0 / 30 - inv2 * (1.0 / 42 - inv2 * (1.0 / 30 - inv2 * 5.0 / 66))))))
    return result + series


@njit(cache=True)
def tetragamma(x):
    """The derivative of :func:`trigamma` (for third derivatives of lgamma; it has no rule itself, so a
    fourth derivative is refused)."""
    if x <= 0.0 and x == _floor(x):
        return np.nan
    if x < 0.0:
        # reflection: psi2(x) = psi2(1 - x) - 2 pi^3 cot(pi x) / sin^2(pi x)
        s = np.sin(np.pi * x)
        return tetragamma(1.0 - x) - 2.0 * np.pi ** 3 * np.cos(np.pi * x) / (s * s * s)
    result = 0.0
    while x < 10.0:
        result -= 2.0 / (x * x * x)
        x += 1.0
    inv = 1.0 / x
    inv2 = inv * inv
    series = -inv2 * (1.0 + inv * (1.0 + inv * (0.5 - inv2 * (1.0 / 6 - inv2 * (1.0 / 6 - inv2 * (
        0.3 - inv2 * 5.0 / 6))))))
    return result + series


@njit(cache=True)
def new_tapes(floats, ints):
    """A float and an int tape for one chunk of a parallel batch.

    A call, because Numba hoists ``np.empty`` with loop-invariant sizes out of a ``prange`` loop, which
    would give every thread the same tapes; it never hoists a call of a compiled function.
    """
    return np.empty(floats, np.float64), np.empty(ints, np.int64)
