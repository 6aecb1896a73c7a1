"""Functions whose gradients record values on a tape: loops with while, overwritten scalars."""

import math

import numpy as np


def newton_roots(x):
    """A Newton iteration per element: a while loop whose trip count depends on the value."""
    s = 0.0
    n = x.shape[0]
    for i in range(n):
        y = x[i]
        while abs(y * y - x[i]) > 1e-12 * x[i]:
            y = 0.5 * (y + x[i] / y)
        s = s + y * x[(i + 1) % n]
    return s


def overwritten(x):
    """A scalar overwritten every iteration, read by the next."""
    t = 0.0
    s = 0.0
    for i in range(x.shape[0]):
        t = math.sin(x[i]) * t + x[i] * x[i]
        s = s + t * t
    return s


def rosenbrock_while(x):
    """Extended Rosenbrock written with a while loop."""
    s = 0.0
    i = 0
    while i < x.shape[0] - 1:
        s = s + 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
        i = i + 1
    return s


def coupled(x):
    """Every pair of elements coupled: a dense Hessian, overwriting ``r`` in a nested loop."""
    n = x.shape[0]
    s = 0.0
    for i in range(n):
        r = 0.0
        for j in range(n):
            r = r + math.cos(x[i] - 0.5 * x[j]) * x[j]
        s = s + r * r
    return s + np.sum(x * x)
