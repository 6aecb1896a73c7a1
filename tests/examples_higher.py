"""Functions whose derivatives are differentiated again (see test_higher.py)."""

import math

import numpy as np


def straight(x):
    """No loop, nothing recorded: its adjoint has no tape."""
    z = x * x + math.sin(x)
    return z * math.exp(0.3 * x)


def recorded_loop(x):
    """Values overwritten in a loop are recorded: its adjoint pushes and pops."""
    s = 0.0
    for i in range(4):
        s = s + math.sin(x * s + x) * (i + 1)
    return s


def newton_sqrt(a):
    """A while loop: the trip count is recorded."""
    x = a
    while abs(x * x - a) > 1e-13 * a:
        x = 0.5 * (x + a / x)
    return x * x * x


def branches(x):
    y = x
    if x > 0.5:
        y = math.cos(x) * x
    else:
        y = x ** 3
    return y * y


def lgamma_of(x):
    return math.lgamma(x) * x


def array_loop(x):
    """A loop over an array with element writes."""
    n = x.shape[0]
    w = np.zeros(n)
    s = 0.0
    for i in range(n):
        w[i] = math.sin(x[i]) * x[(i + 1) % n]
    for i in range(n):
        s = s + w[i] * w[i] * x[i]
    return s


def array_while(x):
    """Extended Rosenbrock written with a while loop."""
    s = 0.0
    i = 0
    while i < x.shape[0] - 1:
        s = s + 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
        i = i + 1
    return s


def rosenbrock(x):
    """Extended Rosenbrock as a for loop."""
    s = 0.0
    for i in range(x.shape[0] - 1):
        s = s + 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
    return s


def vector_valued(x):
    """An array result, for jvp and vjp inside."""
    y = np.zeros(2)
    y[0] = x * math.sin(x)
    y[1] = math.exp(0.5 * x) + x * x
    return y


def matrix_energy(M):
    """A matrix argument: its Hessian has shape M.shape + M.shape."""
    s = 0.0
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            s = s + math.sin(M[i, j]) * M[(i + 1) % M.shape[0], j] ** 2
    return s


WEIGHTS = np.array([0.5, -1.5, 2.0])


def early_exit(x):
    """break, an early return inside a loop, a global array."""
    s = x
    for i in range(10):
        s = s * math.cos(s) + WEIGHTS[i % 3] * x
        if s > 3.0:
            return s * s
        if i > 5:
            break
    k = 0
    while True:
        s = s + math.sin(s * x)
        k = k + 1
        if k > 2:
            break
    return s


def works_on_a_copy(x):
    """Writes into a copy of its argument."""
    y = x.copy()
    for i in range(1, y.shape[0]):
        y[i] = y[i] * y[i - 1] + math.sin(y[i])
    return np.sum(y * y)


def two_arguments(x, n, y):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x * y + s) * y
    return s * x
