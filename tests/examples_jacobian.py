"""Functions whose Jacobians the tests take: loops, while loops, element writes, 2-D results."""

import math

import numpy as np


def two_layers(x, W1, W2):
    h = np.zeros(W1.shape[0])
    for i in range(W1.shape[0]):
        s = 0.0
        for j in range(x.shape[0]):
            s += W1[i, j] * x[j]
        h[i] = math.tanh(s)
    y = np.zeros(W2.shape[0])
    for i in range(W2.shape[0]):
        s = 0.0
        for j in range(h.shape[0]):
            s += W2[i, j] * h[j]
        y[i] = math.tanh(s)
    return y


def wide(x, W):
    """m = W.shape[0] outputs of n = x.shape[0] inputs, for the mode choice."""
    y = np.zeros(W.shape[0])
    for i in range(W.shape[0]):
        s = 0.0
        for j in range(x.shape[0]):
            s += W[i, j] * math.sin(x[j])
        y[i] = s
    return y


def iterate_until_small(x, a):
    """A while loop whose trip count depends on the values."""
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        t = x[i]
        k = 0
        while abs(t) > 0.01 and k < 50:
            t = a * math.sin(t)
            k += 1
        y[i] = t + a * x[i] * x[i]
    return y


def running_products(x):
    """Element writes that read earlier elements, and a loop left with break."""
    y = np.zeros(x.shape[0])
    y[0] = x[0]
    for i in range(1, x.shape[0]):
        if y[i - 1] > 10.0:
            break
        y[i] = y[i - 1] * x[i] + math.exp(x[i - 1])
    return y


def outer_square(x):
    """A 2-D result: out.shape + in.shape is (n, n, n)."""
    n = x.shape[0]
    M = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            M[i, j] = x[i] * x[j] * x[j] + math.cos(x[i])
    return M


def energy(x, c):
    """A scalar result of an array and a scalar."""
    s = 0.0
    for i in range(x.shape[0]):
        s += c * x[i] ** 3 + math.sin(c * x[i])
    return s


def scalar_pair(a, b):
    return a * math.exp(b) + b * b


def matrix_input(A, v):
    """A 2-D argument: the Jacobian with respect to A has shape (m, rows, columns)."""
    y = np.zeros(A.shape[0])
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            y[i] += A[i, j] * A[i, j] * v[j]
    return y


def sized_by_value(x, m):
    """The result's size is an argument's value: m comes from a run of the function."""
    k = m
    if x[0] > 100.0:
        k = m + 1
    y = np.zeros(k)
    for i in range(k):
        y[i] = x[i % x.shape[0]] * (i + 1)
    return y


def pair(x):
    return x * 2.0, x[0]


def long_recurrence(x, steps):
    """More tape entries than the drivers' first tapes hold: the reverse sweep runs again, larger."""
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        t = x[i]
        for k in range(steps):
            t = math.sin(t) + 0.1 * t
        y[i] = t
    return y


def ignores_first(x, y):
    """A result that does not depend on the wrt argument: an exact zero Jacobian."""
    return y * 2.0
