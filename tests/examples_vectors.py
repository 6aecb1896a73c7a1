import math
import numpy as np

def energy(x, w):
    y = np.sin(x) * w + 0.5 * x * x
    return np.sum(y * y) + np.dot(x, w)

def layer(W, h, b):
    z = np.tanh(W @ h + b)
    return np.sum(z) / np.mean(h * h + 1.0)

def rnn(W, h0, b, steps):
    h = np.zeros(len(h0))
    for i in range(len(h0)):
        h[i] = h0[i]
    for t in range(steps):
        h = np.tanh(W @ h + b)
    return np.sum(h * h)

def mats(A, B):
    C = A @ B.T
    D = np.outer(A[0], B[1]) 
    return np.sum(C * C) + np.max(D) - np.min(A) + np.sum(np.where(A > 0.0, A, -2.0 * A))

def sl(x):
    y = x[1:4] * 2.0
    return np.sum(y * x[0:3]) + np.sum(x[::2]) + np.prod(np.clip(x, -0.5, 0.9))


def matvec_rows(A, x):
    s = 0.0
    for i in range(A.shape[0]):
        s += np.dot(A[i], x) ** 2
    return s


def vector_loop(x, steps):
    v = x * 1.0
    for t in range(steps):
        v = v - 0.1 * np.sin(v) + 0.01 * x
    return np.sum(v * v)


def unsupported_call(A):
    return np.sum(np.sort(A))


def axis_sums(A):
    col = np.sum(A, axis=0)
    row = A.max(axis=1)
    return np.sum(col * col) + row.sum() + np.mean(A, 1).dot(row) + A.T.dot(A[:, 0]).sum()


def slice_writes(x):
    n = len(x)
    y = np.zeros(2 * n)
    y[0:n] = x * x
    y[n:2 * n:1] = np.sin(x)
    y[1:n:2] = 3.0
    M = np.zeros((3, n))
    M[1] = x + 1.0
    M[2, 1:n] = y[0:n - 1]
    return np.sum(y * y) + np.sum(M * M)


def ufuncs_trig(x):
    return np.sum(np.sin(x) + np.cos(x) + np.tan(0.5 * x) + np.arcsin(0.5 * x) + np.arccos(0.4 * x)
                  + np.arctan(x) + np.arctan2(x, 2.0 + x) + np.hypot(x, 1.5))


def ufuncs_hyperbolic(x):
    return np.sum(np.sinh(x) + np.cosh(x) + np.tanh(x) + np.arcsinh(x) + np.arctanh(0.5 * x)
                  + np.arccosh(2.0 + x * x))


def ufuncs_exp_log(x):
    y = 1.5 + x * x
    return np.sum(np.exp(x) + np.expm1(x) + np.log(y) + np.log1p(y) + np.log2(y) + np.log10(y)
                  + np.sqrt(y) + np.power(y, 1.5) + y ** 0.7 + np.abs(x - 0.05) + np.fabs(x + 0.05))


def ufuncs_piecewise(x, w):
    return np.sum(np.maximum(x, w) + np.minimum(x, 0.5 * w) + np.clip(x, -0.6, 0.6)
                  + np.where(x > w, x * x, w) + np.floor(x) * x + np.sign(w) * x)
