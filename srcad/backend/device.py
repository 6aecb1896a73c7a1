"""Helpers that generated device code calls (the CUDA target); each also runs as plain Python, as the
CUDA simulator needs."""

import math

from numba.core import types
from numba.extending import overload


def nan_like(value):
    """``value`` (a number or nested tuples of numbers) with NaN in place of every float.

    What a device function returns when its fixed-size tapes were too small: it cannot grow them,
    and a NaN is seen where a zero would pass for a derivative.
    """
    if isinstance(value, tuple):
        return tuple(nan_like(v) for v in value)
    if isinstance(value, float):
        return math.nan
    return value


@overload(nan_like)
def _nan_like(value):
    if isinstance(value, types.Float):
        return lambda value: math.nan
    if isinstance(value, types.BaseTuple):
        parts = "".join(f"nan_like(value[{k}]), " for k in range(len(value)))
        namespace = {"nan_like": nan_like}
        exec(f"def impl(value):\n    return ({parts})\n", namespace)
        return namespace["impl"]
    return lambda value: value
