"""Functions differentiated with respect to a tuple argument, used by test_tuple_wrt.py."""

import math

import numpy as np


def affine(p, x):
    a, b = p
    return a * x + b * b


def indexed(p, x):
    return p[0] * math.sin(x) + p[1] * p[2]


def weighted(p, x):
    """A tuple of an array and a float: p = (w, bias)."""
    w, bias = p
    return np.sum(w * x) + bias * bias


def prediction(p, x):
    """An array result: p = (w, bias)."""
    w, bias = p
    return w * x + bias


def _scaled(q, x):
    return q[0] * x + q[1]


def through_a_call(p, x):
    total = 0.0
    for value in p:
        total += value * value
    return _scaled(p, x) * total


def loss_and_parts(p, x):
    a, b = p
    return a * a * x + b, a + b
