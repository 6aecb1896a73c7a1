"""Functions that return tuples, and functions with checked arguments, used by test_tuples.py,
test_argument_checks.py and test_check_mode.py."""

import math

import numba
import numpy as np

import srcad


def polar(r, t):
    return r * math.cos(t), r * math.sin(t)


def loss_and_prediction(w, X, y):
    prediction = np.dot(X, w)
    residual = prediction - y
    return np.sum(residual * residual), prediction


def signed_parts(x):
    if x > 0.0:
        return x * x, 1
    return -x, -1


def stats(x):
    total = 0.0
    largest = x[0]
    for k in range(x.shape[0]):
        total += x[k] * x[k]
        if x[k] > largest:
            largest = x[k]
    return math.sqrt(total), largest, total / x.shape[0]


def scaled_and_norm(x, k):
    y = x * k
    return y, np.sum(x * x)


def spread(x):
    return x * 2.0 + 1.0


def norm2(x):
    return np.sum(x * x)


@numba.njit
def cube(a):
    return a * a * a


# a rule with a wrong partial (3 a**2 is right): check mode must notice
@srcad.rule(partials=("2.0 * a * a",))
@numba.njit
def miscubed(a):
    return a * a * a


def uses_miscubed(x):
    return miscubed(x) + x


def first_above(x, limit):
    for k in range(x.shape[0]):
        if x[k] > limit:
            return x[k] * x[k], k
    return 0.0, -1


def polar_of_square(r, t):
    return polar(r * r, t)


def mixed_returns(x):
    if x > 0.0:
        return x
    return x, 2.0 * x


def doubled_and_square(x, k):
    return x * 2.0, k * k


def decay(t, rate):
    return math.exp(-rate * t) * math.cos(t)
