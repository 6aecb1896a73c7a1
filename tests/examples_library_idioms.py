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


# lists of numbers ----------------------------------------------------------------
def small_vector(x, a, b):
    v = np.array([a, b * b, math.sin(a)])
    w = np.asarray([1.0, a, 2.0])
    return np.dot(v, w) + np.sum(np.array([a, b]) * x[:2])


def table(a, b):
    M = np.array([[a, b], [b * a, 1.0]])
    return M[0, 1] * M[1, 0] + M[1, 1] + M[0, 0] ** 2


def sum_of_squares(x):
    n = x.shape[0]
    return sum([x[i] ** 2 for i in range(n)]) + sum(math.exp(v) for v in x)


def weights_in_a_loop(x):
    weights = [0.5, 2.0, -1.0]
    total = 0.0
    for i in range(len(weights)):
        total += weights[i] * x[i] ** 2
    return total


def squares_array(x, c):
    y = np.array([c * v for v in x])
    z = [k * c for k, v in enumerate(x)]
    return np.sum(y * x) + max(z) + z[1]


def repeated_list(x):
    v = [0.0, 1.0] * 2
    return x * v[3]


def comprehension_with_if(x):
    return sum([v * v for v in x if v > 0.0])


def returns_list(x):
    v = [x, 2.0 * x]
    return v


# np.ndenumerate ------------------------------------------------------------------
def weighted_by_position(x):
    total = 0.0
    for i, v in np.ndenumerate(x):
        total += (i[0] + 1) * v * v
    return total


def matrix_by_position(A, s):
    total = 0.0
    for (i, j), v in np.ndenumerate(A):
        if i == j:
            continue
        total += (i - j) * math.sin(v * s)
    return total


def matrix_by_index_tuple(A):
    total = 0.0
    for idx, v in np.ndenumerate(A):
        total += idx[0] * v + idx[1] * v * v
    return total


# @numba.vectorize helpers -----------------------------------------------------------
@numba.vectorize
def gauss(x, s):
    return math.exp(-0.5 * x * x / (s * s)) / s


@numba.vectorize(["float64(float64)"])
def softplus(x):
    if x > 30.0:
        return x
    return math.log1p(math.exp(x))


def gauss_of_scalars(x, s):
    return gauss(x, s) + softplus(x * s)


def gauss_of_arrays(x, s):
    return np.sum(gauss(x, s) * x)


def softplus_of_array(x):
    return np.sum(softplus(x))


def softplus_of_matrix(A, B):
    return np.sum(softplus(A) * gauss(B, 0.5) + gauss(A, B))


def softplus_of_local_array(x):
    y = 2.0 * x
    return np.sum(softplus(y))


def breaks_out_of_ndenumerate(A):
    total = 0.0
    for (i, j), v in np.ndenumerate(A):
        if v > 3.0:
            break
        total += v
    return total


def tuple_argument(p):
    a, b = p
    return a * b


def likelihood(p):
    return logpdf_checked(p[0], p[1], p[2]) + norm_logpdf_generic(p[0], p[1], p[2])


def over_a_list(x):
    total = 0.0
    for w in [0.5, 2.0, x * x]:
        total += w * x
    for k, c in enumerate([1.0, x]):
        total += k * c
    return total


@numba.njit
def _log_density(z, scale):
    T = type(z)
    if scale <= T(0):
        raise ValueError("scale must be positive")
    return -T(0.5) * z * z - np.log(scale) - T(0.5) * T(np.log(2 * np.pi))


def helper_generic(x, loc, scale):
    total = 0.0
    for i in range(x.shape[0]):
        total += _log_density((x[i] - loc) / scale, scale)
    return total
