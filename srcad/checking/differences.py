"""Finite differences: the one engine behind ``check_grad`` and ``check=True``.

Both checks evaluate only the user's primal, so they cannot share a blind spot
with the transforms.  :func:`partials` gives central differences entry by
entry (``check_grad``); :func:`directional` a fourth-order central difference
along one direction (``check=True``, see :mod:`.calls` for its step and
tolerance).  :func:`on_copies` gives every evaluation fresh copies of the
array arguments, so a function that writes into an argument changes neither
the caller's arrays nor the next evaluation.
"""

import math

import numpy as np


def on_copies(function):
    """``function`` called with copies of its array arguments."""

    def evaluate(*args):
        return function(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args])

    return evaluate


def partials(primal, args, index, eps):
    """Central differences of scalar ``primal(*args)`` with respect to each entry of ``args[index]``:
    a float for a scalar argument, an array of its shape for an array.  The step of an entry is
    ``eps * max(1, |entry|)``."""
    base = np.array(args[index], dtype=np.float64, copy=True)
    gradient = np.zeros_like(base)
    flat, gflat = base.reshape(-1), gradient.reshape(-1)
    evaluate = on_copies(primal)
    for k in range(flat.size):
        h = eps * max(1.0, abs(flat[k]))
        values = []
        for step in (h, -h):
            shifted = flat.copy()
            shifted[k] += step
            point = list(args)
            point[index] = shifted.reshape(base.shape) if base.ndim else float(shifted[0])
            values.append(float(evaluate(*point)))
        gflat[k] = (values[0] - values[1]) / (2 * h)
    return gradient if base.ndim else float(gradient)


def directional(primal, params, wrt, directions, relative_step):
    """(central differences of each result part along ``directions``, (h, relative step), the size of f).

    The step ``h`` moves no entry by more than ``relative_step`` of its size (or of 1, for small entries).
    """
    ratio = max([0.0] + [float(np.max(np.abs(v) / np.maximum(1.0, np.abs(params[i])))) if np.size(v) else 0.0
                         for i, v in zip(wrt, directions)])
    if ratio == 0.0:
        zeros = [np.zeros_like(p) if p is not None else None for p in map(float_part, parts(primal(*params)))]
        return zeros, (1.0, 1.0), 0.0
    h = 2.0 ** round(math.log2(relative_step / ratio))
    samples = []
    for step in (-2.0, -1.0, 1.0, 2.0):
        point = list(params)
        for i, v in zip(wrt, directions):
            point[i] = params[i] + step * h * v
        samples.append(parts(primal(*point)))
    size = max(float(np.max(np.abs(p))) if p is not None and p.size else 0.0
               for sample in samples for p in map(float_part, sample))
    differences = []
    for position in range(len(samples[0])):
        values = [float_part(sample[position]) for sample in samples]
        if values[0] is None:
            differences.append(None)
            continue
        m2, m1, p1, p2 = values
        differences.append((m2 - 8.0 * m1 + 8.0 * p1 - p2) / (12.0 * h))
    return differences, (h, h * ratio), size



def parts(value):
    return list(value) if isinstance(value, tuple) else [value]



def float_part(value):
    """A result part as a float array, or None for an integer or boolean part (no derivative)."""
    array = np.asarray(value)
    if array.dtype.kind not in "fc":
        return None
    return array.astype(np.float64)


