"""Compiled helpers that generated code calls."""

import numpy as np
from numba import njit


@njit(cache=True)
def tape_reserve(tape, needed):
    """``tape`` itself when it holds ``needed`` entries, else a copy at least twice as large."""
    size = tape.shape[0]
    if needed <= size:
        return tape
    grown = np.empty(max(needed, 2 * size), tape.dtype)
    for i in range(size):  # a plain loop compiles several times faster than a slice copy
        grown[i] = tape[i]
    return grown


@njit(cache=True)
def range_len(start, stop, step):
    """Number of iterations of ``range(start, stop, step)``."""
    if step > 0:
        if stop <= start:
            return 0
        return (stop - start + step - 1) // step
    if step < 0:
        if stop >= start:
            return 0
        return (start - stop - step - 1) // (-step)
    raise ValueError("range() arg 3 must not be zero")
