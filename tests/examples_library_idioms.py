"""Idioms of library code (numba-stats, SciPy's benchmark functions), used by test_library_idioms.py."""

import math

import numba
import numpy as np


# raise on bad parameters ------------------------------------------------------
def logpdf_checked(x, mu, sigma):
    if sigma <= 0.0:
        raise ValueError("sigma must be positive")
    z = (x - mu) / sigma
    return -0.5 * z * z - math.log(sigma) - 0.5 * math.log(2.0 * math.pi)


def clipped_sum(x, lo):
    total = 0.0
    for i in range(x.shape[0]):
        if x[i] < lo - 100.0:
            raise FloatingPointError
        total += math.exp(x[i] - lo)
    return total


def branch_or_raise(a, b):
    if a > 0.0:
        return a * b
    else:
        raise ValueError("a must be positive")


# dtype-generic code -----------------------------------------------------------
def norm_logpdf_generic(x, loc, scale):
    T = type(x)
    z = (x - loc) / scale
    return -T(0.5) * z * z - T(np.log(2 * np.pi)) * T(0.5) - np.log(scale)


def inverse_scale(x, scale):
    return x * type(scale)(1) / scale


def dtype_keywords(x):
    n = x.shape[0]
    a = np.zeros(n, dtype=np.float64)
    b = np.empty(n, dtype=x.dtype)
    c = np.ones(3, dtype=float)
    for i in range(n):
        a[i] = x[i] * x[i]
        b[i] = 2.0 * x[i]
    return np.sum(a) + np.sum(b) * c[1]


# a name rebound from an array to a scalar (SciPy's univariate benchmarks) -----
def univariate(x):
    x = x[0]
    return (x - 1.5) ** 2 * math.sin(x) + x


def univariate_loop(x, a):
    x = x[0]
    s = 0.0
    for k in range(1, 4):
        s += k * math.sin((k + 1) * x + a)
    return -s


# array helpers ------------------------------------------------------------------
def filled(x, v):
    a = np.full_like(x, v)
    b = np.full(x.shape[0], v * v)
    c = np.full((2, 3), 0.5)
    return np.sum(a * x) + np.sum(b * x) + np.sum(c) * v


def at_least(x, s):
    a = np.atleast_2d(x)
    b = np.atleast_3d(x)
    c = np.atleast_2d(s)
    return np.sum(a[0] * x) + np.sum(b[0, :, 0] ** 3) + c[0, 0] * s + a.shape[0] + b.shape[2]


def rolled(x, k):
    y = np.roll(x, k)
    return np.sum(y * np.arange(x.shape[0]))


def rolled_matrix(A, W):
    B = np.roll(A, 2)
    return np.sum(B * W)


def sizes(x):
    return np.size(x) * x[0] + x.size * x[1]


def extremes(x, a, b):
    return max(x) - min(x) + max(a, b, 0.5) * min(a, b)


def largest(A):
    return max(A)


# refused ------------------------------------------------------------------------
class NotPositive(ValueError):
    pass


def raises_custom(x):
    if x > 0.0:
        raise NotPositive("x")
    return x


def raises_formatted(x):
    if x > 0.0:
        raise ValueError(x)
    return x


def type_as_value(x):
    T = type(x)
    if T is float:
        return x
    return 2.0 * x
