"""The arguments of a derivative: their srcad types, checks and names.

The srcad type of a Python value (:func:`_type_of_value`) or of a Numba type
(:func:`_type_of_numba`), what makes an argument differentiable, the key that
memoizes a call's specialization (:func:`_python_type_key`), the
:class:`srcad.ShapeError` checks of tangents and cotangents, the names of the
arguments a kind appends (:func:`_extra_names`) and how messages name the
function and its argument types.
"""

import numbers
import os

import numpy as np

from ..analysis import ArrayType, TupleType
from ..errors import ShapeError, UnsupportedError


def _argument_error(info, name, message):
    """A refusal of an argument, located at the function's ``def`` line."""
    return UnsupportedError(message, construct=f"argument '{name}'", filename=info.filename, lineno=info.tree.lineno)


def _type_of_value(value, index, name, info):
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (numbers.Integral, np.integer)):
        return "int"
    if isinstance(value, (numbers.Real, np.floating)):
        return "float"
    if isinstance(value, np.ndarray):
        return ArrayType(value.dtype.name, value.ndim)
    if isinstance(value, str):
        return "str"
    if value is None:
        return "none"
    if isinstance(value, tuple):
        elements = tuple(_type_of_value(v, index, name, info) for v in value)
        if all(e in ("bool", "int", "float") for e in elements):
            return TupleType(elements)
    raise _argument_error(info, name, f"argument {index} ('{name}') has type {type(value).__name__}; srcad takes "
                          "float, int and bool scalars, NumPy arrays, strings and tuples of scalars")


def _type_of_numba(nbtype, index, name, info):
    from numba.core import types

    if isinstance(nbtype, types.Boolean):
        return "bool"
    if isinstance(nbtype, types.Integer):
        return "int"
    if isinstance(nbtype, types.Float):
        return "float"
    if isinstance(nbtype, types.Array):
        return ArrayType(str(nbtype.dtype), nbtype.ndim)
    if isinstance(nbtype, (types.UnicodeType, types.StringLiteral)):
        return "str"
    if isinstance(nbtype, (types.NoneType, types.Omitted)) and getattr(nbtype, "value", None) is None:
        return "none"
    if isinstance(nbtype, types.BaseTuple) and not isinstance(nbtype, types.BaseNamedTuple):
        elements = tuple(_type_of_numba(t, index, name, info) for t in nbtype.types)
        if all(e in ("bool", "int", "float") for e in elements):
            return TupleType(elements)
    raise _argument_error(info, name, f"argument {index} ('{name}') has Numba type {nbtype}; srcad takes float, "
                          "int and bool scalars, NumPy arrays, strings and tuples of scalars")


def _differentiable(t):
    return t in ("float", "int") or (isinstance(t, ArrayType) and t.element == "float")


def _not_differentiable(t, name):
    """Why an argument of type ``t`` cannot be differentiated, and what to pass instead."""
    if isinstance(t, ArrayType):
        return f"it is an {t.dtype} array; pass a float array, e.g. {name}.astype(np.float64)"
    if isinstance(t, TupleType):
        # calls of a derivative take a tuple wrt argument (srcad/api/packing.py); what reaches here is a
        # tuple inside a tuple, or one given to srcad.batch or to a derivative differentiated again
        return (f"it is a {t}; a tuple is differentiated only as an argument of a call of the derivative "
                "(not inside another tuple, not by srcad.batch nor by a derivative of a derivative): "
                "pass its elements as float arguments")
    if t == "bool":
        return "it is a bool; pass a float"
    return f"it is a {t}, which cannot be differentiated"


def _python_type_key(value):
    """What of a Python argument decides its srcad type (memoizes the specialization of a call)."""
    if type(value) is np.ndarray:
        return (np.ndarray, value.dtype.num, value.ndim)
    if type(value) is tuple:
        return (tuple,) + tuple(_python_type_key(v) for v in value)
    return type(value)


def _is_scalar_number(value):
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "fiu"   # np.array(1.0) stands for 1.0
    return isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, (bool, np.bool_))


def _as_passed(value):
    """A checked tangent or cotangent as the compiled code takes it: an array, or a float."""
    return value if isinstance(value, np.ndarray) and value.ndim else float(value)


def _check_pairing(what, value, like):
    """Refuse ``value`` as the tangent or cotangent of ``like`` unless it matches: a float array of
    ``like``'s dimensions (and shape, when ``like`` is an array rather than an ``ArrayType`` whose
    shape only the compiled code knows), or a number for a scalar.
    """
    if isinstance(like, (np.ndarray, ArrayType)):
        ndim = like.ndim
        if not isinstance(value, np.ndarray):
            raise ShapeError(f"{what} must be a float array with {ndim} dimension(s); got {type(value).__name__}")
        if value.dtype.kind != "f":
            raise ShapeError(f"{what} must be a float array; got dtype {value.dtype}: pass a float array, "
                             f"e.g. .astype(np.float64)")
        if value.ndim != ndim:
            raise ShapeError(f"{what} must have {ndim} dimension(s); got shape {value.shape}")
        if isinstance(like, np.ndarray) and value.shape != like.shape:
            raise ShapeError(what, value.shape, like.shape)
    elif not _is_scalar_number(value):
        got = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise ShapeError(f"{what} must be a scalar; got {got}")


def _check_pairing_numba(what, nbtype, like):
    """:func:`_check_pairing` at typing time, for ``@njit`` callers: ``like`` is an ``ArrayType`` or a scalar."""
    from numba.core import types

    if isinstance(like, ArrayType):
        if not isinstance(nbtype, types.Array) or not isinstance(nbtype.dtype, types.Float):
            raise ShapeError(f"{what} must be a float array with {like.ndim} dimension(s); got {nbtype}")
        if nbtype.ndim != like.ndim:
            raise ShapeError(f"{what} must have {like.ndim} dimension(s); got {nbtype}")
    elif not isinstance(nbtype, (types.Float, types.Integer)) or isinstance(nbtype, types.Boolean):
        raise ShapeError(f"{what} must be a scalar; got {nbtype}")


def _label(info):
    """``f() (file.py, line 12)``: how messages name the user's function."""
    return f"{info.name}() ({os.path.basename(info.filename)}, line {info.firstlineno})"


def _describe(t):
    if isinstance(t, ArrayType):
        return f"{t.dtype}[{', '.join([':'] * t.ndim)}]"
    return str(t)


def _extra_names(transformation, n):
    taken = set(transformation.info.params)
    names = []
    for stem in transformation.form.extra_stems(transformation):
        candidate = stem
        while candidate in taken:
            candidate = "_" + candidate
        taken.add(candidate)
        names.append(candidate)
    return names
