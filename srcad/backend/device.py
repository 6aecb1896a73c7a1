"""Helpers that generated device code calls (the CUDA target); each also runs as plain Python, as the
CUDA simulator needs."""

import math

import numpy as np
from numba import njit
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


# NumPy's scalar ufuncs that Numba's CUDA target does not lower (numba-cuda 0.30), written with ``math`` and
# arithmetic, which it does.  Generated code of the CUDA target calls these where the CPU's calls ``np.<name>``
# (see :data:`SPELLINGS`); each is exact where NumPy's is, except cbrt (within an ulp or two).
_EXACT = 4503599627370496.0   # 2**52: every float at least this large is an integer


@njit(cache=True, error_model="numpy")
def floor(x):
    """``np.floor`` of a float: exact for every float, infinities and NaN included."""
    if not abs(x) < _EXACT:
        return x
    whole = float(int(x))   # rounds toward zero, exactly below 2**52
    return whole - 1.0 if whole > x else whole


@njit(cache=True, error_model="numpy")
def ceil(x):
    """``np.ceil`` of a float."""
    return -floor(-x)


@njit(cache=True, error_model="numpy")
def trunc(x):
    """``np.trunc`` of a float."""
    return floor(x) if x >= 0.0 else -floor(-x)


def sign(x):
    """``np.sign``: -1, 0 or 1 of the argument's type (NaN for NaN)."""
    return np.sign(x)


@overload(sign)
def _sign(x):
    if isinstance(x, types.Integer):
        return lambda x: (x > 0) - (x < 0)
    return lambda x: 1.0 if x > 0.0 else -1.0 if x < 0.0 else x   # zero, or NaN, as it is


@njit(cache=True, error_model="numpy")
def multiply(a, b):
    return a * b


@njit(cache=True, error_model="numpy")
def divide(a, b):
    return a / b


@njit(cache=True, error_model="numpy")
def negative(x):
    return -x


@njit(cache=True, error_model="numpy")
def reciprocal(x):
    return 1.0 / x


@njit(cache=True, error_model="numpy")
def exp2(x):
    return 2.0 ** x


@njit(cache=True, error_model="numpy")
def mod(a, b):
    """``np.mod``: the remainder with the sign of ``b``, as Python's ``%``."""
    return a % b


@njit(cache=True, error_model="numpy")
def square(x):
    return x * x


@njit(cache=True, error_model="numpy")
def cbrt(x):
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


@njit(cache=True, error_model="numpy")
def sinc(x):
    if x == 0.0:
        return 1.0
    y = math.pi * x
    return math.sin(y) / y


@njit(cache=True, error_model="numpy")
def logaddexp(a, b):
    if a == b:
        return a + 0.6931471805599453   # log(2); also right for infinities of one sign
    larger = max(a, b)
    return larger + math.log1p(math.exp(-abs(a - b)))


SPELLINGS = {f"np.{name}": f"_device.{name}" for name in (
    "floor", "ceil", "trunc", "sign", "multiply", "divide", "true_divide", "negative", "reciprocal", "exp2", "mod",
    "remainder", "square", "cbrt", "sinc", "logaddexp")}
"""The CUDA target's spelling of the calls that generated code makes as ``np.<name>`` on the CPU."""
true_divide = divide
remainder = mod
