"""Compiled helpers that generated code calls."""

import math

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


def prange_only():
    """Numba's ``parallel=`` option that runs ``prange`` loops in parallel and rewrites nothing else.

    A new dict each time: Numba empties the one it is given.
    """
    return {"comprehension": False, "reduction": False, "inplace_binop": False, "setitem": False,
            "numpy": False, "stencil": False, "fusion": False, "prange": True}


@njit(cache=True)
def new_tapes(floats, ints):
    """A float and an int tape for one chunk of a parallel batch.

    A call, because Numba hoists ``np.empty`` with loop-invariant sizes out of a ``prange`` loop, which
    would give every thread the same tapes; it never hoists a call of a compiled function.
    """
    return np.empty(floats, np.float64), np.empty(ints, np.int64)


# Gauss-Laguerre nodes and weights for the upper tail of the incomplete gamma function
_LAGUERRE_NODES, _LAGUERRE_WEIGHTS = np.polynomial.laguerre.laggauss(80)


@njit(cache=True)
def gammainc_da(a, x):
    """d/da of the regularized lower incomplete gamma function P(a, x), for a > 0 and x >= 0.

    Below x = a + 1, from the series P(a, x) = sum_n exp((a + n) log x - x - lgamma(a + n + 1)): each
    term's derivative in a is the term times (log x - digamma(a + n + 1)), and digamma steps by
    1 / (a + n + 1) from term to term.  Above, where P is close to 1 and the series would cancel, from
    the upper tail: -d/da of Q(a, x) = integral over t > x of t^(a-1) e^(-t) / Gamma(a), that is the
    integral of its integrand times (log t - digamma(a)), by Gauss-Laguerre quadrature in t - x.
    """
    if x <= 0.0:
        return 0.0
    if x > a + 1.0:
        psi_a = digamma(a)
        total = 0.0
        for k in range(_LAGUERRE_NODES.shape[0]):
            t = x + _LAGUERRE_NODES[k]
            total += _LAGUERRE_WEIGHTS[k] * np.exp((a - 1.0) * np.log(t) - x - math.lgamma(a)) * (np.log(t) - psi_a)
        return -total
    log_x = np.log(x)
    term = np.exp(a * log_x - x - math.lgamma(a + 1.0))
    psi = digamma(a + 1.0)
    total = term * (log_x - psi)
    n = 0
    while n < 100000:
        n += 1
        term *= x / (a + n)
        psi += 1.0 / (a + n)
        change = term * (log_x - psi)
        total += change
        if n > x and abs(change) <= 1e-17 * abs(total):
            break
    return total


@njit(cache=True)
def stdtr_ddf(df, t):
    """d/d(df) of Student's t distribution function stdtr(df, t), for df > 0.

    The integral of d/d(df) of the density over (-inf, t], with u = t - exp(s): the integrand decays
    exponentially at both ends of s, so the trapezoidal rule converges geometrically; the right end is
    taken far enough for the density's tail u^-(df+1).
    """
    half = 0.5 * (df + 1.0)
    constant = math.lgamma(half) - math.lgamma(0.5 * df) - 0.5 * np.log(df * np.pi)
    shift = 0.5 * digamma(half) - 0.5 * digamma(0.5 * df) - 0.5 / df
    step = 0.02
    top = min(700.0, 45.0 / df + 45.0)
    total = 0.0
    s = -45.0
    while s <= top:
        u = t - np.exp(s)
        ratio = u * u / df
        log_density = constant - half * np.log1p(ratio)
        score = shift - 0.5 * np.log1p(ratio) + half * ratio / (df * (1.0 + ratio))
        total += np.exp(log_density + s) * score
        s += step
    return total * step


@njit(cache=True)
def kv_dv(v, x):
    """d/dv of the modified Bessel function of the second kind K_v(x), for x > 0.

    From K_v(x) = integral over t > 0 of exp(-x cosh t) cosh(v t): the derivative is the integral of
    exp(-x cosh t) t sinh(v t), an even function of t decaying doubly exponentially, which the trapezoidal
    rule integrates to machine precision.
    """
    step = 0.01
    total = 0.0
    t = step
    while True:
        exponent = -x * np.cosh(t) + abs(v) * t
        if exponent < -745.0 and t > 1.0:
            break
        total += np.exp(-x * np.cosh(t)) * t * np.sinh(v * t)
        t += step
    return total * step
