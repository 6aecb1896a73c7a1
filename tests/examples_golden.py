"""Small functions whose generated source is kept as golden files."""

import math


def poly_sin(x, y):
    z = x * y + math.sin(x)
    return z * z


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
    return x
