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
