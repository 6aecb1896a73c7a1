"""Functions written the ordinary NumPy way, where arrays are references (issue 11).

``+=`` on an array changes the array object, which its views and the callers
that passed it share; an assignment binds a name to a new array, possibly of
another shape; ``tmp = a; a = b; b = tmp`` swaps references.
"""

import math

import numba
import numpy as np


@numba.njit
def add_into(force, r):
    force += r * 2.0


def accumulate_in_helper(x):
    acc = np.zeros(3)
    add_into(acc, x)
    return np.sum(acc * acc)


def add_to_row_view(x):
    w = x.copy()
    r = w[1]
    r += 2.0 * x[0]
    return np.sum(w * w)


def scale_slice_view(x):
    w = x.copy()
    p = w[:2]
    p *= 3.0
    return np.sum(w * w)


def integrate_positions(position, velocity, dt):
    pos = position.copy()
    for i in range(pos.shape[0]):
        p = pos[i][:3]
        p += velocity[i] * dt
    return np.sum(pos * pos)


@numba.njit
def scale_into(a, s):
    a *= s


def helper_scales_a_row(x):
    w = x.copy()
    scale_into(w[1], 3.0)
    return np.sum(w * w)


def in_place_on_argument(x):
    x += 1.0
    return np.sum(x * x)


def in_place_through_alias(x):
    w = x.copy()
    r = w
    w += 2.0
    return np.sum(r * r)


def in_place_with_reduction(x):
    w = x.copy()
    w -= w.mean()
    return np.sum(w * w * x)


def in_place_in_loop(x):
    acc = np.zeros(3)
    for i in range(4):
        acc += x * i
    return np.sum(acc * acc)


def second_differences(x):
    d = x[1:] - x[:-1]
    d = d[1:] - d[:-1]
    return np.sum(d * d)


def rebound_to_other_argument(x, y):
    h = 2.0 * x
    h = np.sin(y)
    return np.sum(h)


def rebound_longer(x, W):
    h = np.sin(x[:3])
    h = W.T @ h + 1.0
    return np.sum(h * h)


def two_layers(x, W1, b1, W2, b2):
    h = np.tanh(W1 @ x + b1)
    h = np.tanh(W2 @ h + b2)
    return h


def rebound_in_loop(x, A):
    h = x.copy()
    for t in range(3):
        h = np.tanh(A @ h)
    return np.sum(h)


def shrinks_in_loop(x):
    h = x.copy()
    for t in range(2):
        h = h[1:] - h[:-1]
    return np.sum(h * h)


def buffer_swap(a, b):
    for t in range(3):
        tmp = a
        a = b
        b = tmp
        a[0] = a[0] * b[1]
    return np.sum(a * b)


def stencil(u, steps):
    a = u.copy()
    b = np.zeros_like(u)
    n = u.shape[0]
    for t in range(steps):
        for i in range(1, n - 1):
            b[i] = 0.25 * a[i - 1] + 0.5 * a[i] + 0.25 * a[i + 1] + 0.1 * math.sin(a[i])
        tmp = a
        a = b
        b = tmp
    return np.sum(a * a)


def recurrent(inputs, W):
    h = np.zeros((inputs.shape[0] + 1, W.shape[1]))
    for t in range(inputs.shape[0]):
        h[t + 1] = np.dot(inputs[t], W) + h[t]
    return np.sum(np.tanh(h))


def shifted_into_itself(x):
    w = x.copy()
    w[1:] = w[:-1] * 2.0
    return np.sum(w * x)


def kernel(x):
    result = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        result[i] = math.exp(-x[i] * x[i])
    return result


def helper_local_named_result(x):
    return np.sum(kernel(x) * x)


def newton_until_return(a):
    x = a
    while True:
        fx = x * x - a
        if abs(fx) < 1e-12:
            return x
        x = x - fx / (2.0 * x)


def halve_until_return(x):
    w = x.copy()
    k = 0
    while True:
        w = 0.5 * w + 1.0
        k += 1
        if k >= 3:
            return np.sum(w * w)


def chosen_view_written(x, c):
    a = x.copy()
    b = x * 2.0
    v = a if c > 0 else b
    v += 1.0
    return np.sum(a * a) + np.sum(b)


def written_through_transpose(M, B):
    W = M.copy()
    t = W.T
    t += B
    return np.sum(W * M)


def whole_matrix_in_place(M):
    W = M.copy()
    W += 1.0
    W *= W
    return np.sum(W)


def reversed_into_itself(x):
    a = x.copy()
    a += a[::-1]
    return np.sum(a * x)


def shifted_augmented(x):
    a = x.copy()
    a[1:] += a[:-1]
    return np.sum(a * x)


def helper_scales_the_argument(x):
    scale_into(x, 2.0)
    return np.sum(x * x)


def rows_in_place_in_loop(M):
    W = M.copy()
    for i in range(W.shape[0]):
        r = W[i]
        r += W[0] * 0.5
    return np.sum(W * W)


def transpose_filled_with_rows(M, v):
    W = M.copy()
    t = W.T
    t[:, :] = v
    return np.sum(W * M)


def copy_of_expression(x):
    e = np.sin(x).copy()
    return np.sum(e * e)


def copy_of_row_written(M):
    e = M[1].copy()
    e[0] = 3.0 * e[1]
    return np.sum(e * M[0])


@numba.njit
def bump_first(a, c):
    a[0] += c


@numba.njit
def fill_all(a, c):
    for i in range(a.shape[0]):
        a[i] = c * i


def helper_writes_into_a_slice(x):
    w = x.copy()
    bump_first(w[2:], x[0])
    return np.sum(w * w)


def helper_writes_into_a_slice_of_the_argument(x):
    bump_first(x[1:], 2.0)
    return np.sum(x * x)


def helper_fills_a_row(M):
    W = M.copy()
    fill_all(W[1], M[0, 0])
    return np.sum(W * M)


def helper_fills_a_temporary(x):
    w = x * 2.0
    fill_all(w * 1.0, 3.0)
    return np.sum(w * x)


def size_named_in_the_loop(x, W):
    h = x
    for _ in range(2):
        n = W.shape[0]
        out = np.empty(n)
        for i in range(n):
            out[i] = np.tanh(W[i, 0] * h[0] + W[i, 1] * h[1])
        h = out
    return np.sum(h)
