"""Classic unconstrained test problems (Moré, Garbow and Hillstrom, 1981), written as people
write them for Numba: sums of squared residuals in loops, with small helpers that return early."""

import math

import numpy as np


def rosenbrock(x):
    s = 0.0
    for i in range(len(x) // 2):
        a = 10.0 * (x[2 * i + 1] - x[2 * i] ** 2)
        b = 1.0 - x[2 * i]
        s += a * a + b * b
    return s


def _beale_y(i):
    if i == 1:
        return 1.5
    elif i == 2:
        return 2.25
    return 2.625


def beale(x):
    s = 0.0
    for i in range(1, 4):
        t = _beale_y(i) - x[0] * (1.0 - x[1] ** i)
        s += t * t
    return s


def _powell_residual(x, i):
    if i == 0:
        return x[0] + 10.0 * x[1]
    if i == 1:
        return math.sqrt(5.0) * (x[2] - x[3])
    if i == 2:
        return (x[1] - 2.0 * x[2]) ** 2
    return math.sqrt(10.0) * (x[0] - x[3]) ** 2


def powell_singular(x):
    s = 0.0
    for i in range(4):
        r = _powell_residual(x, i)
        s += r * r
    return s


def _wood_residual(x, i):
    if i == 0:
        return 10.0 * (x[1] - x[0] * x[0])
    elif i == 1:
        return 1.0 - x[0]
    elif i == 2:
        return math.sqrt(90.0) * (x[3] - x[2] * x[2])
    elif i == 3:
        return 1.0 - x[2]
    elif i == 4:
        return math.sqrt(10.0) * (x[1] + x[3] - 2.0)
    return (x[1] - x[3]) / math.sqrt(10.0)


def wood(x):
    s = 0.0
    for i in range(6):
        r = _wood_residual(x, i)
        s += r * r
    return s


def _helix_angle(x1, x2):
    angle = math.atan(x2 / x1) / (2.0 * math.pi)
    if x1 < 0.0:
        return angle + 0.5
    return angle


def helical_valley(x):
    f1 = 10.0 * (x[2] - 10.0 * _helix_angle(x[0], x[1]))
    f2 = 10.0 * (math.sqrt(x[0] * x[0] + x[1] * x[1]) - 1.0)
    f3 = x[2]
    return f1 * f1 + f2 * f2 + f3 * f3


def _freudenstein_roth_residual(x, i):
    if i == 0:
        return -13.0 + x[0] + ((5.0 - x[1]) * x[1] - 2.0) * x[1]
    return -29.0 + x[0] + ((x[1] + 1.0) * x[1] - 14.0) * x[1]


def freudenstein_roth(x):
    s = 0.0
    for i in range(2):
        r = _freudenstein_roth_residual(x, i)
        s += r * r
    return s


def _brown_residual(x, i):
    if i == 0:
        return x[0] - 1e6
    if i == 1:
        return x[1] - 2e-6
    return x[0] * x[1] - 2.0


def brown_badly_scaled(x):
    s = 0.0
    for i in range(3):
        r = _brown_residual(x, i)
        s += r * r
    return s


def box_3d(x):
    s = 0.0
    for i in range(1, 11):
        t = 0.1 * i
        r = math.exp(-t * x[0]) - math.exp(-t * x[1]) - x[2] * (math.exp(-t) - math.exp(-10.0 * t))
        s += r * r
    return s


def jennrich_sampson(x):
    s = 0.0
    for i in range(1, 11):
        r = 2.0 + 2.0 * i - (math.exp(i * x[0]) + math.exp(i * x[1]))
        s += r * r
    return s


def _powell_badly_scaled_residual(x, i):
    if i == 0:
        return 1e4 * x[0] * x[1] - 1.0
    return math.exp(-x[0]) + math.exp(-x[1]) - 1.0001


def powell_badly_scaled(x):
    s = 0.0
    for i in range(2):
        r = _powell_badly_scaled_residual(x, i)
        s += r * r
    return s


def _neighbour(x, i):
    if i < 0:
        return 0.0
    if i >= len(x):
        return 0.0
    return x[i]


def broyden_tridiagonal(x):
    s = 0.0
    for i in range(len(x)):
        r = (3.0 - 2.0 * x[i]) * x[i] - _neighbour(x, i - 1) - 2.0 * _neighbour(x, i + 1) + 1.0
        s += r * r
    return s


def variably_dimensioned(x):
    s = 0.0
    weighted = 0.0
    for j in range(len(x)):
        s += (x[j] - 1.0) ** 2
        weighted += (j + 1) * (x[j] - 1.0)
    return s + weighted ** 2 + weighted ** 4


def trigonometric(x):
    n = len(x)
    cosines = 0.0
    for j in range(n):
        cosines += math.cos(x[j])
    s = 0.0
    for i in range(n):
        r = n - cosines + (i + 1) * (1.0 - math.cos(x[i])) - math.sin(x[i])
        s += r * r
    return s


def _bard_y(i):
    if i <= 3:
        if i == 1:
            return 0.14
        if i == 2:
            return 0.18
        return 0.22
    if i <= 8:
        if i == 4:
            return 0.25
        if i == 5:
            return 0.29
        if i == 6:
            return 0.32
        return 0.35 if i == 7 else 0.39
    if i == 9:
        return 0.37
    elif i == 10:
        return 0.58
    elif i == 11:
        return 0.73
    elif i == 12:
        return 0.96
    elif i == 13:
        return 1.34
    elif i == 14:
        return 2.10
    return 4.39


def bard(x):
    s = 0.0
    for i in range(1, 16):
        u = float(i)
        v = float(16 - i)
        w = min(u, v)
        r = _bard_y(i) - (x[0] + u / (v * x[1] + w * x[2]))
        s += r * r
    return s


def _extended_powell_residual(x, i):
    j = i - i % 4
    k = i % 4
    if k == 0:
        return x[j] + 10.0 * x[j + 1]
    if k == 1:
        return math.sqrt(5.0) * (x[j + 2] - x[j + 3])
    if k == 2:
        return (x[j + 1] - 2.0 * x[j + 2]) ** 2
    return math.sqrt(10.0) * (x[j] - x[j + 3]) ** 2


def extended_powell_singular(x):
    s = 0.0
    for i in range(len(x)):
        r = _extended_powell_residual(x, i)
        s += r * r
    return s


def penalty_one(x):
    s = 0.0
    total = 0.0
    for i in range(len(x)):
        r = math.sqrt(1e-5) * (x[i] - 1.0)
        s += r * r
        total += x[i] * x[i]
    last = total - 0.25
    return s + last * last


def brown_almost_linear(x):
    n = len(x)
    total = 0.0
    product = 1.0
    for j in range(n):
        total += x[j]
        product *= x[j]
    s = 0.0
    for i in range(n):
        if i < n - 1:
            r = x[i] + total - (n + 1)
        else:
            r = product - 1.0
        s += r * r
    return s


def discrete_boundary_value(x):
    n = len(x)
    h = 1.0 / (n + 1)
    s = 0.0
    for i in range(n):
        t = (i + 1) * h
        r = 2.0 * x[i] - _neighbour(x, i - 1) - _neighbour(x, i + 1) + h * h * (x[i] + t + 1.0) ** 3 / 2.0
        s += r * r
    return s


def biggs_exp6(x):
    s = 0.0
    for i in range(1, 14):
        t = 0.1 * i
        y = math.exp(-t) - 5.0 * math.exp(-10.0 * t) + 3.0 * math.exp(-4.0 * t)
        r = x[2] * math.exp(-t * x[0]) - x[3] * math.exp(-t * x[1]) + x[5] * math.exp(-t * x[4]) - y
        s += r * r
    return s
