"""Views: names bound to the storage of another array, written and read through either name."""

import math

import numpy as np


def write_through_alias(x):
    a = np.ones(3)
    a[1] = 0.1
    w = a
    w[0] = x
    return a[0] * 3.0 + a[1]


def write_through_slice_of_copy(x, a):
    b = a.copy()
    w = b[0:2]
    w[0] = x
    return b[0] * 3.0 + w[0]


def write_row_in_loop(x):
    m = np.ones((2, 3))
    w = m[0]
    for j in range(3):
        w[j] = x * j
    return m[0, 2] + m[1, 1] + np.sum(w)


def scale_rows(x, a):
    m = np.ones((3, 2))
    for i in range(3):
        r = m[i]
        for j in range(2):
            r[j] = r[j] * x + a[j]
    return np.sum(m * m)


def read_rows_of_argument(m, y):
    s = 0.0
    for i in range(m.shape[0]):
        r = m[i]
        s += r[0] * r[1] * y
    for r in m:
        s += r[1] * r[1]
    return s


def slice_of_slice(x):
    a = np.ones(4)
    t = np.ones(2)
    w = a[1:]
    w[0] = w[0] + x
    w[1:] = t * x * 2.0
    n = len(w) + w.shape[0]
    return a[1] * 3.0 + np.sum(w) * n + a[3] + w[-1] * w[-2]


def transposed(x):
    m = np.zeros((2, 3))
    w = m.T
    w[2, 1] = x * x
    return m[1, 2] * 2.0 + np.sum(w)


def alias_then_base_rebound(x):
    a = np.ones(3)
    a[0] = x
    w = a
    a = a * 2.0
    return w[0] + a[0]


def pick(a, b, first):
    if first:
        return a
    return b


def helper_returns_one_of_two(x, y):
    v = pick(x, y, x[0] > 0.0)
    return np.sum(v * v)


def view_rebound(x):
    a = np.ones(3)
    w = a
    w[0] = x
    w = a[1:]
    w[0] = x
    return a[0] + a[1]


def written_after_base_rebound(x):
    a = np.ones(3)
    a[0] = x
    w = a
    a = a * 2.0
    w[0] = 5.0
    return w[0] + a[0]


def row_used_after_loop(m, y):
    for i in range(m.shape[0]):
        r = m[i]
    return r[0] * y


def index_changed_after_binding(x):
    m = np.ones((2, 2))
    i = 0
    w = m[i]
    i = 1
    w[0] = x
    return m[0, 0] + m[1, 0]


def _norm2(v):
    s = 0.0
    for k in range(len(v)):
        s += v[k] * v[k]
    return s


def helper_reads_rows(m, y):
    s = 0.0
    for i in range(m.shape[0]):
        s += _norm2(m[i]) * y
    return s


def subscript_of_subscript(m, y):
    return m[1][0] * y + m[0:2][1, 1] * m.T[0, 1]


def slice_with_variable_bounds(x, k):
    a = np.ones(5)
    w = a[k:k + 2]
    w[1] = x
    return a[k + 1] * 2.0


def slice_from_the_end(x):
    a = np.ones(5)
    w = a[-3:]
    w[0] = x
    w[-1] = x * x
    return a[2] * 2.0 + a[4]


def _rhs_with_early_return(y, k):
    z = np.empty_like(y)
    if y[0] > 10.0:
        z[0] = 0.0
        z[1] = 0.0
        return z
    z[0] = y[1]
    z[1] = -k * y[0]
    return z


def euler_with_early_return(k, y0):
    y = y0.copy()
    for n in range(5):
        d = _rhs_with_early_return(y, k)
        y = y + 0.1 * d
    return y[0] + y[1]


def chosen_then_written(x, y):
    s = 0.0
    for i in range(2):
        v = pick(x, y, i > 0)
        s += v[0]
        v[1] = 2.0
        s += x[1] * y[1]
    return s


def column(x):
    m = np.ones((3, 3))
    w = m[:, 1]
    for j in range(len(w)):
        w[j] = x * j
    return m[2, 1] + np.sum(w) + w.shape[0]


def strided_block(x):
    m = np.ones((4, 4))
    w = m[1:, 0:3:2]
    w[1, 1] = x * x
    w[-1, 0] = x
    return m[2, 2] + m[3, 0] + np.sum(w * w)


def row_bound_in_loop(x, a):
    m = np.ones((3, 2))
    for i in range(3):
        w = m[i, :]
        w[0] = a[i] * x
        w[1] = w[0] * w[0]
    return np.sum(m)


def transposed_block(x):
    m = np.zeros((2, 3))
    w = m[0:2, 1:3]
    u = w.T
    u[1, 0] = x
    r = u.T
    r[1, 0] = x * x
    return m[0, 2] * 2.0 + np.sum(u) + m[1, 1]


def too_many_indices(x):
    m = np.ones((2, 2))
    w = m[0]
    return w[1, 1] * x


def _filled(y, c):
    z = np.empty_like(y)
    for i in range(len(y)):
        z[i] = y[(i + c) % len(y)] * 0.5 + 0.1
    if c > 2:
        return z
    z[c] = z[c] * y[0]
    return z


def helper_fills_and_returns_from_two_places(x):
    s = 0.0
    for k in range(3):
        g = _filled(x, k + 1)
        s += g[0] * g[1] + g[2]
    return s


def loops_over_a_slice(x):
    a = np.ones(4)
    a[2] = 3.0
    w = a[1:3]
    s = 0.0
    for v in w:
        s += v * x
    for i, v in enumerate(w):
        w[i] = v * x
    return s + a[1] + a[2]


def zipped_rows(m, n, c):
    s = 0.0
    for r, q in zip(m, n):
        s += r[0] * q[1] * c
    return s


def write_through_reversed_view(x):
    a = np.ones(3)
    w = a[::-1]
    w[0] = x
    return a[2]


def write_into_transpose_result(x):
    m = np.zeros((2, 3))
    w = np.transpose(m)
    w[0, 1] = x
    return m[1, 0]


def read_transpose_result(x, m):
    w = np.transpose(m)
    return np.sum(w * w) * x


def gauss_seidel(a, b):
    n = b.shape[0]
    x = np.zeros(n)
    for sweep in range(3):
        for i in range(n):
            row = a[i]
            s = b[i]
            for j in range(n):
                if j != i:
                    s -= row[j] * x[j]
            x[i] = s / row[i]
    return np.sum(x * x)


def cholesky_log_determinant(a):
    n = a.shape[0]
    lower = a.copy()
    for j in range(n):
        column = lower[:, j]
        for k in range(j):
            for i in range(j, n):
                column[i] -= lower[i, k] * lower[j, k]
        d = math.sqrt(column[j])
        for i in range(j, n):
            column[i] = column[i] / d
    s = 0.0
    for i in range(n):
        s += 2.0 * math.log(lower[i, i])
    return s
