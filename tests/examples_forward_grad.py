"""Functions whose forward gradients the tests average: a loop, array expressions, two scalars."""

import math

import numpy as np


def loop_objective(x, scale):
    total = 0.0
    for i in range(x.shape[0]):
        total += math.tanh(scale * x[i]) ** 2 + 0.5 * x[i] * x[(i + 1) % x.shape[0]]
    return total


def array_objective(a):
    return np.sum(np.exp(0.3 * a) * np.cos(a)) + 0.25 * np.sum(a * a)


def scalar_objective(u, v):
    return math.sin(u) * v + u * u


def array_valued(x):
    return 2.0 * x


def pair_valued(x):
    return x[0], x[1]


def with_count(x, n):
    return x * n


def cubic(x):
    return x * x * x + math.sin(x)
