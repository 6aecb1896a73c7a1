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
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        value[...] = math.nan   # an array of the workspace: its adjoint was never computed
    return value


@overload(nan_like)
def _nan_like(value):
    if isinstance(value, types.Float):
        return lambda value: math.nan
    if isinstance(value, types.Array) and isinstance(value.dtype, types.Float):
        loops = "".join(f"{'    ' * (k + 1)}for i{k} in range(value.shape[{k}]):\n" for k in range(value.ndim))
        index = ", ".join(f"i{k}" for k in range(value.ndim))
        namespace = {"math": math}
        exec(f"def impl(value):\n{loops}{'    ' * (value.ndim + 1)}value[{index}] = math.nan\n"
             "    return value\n", namespace)
        return namespace["impl"]
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


# The workspace of a CUDA derivative that makes arrays (see :mod:`.gpu`): one float64 array that the caller
# gives.  Entry 0 holds the entries the run has needed so far, and arrays are carved from entry 1 on.  Each
# helper returns a tuple: Numba's CUDA target refuses a function that returns an array it was not given, but
# not a tuple that holds a view of one.
WORKSPACE_START = 1


def carve(workspace, top, shape, fill):
    """(an array of ``shape`` from ``workspace[top:]``, every element ``fill`` unless it is None; the next top).

    When the workspace is too small: an empty array, with the top past the end, which the caller checks
    before it uses the array (it returns at once, see :func:`stand_in`).
    """
    size = 1
    for extent in shape:
        size *= extent
    end = top + size
    workspace[0] = end
    if end > workspace.shape[0]:
        return stand_in(workspace, shape)[0], end
    view = workspace[top:end].reshape(shape)
    if fill is not None:
        view[...] = fill
    return view, end


@overload(carve)
def _carve(workspace, top, shape, fill):
    fills = not isinstance(fill, (types.NoneType, types.Omitted))
    empty = (0,) * len(shape)

    def impl(workspace, top, shape, fill):
        size = 1
        for extent in shape:
            size *= extent
        end = top + size
        workspace[0] = end
        if end > workspace.shape[0]:
            return workspace[0:0].reshape(empty), end
        if fills:
            for k in range(top, end):
                workspace[k] = fill
        return workspace[top:end].reshape(shape), end
    return impl


def carve_copy(workspace, top, source):
    """(a copy of array ``source`` carved from ``workspace[top:]``, the next top); see :func:`carve`."""
    view, end = carve(workspace, top, source.shape, None)
    if end <= workspace.shape[0]:
        view[...] = source
    return view, end


@overload(carve_copy)
def _carve_copy(workspace, top, source):
    ndim = source.ndim
    loops = "".join(f"{'    ' * (k + 2)}for i{k} in range(source.shape[{k}]):\n" for k in range(ndim))
    index = ", ".join(f"i{k}" for k in range(ndim))
    text = ("def impl(workspace, top, source):\n"
            "    view, end = carve(workspace, top, source.shape, None)\n"
            "    if end <= workspace.shape[0]:\n"
            f"{loops}{'    ' * (ndim + 2)}view[{index}] = source[{index}]\n"
            "    return view, end\n")
    namespace = {"carve": carve}
    exec(text, namespace)
    return namespace["impl"]


def shape_of(extent):
    """A shape as a tuple: ``(n,)`` for a number ``n``, a tuple as it is."""
    return extent if isinstance(extent, tuple) else (extent,)


@overload(shape_of)
def _shape_of(extent):
    if isinstance(extent, types.BaseTuple):
        return lambda extent: extent
    return lambda extent: (extent,)


def stand_in(workspace, shape):
    """(an empty array of ``len(shape)`` dimensions,): what a derivative whose workspace was too small returns in
    place of each array of its result, beside NaN in each float."""
    return (workspace[0:0].reshape((0,) * len(shape)),)


@overload(stand_in)
def _stand_in(workspace, shape):
    empty = (0,) * len(shape)
    return lambda workspace, shape: (workspace[0:0].reshape(empty),)


def add_into(target, value):
    """``target += value`` for an array ``target`` (a number or an array of its shape ``value``), element by
    element: Numba's CUDA target has no in-place operators on whole arrays.  Returns nothing."""
    is_array = hasattr(value, "shape") and len(value.shape) > 0
    for index in np.ndindex(*target.shape):   # element by element: also the simulator's arrays change in place
        target[index] += value[index] if is_array else value


@overload(add_into)
def _add_into(target, value):
    loops = "".join(f"{'    ' * (k + 1)}for i{k} in range(target.shape[{k}]):\n" for k in range(target.ndim))
    index = ", ".join(f"i{k}" for k in range(target.ndim))
    term = f"value[{index}]" if isinstance(value, types.Array) else "value"
    namespace = {}
    exec(f"def impl(target, value):\n{loops}{'    ' * (target.ndim + 1)}target[{index}] += {term}\n", namespace)
    return namespace["impl"]
