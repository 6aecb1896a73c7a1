import math
import numba
import numpy as np

def sq(x):
    return x * x

@numba.njit
def smooth_abs(x, eps):
    if x > 0.0:
        return math.sqrt(x * x + eps)
    return math.sqrt(x * x + eps) * 1.0

def polar(x, y):
    r = math.hypot(x, y)
    return r, math.atan2(y, x)

def step(x, k):
    for i in range(k):
        x = x - 0.1 * sq(x) + 0.05
        if x < 0.0:
            return x * 2.0
    return x

def caller(a, b):
    s = sq(a) + sq(b) * 2.0
    r, t = polar(a, b)
    s += smooth_abs(a - b, 1e-3) + r * t
    for i in range(3):
        s += step(s * 0.1, 4)
    return s

def dot_rows(A, v):
    s = 0.0
    for i in range(A.shape[0]):
        s += row_dot(A, i, v)
    return s

def row_dot(A, i, v):
    acc = 0.0
    for j in range(len(v)):
        acc += A[i, j] * v[j]
    return acc * acc

def newton(a):
    x = a
    while abs(resid(x, a)) > 1e-12:
        x = x - resid(x, a) / (2.0 * x)
    return x

def resid(x, a):
    return x * x - a

def rec(x):
    return rec(x * 0.5) if x > 1.0 else x


def called_twice_in_loop(x, n):
    s = 0.0
    for i in range(n):
        s += sq(x + i) - sq(x - i) * 0.5
    return s


def uses_tuple_result(x):
    r, t = polar(x, 2.0 * x + 1.0)
    return r * math.cos(t)


def wrong_arity(x):
    return sq(x, x)
