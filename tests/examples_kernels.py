"""Functions written the way Numba kernels are: helpers with side effects,
tuples, keyword arguments, in-place updates of arguments, global tables,
``prange`` and flag arguments."""

import math

import numba
import numpy as np
from numba import prange


# ---------------------------------------------------------------- evaluation order
def halve(w):
    w[0] = w[0] * 0.5
    return w[0]


def while_and(x):
    # halve() must not run once k < 6 is false
    w = np.ones(1)
    k = 0
    while k < 6 and halve(w) < 1.0:
        k += 1
    return x * (2.0 + w[0] * 64)


def while_or(x):
    w = np.ones(1)
    k = 0
    while k >= 4 or halve(w) > 0.01:
        k += 1
        if k > 8:
            break
    return x * w[0] * 1000.0 + k


def if_and(x, n):
    w = np.ones(1)
    s = 0.0
    for i in range(n):
        if i % 2 == 0 and halve(w) > 0.2:
            s += x * w[0]
    return s + w[0] * x * x


def elif_call(x, n):
    w = np.ones(1)
    s = 0.0
    for i in range(n):
        if i < 2:
            s += x
        elif halve(w) > 0.1:
            s += x * x * w[0]
    return s + w[0] * x


def conditional_expression(x, n):
    w = np.ones(1)
    s = 0.0
    for i in range(n):
        s += x * halve(w) if i % 3 == 0 else x * x
    return s + w[0]


def reads_what_the_call_writes(x):
    w = np.ones(1) * x
    return w[0] + halve(w)  # <- call


def halves_at_index(w):
    w[0] = w[0] * 0.5
    return 1


def call_in_the_target(x):
    # Python evaluates w[0] on the right before the call in the index
    w = np.ones(2)
    w[0] = x
    buf = np.zeros(2)
    buf[halves_at_index(w)] = w[0]
    return buf[1] * w[0]


def augmented_reads_before_the_call(x):
    w = np.ones(2)
    w[0] += halves_at_index(w) * x  # <- augmented
    return w[0]


# ---------------------------------------------------------------- helpers that write into arrays
def fill(buf, x):
    for i in range(buf.shape[0]):
        buf[i] = x * (i + 1.0)


def scale_rows(M, c):
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            M[i, j] = M[i, j] * c
    if c > 0.0:
        return
    M[0, 0] = 0.0


def fills_buffer(x):
    buf = np.zeros(3)
    fill(buf, x)
    return np.sum(buf * buf)


def fills_in_loop(x, c):
    M = np.ones((2, 3))
    s = 0.0
    for k in range(3):
        M[0, k] = x[k]
        scale_rows(M, c)
        s += M[0, k] * M[1, k]
    return s


def rhs(y, dy):
    dy[0] = y[1]
    dy[1] = -math.sin(y[0])


def euler(y0, h):
    y = y0.copy()
    dy = np.empty_like(y)
    for _ in range(5):
        rhs(y, dy)
        for i in range(2):
            y[i] = y[i] + h * dy[i]
    return y[0] * y[1]


def writes_a_view(x):
    M = np.ones((2, 2))
    fill(M[0], x)  # <- view
    return M[0, 0]


# ---------------------------------------------------------------- tuples and keywords
def polar(r, t):
    return r * math.cos(t), r * math.sin(t)


def rotated(x, y):
    p = polar(x, y)
    a, b = polar(y, x)
    q = (x, y * 2.0)
    return p[0] * q[1] + p[-1] * a - b + q[0] * len(q)


def moments(x):
    return x * x, x + 1.0


def moments_of_moments(x):
    a, b = moments(x)
    return moments(a * b)


def tuple_of_tuple_helpers(x):
    u, v = moments_of_moments(x)
    w = moments_of_moments(v)
    return u + w[0] * w[1]


def affine(x, coef):
    a, b = coef
    return a * x + coef[1] * x * x + b


def passes_tuples(x):
    p = (x, 2.0 * x)
    return affine(x, p) + affine(p[1], (1.0, 3.0))


def tuple_read_above_its_assignment(x):
    s = 0.0
    for i in range(3):
        if i > 0:
            s += q[0]
        q = moments(x)  # <- tuple assigned
    return s


def scaled(x, scale=2.0, shift=0.5):
    return x * scale + shift


def keywords(x):
    return scaled(x, shift=1.5) + scaled(x) * scaled(x, 3.0) + scaled(shift=x, x=1.0)


def unpacks_tuple_argument(x, params, shape):
    a, b = params
    s = 0.0
    for i in range(shape[0]):
        s += x[i] * a + params[1] * x[i] ** 2 + b * len(shape)
    return s


def loops_over_tuples(x, params):
    s = 0.0
    for c in params:
        s = s * x + c
    for c in COEFFICIENTS:
        if c < 0.0:
            continue
        s += c * x
    p = (x, x * x)
    for v in p:
        s += v
    return s


def unpacks_shape(A):
    n, m = A.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += A[i, j] ** 2 * (j + 1)
    return s


def indexes_tuple_by_variable(x, params):
    s = 0.0
    for i in range(2):
        s += x * params[i]  # <- tuple index
    return s


# ---------------------------------------------------------------- argument arrays changed in place
def output_buffer(x, out):
    for i in range(x.shape[0]):
        out[i] = x[i] * x[i]
    x[0] = x[0] * 3.0
    return np.sum(out) + x[0]


def gradient_steps(w, g0, lr):
    for k in range(4):
        g = w * g0
        w = w - lr * g
    return np.sum(w * w)


def copies_itself(x):
    x = x.copy()
    x[1] = x[0] * x[1]
    return np.sum(x)


def helper_writes_argument(x):
    fill(x, x[1])
    return np.sum(x * x)


# ---------------------------------------------------------------- global arrays, prange, flags
TABLE = np.array([[1.0, 2.0], [3.0, -0.5]])
WEIGHTS = np.linspace(0.0, 1.0, 4)
ORDER = np.array([2, 0, 1])


COEFFICIENTS = (1.0, -0.5, 0.25)
POWERS = (0, 1, 2)


def polynomial(x):
    s = 0.0
    for i in range(len(COEFFICIENTS)):
        s += COEFFICIENTS[i] * x ** POWERS[i]
    return s + COEFFICIENTS[-1] * x


MIXED = (2, 0.5)


def global_tuples(x):
    return affine(x, (COEFFICIENTS[0], MIXED[1])) + MIXED[0] * x * len(MIXED)


def mixed_tuple_by_variable(x):
    s = 0.0
    for i in range(2):
        s += MIXED[i] * x  # <- mixed
    return s


def weighted(x):
    return x * WEIGHTS[1]


def reads_globals(x):
    s = 0.0
    for i in range(3):
        s += x[ORDER[i]] * TABLE[0, i % 2] + weighted(x[i]) * WEIGHTS[i]
    for j in range(TABLE.shape[1]):
        s += x[j] * TABLE[1, j]
    return s + np.sum(x * WEIGHTS[:3]) + TABLE.sum() * x[0]


def writes_global(x):
    WEIGHTS[0] = x  # <- global
    return x


def parallel_sum(x):
    s = 0.0
    for i in prange(x.shape[0]):
        s += x[i] * x[i]
    for i in numba.prange(2):
        s += x[i]
    return s


def flagged(x, mode):
    if mode == "square":
        return x * x
    return x * 3.0


# ---------------------------------------------------------------- None arguments
def weighted_loss(x, w=None):
    if w is None:
        w = np.ones_like(x)
    return np.sum(w * x * x)


def optional_scale(x, scale=None):
    s = x * x
    if scale is not None and scale > 0.0:
        s = s * scale
    return s if scale is None else s + scale


def optional_factor(x, c=None):
    if c is None:
        return x * 2.0
    return x * c


def calls_with_and_without(x):
    return optional_factor(x) + optional_factor(x, 3.0)


def reads_none(x, w=None):
    return x * w  # <- reads None


def none_tested_in_loop(x, w=None):
    s = 0.0
    for i in range(2):
        if w is None:  # <- in loop
            w = x
        s += w
    return s


# ---------------------------------------------------------------- refusals point at their cause
def becomes_an_array(x):
    s = 0.0
    for i in range(3):
        s += x * 2.0  # <- becomes an array
    return np.sum(s)


def multiplies_a_tuple(x, params):
    s = 0.0
    v = x * params  # <- tuple operand
    s += np.sum(v)
    return s


def nested_module_function(x):
    return np.sum(np.fft.ifftshift(x))  # <- nested module


def unknown_method(x):
    return x.searchsorted(0.5) * 1.0  # <- method


def product(x, y):
    return x * y


def squares(x):
    return np.sum(x * x)
