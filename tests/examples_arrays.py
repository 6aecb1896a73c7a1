import math
import numpy as np

def cumsum_sq(x):
    n = len(x)
    c = np.zeros(n)
    c[0] = x[0]
    for i in range(1, n):
        c[i] = c[i - 1] + x[i] * x[i]
    s = 0.0
    for i in range(n):
        s += math.sin(c[i])
    return s

def overwrite(x, reps):
    a = x.copy()
    for r in range(reps):
        for i in range(len(a)):
            a[i] = math.sin(a[i]) + 0.5 * a[i - 1]
    return a[0] + 2.0 * a[-1]

def matvec(A, x):
    n, m = A.shape[0], A.shape[1]
    s = 0.0
    for i in range(n):
        r = 0.0
        for j in range(m):
            r += A[i, j] * x[j]
        s += r * r
    return s

def iterate(x, w):
    s = 0.0
    for i, v in enumerate(x):
        s += v * i
    for u, v in zip(x, w):
        s += u * v
    for v in x:
        s += v ** 3
    return s

def aug(x):
    a = np.zeros((3, len(x)))
    for i in range(len(x)):
        a[0, i] += x[i]
        a[1, i] -= 2.0 * x[i]
        a[2, i] *= x[i]
        a[0, i] *= x[i]
    return a[0, 0] + a[1, 1] + a[0, 2]


def float32_sum(x):
    a = np.zeros(len(x), np.float32)
    for i in range(len(x)):
        a[i] = x[i] * x[i]
    s = 0.0
    for i in range(len(a)):
        s += a[i]
    return s


def ignores_input(x, y):
    s = 0.0
    for i in range(len(y)):
        s += y[i] * y[i]
    return s


def scaled_by_inactive_buffer(x):
    w = np.ones(len(x))
    s = 0.0
    for i in range(len(x)):
        s += w[i] * x[i]
        w[i] = 5.0
    for i in range(len(x)):
        s += w[i] * x[i] * x[i]
    return s


def created_in_loop(x):
    s = 0.0
    for i in range(3):
        a = np.zeros(2)
        a[0] = x[i]
        s += a[0]
    return s


def sliced(x):
    return x[1:3][0]


def reversed_slice(x):
    return np.sum(x[::-1] * x)


def slice_with_unknown_step(x, k):
    return np.sum(x[::k])


def triangular(L, x):
    # a packed lower-triangular matrix walked with a running index, as in ADBench's GMM
    n = len(x)
    y = np.zeros(n)
    p = 0
    for i in range(n):
        for j in range(i + 1):
            y[i] += L[p] * x[j] * x[j]
            p += 1
    s = 0.0
    for i in range(n):
        s += y[i] * y[i]
    return s


def hoist_guard(x):
    n = len(x)
    s = 0.0
    for i in range(n + 2):
        for j in range(i, n):
            s += x[j] * x[i]   # x[i] is read outside its bounds only where the loop does not run
    return s
