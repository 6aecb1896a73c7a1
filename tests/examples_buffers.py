import numpy as np

def squash(v):
    out = np.tanh(v) * 2.0
    return out

def total(x):
    y = squash(x)
    return np.sum(y * x)

def in_loop(x):
    s = 0.0
    for i in range(3):
        y = squash(x * i)
        s += np.sum(y)
    return s

def fresh_each_time(x):
    s = 0.0
    for i in range(3):
        a = np.zeros(len(x))
        b = np.ones_like(x)
        c = x.copy()
        for j in range(len(x)):
            a[j] += x[j] * i
        s += np.sum(a * b * c)
    return s


def growing(x):
    s = 0.0
    for i in range(1, 3):
        a = np.zeros(i)
        s += np.sum(a) + x[0]
    return s
