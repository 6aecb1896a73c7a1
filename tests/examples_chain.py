"""Chains of the user's own functions (and functions that only look like chains) for test_chain.py."""

import math

import numba
import numpy as np


def dense_tanh(W, b, h):
    """tanh(W @ h + b), written as loops."""
    n, m = W.shape
    out = np.empty(n)
    for i in range(n):
        s = b[i]
        for j in range(m):
            s += W[i, j] * h[j]
        out[i] = math.tanh(s)
    return out


def square_sum(h):
    return np.sum(h * h)


def softplus(h):
    return np.log(1.0 + np.exp(h))


@numba.njit
def scale(h, c):
    return c * np.sin(h)


def shifted(h, shift=0.5):
    return np.tanh(h + shift)


def clipped_copy(h):
    """Writes into a copy of its argument, which leaves the argument as it was."""
    z = h.copy()
    z[0] = 0.0
    return z


def two_layers(x, W1, b1, W2, b2):
    return dense_tanh(W2, b2, dense_tanh(W1, b1, x))


def three_layers(x, W1, b1, W2, b2, c):
    """A chain written one layer a line, a jitted layer with a scalar argument in the middle."""
    h1 = dense_tanh(W1, b1, x)
    h2 = scale(h1, 2.0 * c)
    return dense_tanh(W2, b2, h2)


def four_layers(x, W1, b1, W2, b2, W3, b3, W4, b4):
    h1 = dense_tanh(W1, b1, x)
    h2 = dense_tanh(W2, b2, h1)
    h3 = dense_tanh(W3, b3, h2)
    return dense_tanh(W4, b4, h3)


def to_scalar(x, W1, b1, W2, b2):
    """A chain whose last layer returns a scalar."""
    h = softplus(dense_tanh(W1, b1, x))
    h = dense_tanh(W2, b2, h)
    return square_sum(h)


def weights_second(W1, x, b1, W2, b2):
    """The chained argument need not come first."""
    return dense_tanh(W2, b2, dense_tanh(W1, b1, x))


def keywords_and_defaults(x, W1, b1, c=0.25):
    """Layers called with a keyword argument and with a default; the result returned by name."""
    h = shifted(dense_tanh(W1, b1, x))
    h = shifted(h, shift=c * c)
    return h


# ---------------------------------------------------------------- not chains
def reuses_intermediate(x, W1, b1, W2, b2):
    h = dense_tanh(W1, b1, x)
    return dense_tanh(W2, b2, h) + h[0]


def arithmetic_between(x, W1, b1, W2, b2):
    return dense_tanh(W2, b2, 2.0 * dense_tanh(W1, b1, x))


def library_call_in_chain(x, W1, b1, W2, b2):
    return dense_tanh(W2, b2, np.tanh(dense_tanh(W1, b1, x)))


def intermediate_as_weight(x, W1, b1):
    h = dense_tanh(W1, b1, x)
    return dense_tanh(W1, h, h)


def one_layer(x, W1, b1):
    return dense_tanh(W1, b1, x)


def with_loop(x, W1, b1):
    h = x
    for _ in range(2):
        h = dense_tanh(W1, b1, h)
    return h


def writes_into_a_copy(x, W1, b1, W2, b2):
    return dense_tanh(W2, b2, clipped_copy(dense_tanh(W1, b1, x)))


def reshaped_write(W, b, h):
    flat = W.reshape(W.size)
    flat[0] = 1.0
    return dense_tanh(W, b, h)


def layer_writes_through_a_view(x, W1, b1, W2, b2):
    return dense_tanh(W2, b2, reshaped_write(W1, b1, x))


def writes_weights(W, b, h):
    W[0, 0] = 0.0
    return dense_tanh(W, b, h)


def layer_writes_argument(x, W1, b1, W2, b2):
    return dense_tanh(W2, b2, writes_weights(W1, b1, x))


def aliased_write(W, b, h):
    row = W[0]
    row[0] = 1.0
    return dense_tanh(W, b, h)


def layer_writes_through_alias(x, W1, b1, W2, b2):
    return dense_tanh(W2, b2, aliased_write(W1, b1, x))
