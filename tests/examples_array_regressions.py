import numpy as np


def nested_products(X, w):
    return np.sum(np.dot(np.dot(X, w), X))


def nested_products_matrix(A, B, v):
    return np.sum((A @ B) @ (B @ v)) + np.sum(np.sum(A @ B, axis=0) @ A.T)


def scaled_by_own_element(a):
    w = a * a[0]
    return np.sum(w / a[1])


def row_sums_minus_element(M):
    v = np.sum(M, axis=1) - M[0, 0]
    return np.sum(v * v)


def max_of_row_sums(M, x):
    return np.max(np.sum(M, axis=1)) * x + np.min(M @ M[0]) * x * x


def max_in_loop_condition(M, v, x):
    s = 0.0
    for i in range(3):
        if np.max(M @ v) > 0.0:
            s += x * i * np.min(np.sum(M, axis=0))
        s += M[i, int(np.max(np.sum(M, axis=1) > 100.0))] * x
    return s


def nested_reductions_in_index(M):
    return M[int(M[0, 0]), 1 if M[1, int(np.prod(np.max(M, axis=1) @ M))] > 0.5 else 0] * np.sum(M)


def reduction_in_one_branch(M, x):
    s = 0.0
    for i in range(M.shape[0] + 1):
        s += x * (np.sum(M[i] * x) if i < M.shape[0] else 1.0)
        if i < M.shape[0] and np.sum(M[i]) > 0.0:
            s += np.max(M[i]) * x
    return s


def reduction_after_or(M, x):
    s = 0.0
    for i in range(M.shape[0] + 1):
        if i >= M.shape[0] or np.sum(M[i]) * x > 0.0:
            s += x
    return s


def reduction_in_while_condition(M, x):
    s = 0.0
    i = 0
    while i < M.shape[0] and np.sum(M[i] * x) < 2.0:
        s += np.sum(M[i] * x) * x
        i += 1
    return s


def reduction_in_while_with_break(v, x):
    s = 0.0
    w = v * x
    k = 0
    while np.sum(w * w) < 50.0:
        w = w * 1.5
        k += 1
        if k > 5:
            break
    return np.sum(w) + s


# Operations and indexing that NumPy code uses ----------------------------------
def negative_slices(x, i):
    d = x[1:] - x[:-1]
    u = x[-1:-4:-1] * x[max(i, -7):][0]
    return (np.sum(d * d) + np.sum(x[::-1] * x) + np.sum(x[-3:]) * 2.0 + np.sum(u) + np.sum(x[5:1:-2] ** 2)
            + np.sum(x[i:-1]) + np.sum(x[:i:-1] ** 3))


def dense_layer(X, W, b):
    return np.sum(np.tanh(X @ W + b)) + np.sum((b - X @ W) ** 2)


def new_axes(A, v, w):
    return (np.sum((A - v[:, None]) ** 2) + np.sum(A * w[None, :]) + np.sum(A * w[np.newaxis])
            + np.sum(v[:, None] * w))


def reshaped(x, M):
    r = M.reshape(3, 2) @ x[:2]
    f = M.ravel()
    g = np.reshape(M, (-1,)) * f
    h = x.reshape((2, -1))
    return (np.sum(r * r) + np.sum(g[1:] * f[:-1]) + np.sum(h @ h.T) + np.sum(np.atleast_1d(x) * 2.0)
            + np.sum(np.atleast_1d(x[0])))


def ufunc_spellings(x, y):
    a = np.multiply(x, y) + np.divide(x, 2.0 + y * y) + np.true_divide(y, 3.0) + np.negative(x)
    b = np.reciprocal(2.0 + y * y) + np.exp2(x) + np.mod(x, 0.7) + np.power(1.5 + y * y, x) + np.square(x)
    c = np.cbrt(2.0 + y * y) + np.sinc(x) + np.logaddexp(x, y)
    return np.sum(a * b + c)


def ufunc_spellings_scalar(x, y):
    return (np.multiply(x, y) + np.sinc(x) + np.logaddexp(x, y) + np.cbrt(x) + np.square(y) + np.exp2(x)
            + np.reciprocal(y) + np.mod(x, 0.3) + np.divide(x, y) + np.negative(y))


def cumulative(x, M):
    c = np.cumsum(x * x)
    C = np.cumsum(M, axis=0) + np.cumsum(M, 1)
    return np.sum(c * x) + np.sum(np.cumsum(M)) + np.sum(C * C) + np.sum(x.cumsum() ** 2)


def differences(x, M):
    return np.sum(np.diff(x) * np.diff(x, 2)[0]) + np.sum(np.diff(M) ** 2) + np.sum(np.diff(x, 3))


def joined(x, M):
    j = np.concatenate((x, np.cumsum(x), np.sin(x)))
    J = np.concatenate((M, M * 2.0), 1)
    K = np.concatenate((M, M[:1]))
    return np.sum(j[::2] * j[1::2]) + np.sum(J * J) + np.sum(K[-1] * K[0])


def constant_arrays(x, n):
    t = np.arange(4) * 1.0 + np.arange(1.0, 3.0, 0.5) + np.linspace(0.0, 1.0, 4)
    s = np.arange(n) * x[:n] + np.linspace(-1.0, 1.0, n) * x[:n]
    return np.sum(t * x[:4]) + np.sum(s * s) + np.sum(np.arange(2, 7, 2) * x[:3]) + np.sum(np.linspace(0.5, 1.5, 1))


def norms(x, M):
    return np.linalg.norm(x) + np.linalg.norm(M) * np.linalg.norm(x[1:] - x[:-1]) + np.linalg.norm(M @ x[:3], None)


# Refused, or stopped at run time ------------------------------------------------
def elementwise_product(x, w):
    return np.sum(x * w)


def matrix_product(A, v):
    return np.sum(A @ v)


def product_of_three_dimensional(T, v):
    s = 0.0
    s += np.sum(np.dot(T, v))
    return s


def sorted_sum(x):
    return np.sum(np.sort(x))


def cumulative_in_loop(x, n):
    s = 0.0
    v = x * 1.0
    for t in range(n):
        v = np.tanh(np.cumsum(v) * 0.3 + np.diff(np.concatenate((x[:1], v))))
        s += np.sum(np.concatenate((v, x))[::3] * np.arange(t, t + 2 * len(x), 2)[:4])
        if np.linalg.norm(v) > 10.0:
            break
    return s + np.sum(v)


def linear_algebra(A, b):
    x = np.linalg.solve(A, b)
    Ai = np.linalg.inv(A)
    X = np.linalg.solve(A, Ai * 2.0 + b[:, None])
    y = np.linalg.solve(A.T @ A + 0.5 * np.eye(len(b)), b) + np.identity(len(b))[1]
    return (np.sum(x * x) + np.sum(Ai) + np.linalg.det(A) + np.sum(X[0]) + np.linalg.det(A @ A.T) * 0.01
            + np.sum(y * y))


def determinant(A):
    return np.linalg.det(A)


def masks_and_counters(x):
    m = x > 0.5
    k = np.arange(len(x))
    return np.sum(np.where(m, x * x, x)) + np.sum(k * x)


def negative_index_of_expression(M, i):
    return np.reshape(M.T, (3, 4))[1, -2] * (M @ M.T)[-1, i] + np.cumsum(M)[-1] + (M[:, 1:] * 2.0)[i, -1]


def constructors_in_expressions(x):
    a = np.zeros(3) + 0.1 * x[0]
    b = np.ones_like(x) * x + np.copy(x) * 2.0 - np.zeros((len(x),))
    return np.sum(a * a) + np.sum(b * b)


def spreads(x, M):
    return np.var(x) + np.std(M) * np.std(x * 2.0) + np.sum(np.var(M, axis=0)) + np.sum(M.std(1) * x[:2])


def axis_keywords(M):
    return (np.sum(M, axis=0).sum() + M.sum(axis=1)[0] + np.cumsum(M, axis=0)[1, 1]
            + np.concatenate((M, M), axis=1)[0, 3] + M.std(axis=0)[1] + np.var(M, axis=1)[0]
            + np.mean(M, axis=-1)[0] + M.max(axis=0)[2] * M.min(axis=-2)[1])


def difference_along_axis(M):
    return np.sum(np.diff(M, axis=0))
