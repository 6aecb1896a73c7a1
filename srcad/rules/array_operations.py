"""Whole-array operations, one table entry each: type rule, shape rule, element lowering.

Array operations never reach the transformers: the scalarizing pass
(``transform/scalarize.py``) rewrites every array expression into loops over
elements first.  For an operation it asks its entry three questions:

``type(t, parts, args)``
    the result type from the argument types ``parts``, or ``"conflict"``
    (refused), or None while an argument's type is still unknown.  ``args`` are
    the argument expressions (for constant axes and shapes).
``shape(k, args)``
    the extents of the result, a list of int expressions.
``element(k, args, index)``
    the scalar expression of the result's element at ``index`` (a list of int
    expressions; empty for an operation whose result is a scalar).

``t`` and ``k`` are kits the caller passes in, so that rules know nothing of
the analyses and transformers that use them.  The typing kit ``t`` offers
``t.array(dtype, ndim)``, ``t.is_array(type)`` and ``t.elementwise(parts)`` (the
type of an elementwise operation with broadcasting).  The lowering kit ``k``
offers ``k.type(expr)``, ``k.ndim(expr)``, ``k.shape(expr)``,
``k.element(expr, index)`` (helper statements it needs are emitted where
they belong), ``k.fresh(stem, type)`` (a new variable),
``k.accumulate(acc, indices, extents, start, update)`` (a loop nest folding
``update`` into ``acc``), ``k.axis(args)`` (a constant axis argument) and
``k.refuse(construct, message)``.
"""

import ast
import copy
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .registry import register


@dataclass(frozen=True)
class ArrayOperation:
    """The rules of one array operation (see the module docstring for their signatures)."""

    name: str
    type: Callable
    shape: Callable
    element: Callable


_operations = {}


def array_operation(objects, name, type, shape, element):
    """Register an array operation under ``name``, denoted in user code by ``objects``."""
    register(objects, name, ("a", "b", "c"), (None, None, None), result="array_op")
    _operations[name] = ArrayOperation(name, type, shape, element)


def lookup_array_operation(name):
    return _operations.get(name)


def _name(id_, store=False):
    return ast.Name(id_, ast.Store() if store else ast.Load())


def _product(extents):
    count = extents[0]
    for extent in extents[1:]:
        count = ast.BinOp(count, ast.Mult(), extent)
    return copy.deepcopy(count)


def _first_array_shape(k, args):
    for arg in args:
        if k.ndim(arg):
            return k.shape(arg)
    k.refuse("array expression", "expected an array")


# Reductions -------------------------------------------------------------
def _reduction_type(mean):
    def type_rule(t, parts, args):
        if not 1 <= len(parts) <= 2 or not t.is_array(parts[0]):
            return "conflict"
        scalar = "float" if mean or parts[0].element == "float" else "int"
        if len(parts) == 1 or parts[0].ndim == 1:
            return scalar
        return t.array("float64" if scalar == "float" else "int64", parts[0].ndim - 1)
    return type_rule


def _reduction_shape(k, args):
    shape = k.shape(args[0])
    if len(args) == 2 and len(shape) > 1:
        del shape[k.axis(args)]
        return shape
    k.refuse("reduction", "the reduction of a whole array is a scalar")


def _add(acc, term):
    return ast.BinOp(_name(acc), ast.Add(), term)


def _multiply(acc, term):
    return ast.BinOp(_name(acc), ast.Mult(), term)


def _larger(acc, term):
    return ast.Call(_name("max"), [_name(acc), term], [])


def _smaller(acc, term):
    return ast.Call(_name("min"), [_name(acc), term], [])


def _reduction_element(start, combine, mean=False):
    """The element of a reduction: over one axis, or (for a scalar result) over every element.

    ``start`` is the accumulator's first value, or None to start from the first
    element (max, min).
    """
    def element(k, args, index):
        arg = args[0]
        if len(args) == 2 and k.ndim(arg) > 1:
            axis = k.axis(args)
            extent = k.shape(arg)[axis]
            position = k.fresh("_k", "int")
            acc = k.fresh("_acc", "float")

            def at(i):
                return list(index[:axis]) + [i] + list(index[axis:])
            extents, indices, count = [extent], [position], extent
            term_index, first_index = at(_name(position)), at(ast.Constant(0))
        else:
            acc = k.fresh("_acc", "float")
            extents = k.shape(arg)
            indices = [k.fresh("_e", "int") for _ in extents]
            count = _product(extents) if mean else None
            term_index, first_index = [_name(i) for i in indices], [ast.Constant(0) for _ in indices]
        first = ast.Constant(start) if start is not None else lambda k: k.element(arg, first_index)
        value = k.accumulate(acc, indices, extents, first, lambda k: combine(acc, k.element(arg, term_index)))
        if mean:
            return ast.BinOp(value, ast.Div(), copy.deepcopy(count))
        return value
    return element


for _objects, _canonical, _start, _combine in [
    ([np.sum], "np.sum", 0.0, _add),
    ([np.prod], "np.prod", 1.0, _multiply),
    ([np.max, np.amax], "np.max", None, _larger),
    ([np.min, np.amin], "np.min", None, _smaller),
]:
    array_operation(_objects, _canonical, _reduction_type(False), _reduction_shape,
                    _reduction_element(_start, _combine))
array_operation([np.mean], "np.mean", _reduction_type(True), _reduction_shape, _reduction_element(0.0, _add, True))


# Products -----------------------------------------------------------------
def _dot_type(t, parts, args):
    if len(parts) != 2 or not all(t.is_array(p) for p in parts):
        return "conflict"
    ndim = {(1, 1): 0, (2, 1): 1, (1, 2): 1, (2, 2): 2}.get((parts[0].ndim, parts[1].ndim))
    if ndim is None:
        return "conflict"
    return "float" if ndim == 0 else t.array("float64", ndim)


def _dot_shape(k, args):
    sa, sb = k.shape(args[0]), k.shape(args[1])
    if len(sa) == 2 and len(sb) == 1:
        return sa[:1]
    if len(sa) == 1 and len(sb) == 2:
        return sb[1:]
    return [sa[0], sb[1]]


def _dot_element(k, args, index):
    a, b = args
    if k.ndim(a) == 1 and k.ndim(b) == 1:
        acc = k.fresh("_acc", "float")
        extents = k.shape(a)
        (position,) = [k.fresh("_e", "int") for _ in extents]
        left = right = [_name(position)]
    else:
        position = k.fresh("_k", "int")
        acc = k.fresh("_dot", "float")
        if k.ndim(a) == 2 and k.ndim(b) == 1:
            left, right, extents = index[:1] + [_name(position)], [_name(position)], k.shape(b)[:1]
        elif k.ndim(a) == 1:
            left, right, extents = [_name(position)], [_name(position)] + index, k.shape(a)[:1]
        else:
            left, right, extents = index[:1] + [_name(position)], [_name(position)] + index[1:], k.shape(b)[:1]

    def update(k):
        return _add(acc, ast.BinOp(k.element(a, left), ast.Mult(), k.element(b, right)))
    return k.accumulate(acc, [position], extents, ast.Constant(0.0), update)


array_operation([np.dot, np.matmul], "np.dot", _dot_type, _dot_shape, _dot_element)


def _outer_type(t, parts, args):
    if len(parts) != 2 or not all(t.is_array(p) and p.ndim == 1 for p in parts):
        return "conflict"
    return t.array("float64", 2)


array_operation([np.outer], "np.outer", _outer_type,
                lambda k, args: k.shape(args[0]) + k.shape(args[1]),
                lambda k, args, index: ast.BinOp(k.element(args[0], index[:1]), ast.Mult(),
                                                 k.element(args[1], index[1:])))


# Rearranging --------------------------------------------------------------
def _transpose_type(t, parts, args):
    return parts[0] if len(parts) == 1 and t.is_array(parts[0]) else "conflict"


array_operation([np.transpose], "np.transpose", _transpose_type,
                lambda k, args: list(reversed(k.shape(args[0]))),
                lambda k, args, index: k.element(args[0], list(reversed(index))))


# Elementwise operations that are not a single scalar rule ------------------
def _where_type(t, parts, args):
    return t.elementwise(parts[1:]) if len(parts) == 3 else "conflict"


def _where_element(k, args, index):
    return ast.IfExp(*[k.element(a, index) for a in args])


def _clip_type(t, parts, args):
    return t.elementwise(parts) if len(parts) == 3 else "conflict"


def _clip_element(k, args, index):
    a, lo, hi = [k.element(x, index) for x in args]
    return ast.Call(_name("min"), [ast.Call(_name("max"), [a, lo], []), hi], [])


array_operation([np.where], "np.where", _where_type, _first_array_shape, _where_element)
array_operation([np.clip], "np.clip", _clip_type, _first_array_shape, _clip_element)
