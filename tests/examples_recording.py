"""Functions whose reverse sweep must read back values that the forward sweep changed."""

import numpy as np


def swapped_index_array(a, p0):
    p = p0.copy()
    s = 0.0
    for k in range(2):
        s += a[p[0]] * a[p[0]]
        t = p[0]
        p[0] = p[1]
        p[1] = t
    return s


def index_from_changing_floats(a, w0):
    w = w0.copy()
    x = 0.0
    for j in range(3):
        x = x + a[int(w[1, j]) % 5]
        w[1, j] = w[1, j] + 2.0
        w[1, (j + 1) % 3] = w[1, j] + 1.0
    return x * x


def write_through_changing_index(x, p0):
    p = p0.copy()
    z = np.zeros(3)
    s = 0.0
    for k in range(3):
        z[p[0]] = x[k] * x[k]
        s += z[p[0]] * x[0]
        p[0] = (p[0] + 1) % 3
    return s + z[0] * z[1]


def element_read_back_in_loop(x):
    z = np.zeros(2)
    s = 0.0
    for _ in range(3):
        z[0] = x[0]
        s += z[0] * z[0]
    return s


def invariant_read_in_top_level_loop(x, y):
    s = 0.0
    for i in range(3):
        s = s + x[0] * y
    return s


def _rhs(y, theta):
    z = np.empty_like(y)
    z[0] = theta[0] * y[1]
    z[1] = -theta[1] * y[0] - 0.1 * y[1]
    return z


def rk4_oscillator(theta, y0):
    y = y0.copy()
    h = 0.1
    for n in range(10):
        k1 = _rhs(y, theta)
        k2 = _rhs(y + 0.5 * h * k1, theta)
        k3 = _rhs(y + 0.5 * h * k2, theta)
        k4 = _rhs(y + h * k3, theta)
        y = y + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return y[0] * y[0] + y[1]


def inactive_element_at_changing_index(x, a, p0):
    p = p0.copy()
    s = 0.0
    for k in range(3):
        u = a[p[0]]
        s += u * x * x
        p[0] = (p[0] + 1) % 3
    return s


def loop_bound_from_changing_array(x, p0):
    p = p0.copy()
    s = 0.0
    for i in range(p[0]):
        s += x * x * i
        p[1] = p[1] + 1
    p[0] = 0
    return s + p[1] * x


def inner_bounds_from_changing_array(x, p0):
    p = p0.copy()
    s = 0.0
    for k in range(2):
        for i in range(p[k]):
            s += x * x * (i + 1)
        p[k] = p[k] - 1
    return s


def constant_written_at_changing_index(x, p0):
    p = p0.copy()
    z = np.zeros(2)
    s = 0.0
    for k in range(2):
        z[0] = x * (k + 1)
        z[1] = x * x
        z[p[0]] = 1.0
        s += z[0] * z[1]
        t = p[0]
        p[0] = p[1]
        p[1] = t
    return s


def gather_through_filled_index_array(a, x, n):
    idx = np.zeros(n, np.int64)
    for i in range(n):
        idx[i] = (i * 2) % n
    s = 0.0
    for i in range(n):
        for j in range(x.shape[0]):
            s += a[idx[i], j] * x[j] * x[idx[i] % x.shape[0]]
    return s


def loops_over_a_changing_array(x):
    z = np.zeros(3)
    s = 0.0
    for k in range(2):
        for i in range(z.shape[0]):
            z[i] = z[i] * 0.5 + x[i] * x[k]
        for i in range(len(z)):
            s += z[i] * z[i]
    return s


def scaled_by_own_element(a):
    w = a * a[0]
    return np.sum(w)


def row_sums_less_corner(m):
    v = np.sum(m, axis=1) - m[0, 0]
    return np.sum(v * v)
