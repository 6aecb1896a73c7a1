"""Primitives that no other example calls (rounding, angle conversions, gamma, unary plus, bool),
in functions whose derivatives flow around them: catalogued in tests/catalogue.py."""

import math

import numpy as np


def rounded_factors(x, y):
    """trunc, ceil and round are piecewise constant: the factors beside them carry the derivative."""
    return math.trunc(x) * y + np.ceil(x) * y * y + np.trunc(y) * x * x + round(x) * x * y


def angles(x, y):
    return math.sin(math.radians(x)) * math.degrees(y) + np.radians(y) * np.degrees(x) + np.deg2rad(x * y)


def gamma_plus_and_bool(x, y):
    s = +x * y + math.gamma(x) * y
    if bool(x > y):
        s += x * x
    return s
