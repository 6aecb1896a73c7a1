"""Whole-array operations, one table entry each: type rule, shape rule, element lowering.

Array operations never reach the transformers: the scalarizing pass
(``lower/scalarize.py``) rewrites every array expression into loops over
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
``k.broadcast_shape(args)``, ``k.element(expr, index)`` (helper statements it needs are emitted where
they belong), ``k.fresh(stem, type)`` (a new variable),
``k.accumulate(acc, indices, extents, start, update)`` (a loop nest folding
``update`` into ``acc``), ``k.axis(args)`` (a constant axis argument) and
``k.check_broadcast(args)`` and ``k.check_equal(a, b)`` (run-time checks of
extents), ``k.emit(stmt)``, ``k.loop(indices, extents, body)``,
``k.materialize(stem, dtype, extents, fill)`` (a new array filled once before
the statement that reads it) and ``k.refuse(construct, message)``.
"""

import ast
import copy
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from .apply import simplify
from .registry import register


@dataclass(frozen=True)
class ArrayOperation:
    """The rules of one array operation (see the module docstring for their signatures)."""

    name: str
    type: Callable
    shape: Callable
    element: Callable
    axis: Optional[int] = None    # the position of an ``axis`` parameter, which user code may pass as axis=


_operations = {}


def array_operation(objects, name, type, shape, element, axis=None, params=("a", "b", "c")):
    """Register an array operation under ``name``, denoted in user code by ``objects``.

    ``params`` names its parameters where a keyword may pass one (``dtype``)."""
    register(objects, name, params, (None,) * len(params), result="array_op")
    _operations[name] = ArrayOperation(name, type, shape, element, axis)


def lookup_array_operation(name):
    return _operations.get(name)


def _name(id_, store=False):
    return ast.Name(id_, ast.Store() if store else ast.Load())


def _product(extents):
    count = extents[0]
    for extent in extents[1:]:
        count = ast.BinOp(count, ast.Mult(), extent)
    return copy.deepcopy(count)


def _broadcast_shape(k, args):
    return k.broadcast_shape(args)


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


def _reduction_element(start, combine, mean=False, transform=None):
    """The element of a reduction: over one axis, or (for a scalar result) over every element.

    ``start`` is the accumulator's first value, or None to start from the first
    element (max, min); ``transform`` maps each element before it is combined.
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
        def update(k):
            term = k.element(arg, term_index)
            return combine(acc, transform(term) if transform is not None else term)
        value = k.accumulate(acc, indices, extents, first, update)
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
                    _reduction_element(_start, _combine), axis=1)
array_operation([np.mean], "np.mean", _reduction_type(True), _reduction_shape, _reduction_element(0.0, _add, True),
                axis=1)


def _variance_element(root):
    """np.var (and np.std with ``root``): the mean of squared deviations from the mean, in two passes."""
    mean = _reduction_element(0.0, _add, True)

    def element(k, args, index):
        center = mean(k, args, index)

        def squared_deviation(value):
            return ast.BinOp(ast.BinOp(value, ast.Sub(), copy.deepcopy(center)), ast.Pow(), ast.Constant(2))
        variance = _reduction_element(0.0, _add, True, squared_deviation)(k, args, index)
        return ast.Call(_name("math.sqrt"), [variance], []) if root else variance
    return element


array_operation([np.var], "np.var", _reduction_type(True), _reduction_shape, _variance_element(False), axis=1)
array_operation([np.std], "np.std", _reduction_type(True), _reduction_shape, _variance_element(True), axis=1)


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
    k.check_equal(k.shape(a)[-1], k.shape(b)[0])
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
    if len(parts) != 3:
        return "conflict"
    shaped = t.elementwise(parts)
    if not t.is_array(shaped) or not any(t.is_array(p) for p in parts[1:]):
        return shaped
    values = t.elementwise(parts[1:])
    return t.array(values.dtype, shaped.ndim) if t.is_array(values) else values


def _where_element(k, args, index):
    k.check_broadcast(args)
    return ast.IfExp(*[k.element(a, index) for a in args])


def _clip_type(t, parts, args):
    return t.elementwise(parts) if len(parts) == 3 else "conflict"


def _clip_element(k, args, index):
    k.check_broadcast(args)
    a, lo, hi = [k.element(x, index) for x in args]
    return ast.Call(_name("min"), [ast.Call(_name("max"), [a, lo], []), hi], [])


array_operation([np.where], "np.where", _where_type, _broadcast_shape, _where_element)
array_operation([np.clip], "np.clip", _clip_type, _broadcast_shape, _clip_element)


# Shapes: reshape, ravel, atleast_1d ---------------------------------------
def _unravel(flat, extents):
    """Indices of the element at row-major position ``flat`` of an array of ``extents``."""
    index = []
    for dim in range(len(extents)):
        position = copy.deepcopy(flat)
        if dim + 1 < len(extents):
            position = ast.BinOp(position, ast.FloorDiv(), _product(extents[dim + 1:]))
        if dim > 0:
            position = ast.BinOp(position, ast.Mod(), copy.deepcopy(extents[dim]))
        index.append(position)
    return index


def _ravel_position(index, extents):
    """The row-major position of element ``index`` of an array of ``extents``."""
    flat = copy.deepcopy(index[0])
    for position, extent in zip(index[1:], extents[1:]):
        flat = ast.BinOp(ast.BinOp(flat, ast.Mult(), copy.deepcopy(extent)), ast.Add(), copy.deepcopy(position))
    return flat


def _ravel_type(t, parts, args):
    return t.array(parts[0].dtype, 1) if len(parts) == 1 and t.is_array(parts[0]) else "conflict"


array_operation([np.ravel], "np.ravel", _ravel_type,
                lambda k, args: [_product(k.shape(args[0]))],
                lambda k, args, index: k.element(args[0], _unravel(index[0], k.shape(args[0]))))


def _new_shape(args):
    if len(args) == 2 and isinstance(args[1], ast.Tuple):
        return list(args[1].elts)
    return list(args[1:])


def _reshape_type(t, parts, args):
    dims = _new_shape(args)
    if not t.is_array(parts[0]) or not dims or any(t.type_of(d) not in ("int", None) for d in dims):
        return "conflict"
    return t.array(parts[0].dtype, len(dims))


def _is_minus_one(expr):
    return isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub) and isinstance(expr.operand, ast.Constant) \
        and expr.operand.value == 1 or isinstance(expr, ast.Constant) and expr.value == -1


def _reshape_shape(k, args):
    dims = [copy.deepcopy(d) for d in _new_shape(args)]
    unknown = [i for i, d in enumerate(dims) if _is_minus_one(d)]
    if len(unknown) > 1:
        k.refuse("reshape", "only one dimension of a new shape can be -1")
    if unknown:
        known = [d for i, d in enumerate(dims) if i != unknown[0]]
        total = _product(k.shape(args[0]))
        dims[unknown[0]] = ast.BinOp(total, ast.FloorDiv(), _product(known)) if known else total
    return dims


def _reshape_element(k, args, index):
    flat = _ravel_position(index, _reshape_shape(k, args))
    return k.element(args[0], _unravel(flat, k.shape(args[0])))


array_operation([np.reshape], "np.reshape", _reshape_type, _reshape_shape, _reshape_element)


def _atleast_1d_type(t, parts, args):
    if len(parts) != 1:
        return "conflict"
    if t.is_array(parts[0]):
        return parts[0]
    return t.elementwise([t.array("float64" if parts[0] == "float" else "int64", 1)])


array_operation([np.atleast_1d], "np.atleast_1d", _atleast_1d_type,
                lambda k, args: k.shape(args[0]) if k.ndim(args[0]) else [ast.Constant(1)],
                lambda k, args, index: k.element(args[0], index if k.ndim(args[0]) else []))


def _prepended_ones(k, args, ndim):
    """The shape of ``np.atleast_<ndim>d(a)``: ones before (and for 3-D, after) the extents of ``a``."""
    shape = k.shape(args[0]) if k.ndim(args[0]) else []
    if len(shape) >= ndim:
        return shape
    if ndim == 3 and len(shape) == 2:
        return shape + [ast.Constant(1)]          # (m, n) -> (m, n, 1)
    if ndim == 3 and len(shape) == 1:
        return [ast.Constant(1)] + shape + [ast.Constant(1)]   # (n,) -> (1, n, 1)
    return [ast.Constant(1)] * (ndim - len(shape)) + shape


def _atleast_nd_type(ndim):
    def type_rule(t, parts, args):
        if len(parts) != 1:
            return "conflict"
        if t.is_array(parts[0]):
            return t.array(parts[0].dtype, max(ndim, parts[0].ndim))
        if parts[0] not in ("float", "int", "bool"):
            return "conflict"
        return t.array("float64" if parts[0] == "float" else "int64", ndim)
    return type_rule


def _atleast_nd_element(ndim):
    def element(k, args, index):
        have = k.ndim(args[0])
        if have >= ndim:
            return k.element(args[0], index)
        if have == 0:
            return k.element(args[0], [])
        if ndim == 3 and have == 2:
            return k.element(args[0], index[:2])
        return k.element(args[0], index[ndim - have - (1 if ndim == 3 else 0):][:have])
    return element


array_operation([np.atleast_2d], "np.atleast_2d", _atleast_nd_type(2), lambda k, args: _prepended_ones(k, args, 2),
                _atleast_nd_element(2))
array_operation([np.atleast_3d], "np.atleast_3d", _atleast_nd_type(3), lambda k, args: _prepended_ones(k, args, 3),
                _atleast_nd_element(3))


# Filled arrays, rolled arrays -------------------------------------------------
def _dims(shape):
    return list(shape.elts) if isinstance(shape, ast.Tuple) else [shape]


def _fill_dtype(t, value, dtype):
    """The dtype of an array filled with a value of type ``value``, or the dtype argument ``dtype``."""
    if dtype is not None:
        return dtype.id[3:] if isinstance(dtype, ast.Name) and dtype.id.startswith("np.") else None
    return {"float": "float64", "int": "int64", "bool": "bool"}.get(value)


def _full_type(t, parts, args):
    if len(parts) not in (2, 3) or any(t.type_of(d) not in ("int", None) for d in _dims(args[0])):
        return "conflict"
    dtype = _fill_dtype(t, parts[1], args[2] if len(args) == 3 else None)
    return t.array(dtype, len(_dims(args[0]))) if dtype is not None else "conflict"


def _full_like_type(t, parts, args):
    if len(parts) != 2 or not t.is_array(parts[0]) or parts[1] not in ("float", "int", "bool"):
        return "conflict"
    return parts[0]


array_operation([np.full], "np.full", _full_type, lambda k, args: [copy.deepcopy(d) for d in _dims(args[0])],
                lambda k, args, index: k.element(args[1], []), params=("shape", "fill_value", "dtype"))
array_operation([np.full_like], "np.full_like", _full_like_type, lambda k, args: k.shape(args[0]),
                lambda k, args, index: k.element(args[1], []))


def _roll_type(t, parts, args):
    if len(parts) != 2 or not t.is_array(parts[0]) or parts[1] != "int":
        return "conflict"
    return parts[0]


def _roll_element(k, args, index):
    """``np.roll(a, shift)`` (no axis): the elements of ``a`` in row-major order, moved ``shift`` places on."""
    extents = k.shape(args[0])
    flat = _ravel_position(index, extents)
    shift = k.element(args[1], [])
    source = ast.BinOp(ast.BinOp(flat, ast.Sub(), shift), ast.Mod(), _product(extents))
    return k.element(args[0], _unravel(source, extents))


array_operation([np.roll], "np.roll", _roll_type, lambda k, args: k.shape(args[0]), _roll_element)


# Differences, cumulative sums, joining ----------------------------------------
def _same_kind_type(t, parts, args):
    if not t.is_array(parts[0]):
        return "conflict"
    return t.array(parts[0].dtype if parts[0].element == "float" else "int64", parts[0].ndim)


def _diff_order(k, args):
    if len(args) == 1:
        return 1
    order = args[1]
    if not (isinstance(order, ast.Constant) and isinstance(order.value, int) and order.value >= 0):
        k.refuse("np.diff", "the order of np.diff must be a constant integer")
    return order.value


def _diff_type(t, parts, args):
    return _same_kind_type(t, parts, args) if len(parts) in (1, 2) else "conflict"


def _diff_shape(k, args):
    shape = k.shape(args[0])
    for _ in range(_diff_order(k, args)):
        shape[-1] = ast.Call(_name("max"), [ast.BinOp(shape[-1], ast.Sub(), ast.Constant(1)), ast.Constant(0)], [])
    return shape


def _diff_element(k, args, index):
    order = _diff_order(k, args)
    if order == 0:
        return k.element(args[0], index)
    lower = ast.Call(_name("np.diff"), [args[0], ast.Constant(order - 1)], [])
    following = list(index[:-1]) + [simplify(ast.BinOp(copy.deepcopy(index[-1]), ast.Add(), ast.Constant(1)),
                                             k.type)]
    return ast.BinOp(k.element(lower, following), ast.Sub(), k.element(lower, index))


array_operation([np.diff], "np.diff", _diff_type, _diff_shape, _diff_element)


def _cumsum_type(t, parts, args):
    if not 1 <= len(parts) <= 2 or not t.is_array(parts[0]):
        return "conflict"
    kind = _same_kind_type(t, parts, args)
    return kind if len(parts) == 2 else t.array(kind.dtype, 1)


def _cumsum_argument(k, args):
    """The array summed and the axis: without an axis, the flattened array."""
    if len(args) == 1:
        arg = args[0] if k.ndim(args[0]) == 1 else ast.Call(_name("np.ravel"), [args[0]], [])
        return arg, 0
    return args[0], k.axis(args)


def _cumsum_shape(k, args):
    arg, _ = _cumsum_argument(k, args)
    return k.shape(arg)


def _cumsum_element(k, args, index):
    arg, axis = _cumsum_argument(k, args)
    extents = k.shape(arg)
    t = k.type(arg)
    element_type = "float" if t.element == "float" else "int"
    dtype = t.dtype if element_type == "float" else "int64"

    def fill(k, buffer):
        others = [k.fresh("_e", "int") for d in range(len(extents)) if d != axis]
        position = k.fresh("_k", "int")
        running = k.fresh("_acc", element_type)
        at = [_name(i) for i in others[:axis]] + [_name(position)] + [_name(i) for i in others[axis:]]

        def step(k):
            term = k.element(arg, at)
            k.emit(ast.Assign([_name(running, True)], ast.BinOp(_name(running), ast.Add(), term)))
            k.emit(ast.Assign([ast.Subscript(_name(buffer), _tuple(at), ast.Store())], _name(running)))

        def along(k):
            k.emit(ast.Assign([_name(running, True)], ast.Constant(0.0 if element_type == "float" else 0)))
            k.loop([position], [extents[axis]], step)

        if others:
            k.loop(others, [e for d, e in enumerate(extents) if d != axis], along)
        else:
            along(k)

    buffer = k.materialize("_cumsum", dtype, extents, fill)
    return ast.Subscript(_name(buffer), _tuple(index), ast.Load())


def _tuple(index):
    index = [copy.deepcopy(i) for i in index]
    return index[0] if len(index) == 1 else ast.Tuple(index, ast.Load())


array_operation([np.cumsum], "np.cumsum", _cumsum_type, _cumsum_shape, _cumsum_element, axis=1)


def _concatenate_parts(args):
    return list(args[0].elts) if isinstance(args[0], ast.Tuple) else None


def _concatenate_type(t, parts, args):
    arrays = _concatenate_parts(args)
    if arrays is None or not arrays or len(args) > 2:
        return "conflict"
    types = [t.type_of(a) for a in arrays]
    if any(p is None for p in types):
        return None
    if not all(t.is_array(p) for p in types) or len({p.ndim for p in types}) != 1:
        return "conflict"
    return t.elementwise(types)


def _concatenate_axis(k, args):
    arrays = _concatenate_parts(args)
    return k.axis([arrays[0], args[1]]) if len(args) == 2 else 0


def _concatenate_shape(k, args):
    axis = _concatenate_axis(k, args)
    shapes = [k.shape(a) for a in _concatenate_parts(args)]
    shape = shapes[0]
    shape[axis] = _sum([s[axis] for s in shapes])
    return shape


def _sum(extents):
    total = copy.deepcopy(extents[0])
    for extent in extents[1:]:
        total = ast.BinOp(total, ast.Add(), copy.deepcopy(extent))
    return total


def _concatenate_element(k, args, index):
    axis = _concatenate_axis(k, args)
    arrays = _concatenate_parts(args)
    extents = _concatenate_shape(k, args)
    for part in arrays[1:]:
        for dim, (first, other) in enumerate(zip(k.shape(arrays[0]), k.shape(part))):
            if dim != axis:
                k.check_equal(first, other)
    t = k.type(ast.Call(_name("np.concatenate"), args, []))

    def fill(k, buffer):
        offsets = []
        for part in arrays:
            shape = k.shape(part)
            indices = [k.fresh("_e", "int") for _ in shape]
            at = [_name(i) for i in indices]
            target = list(at)
            if offsets:
                target[axis] = ast.BinOp(_name(indices[axis]), ast.Add(), _sum(offsets))

            def body(k, part=part, at=at, target=target):
                value = k.element(part, at)
                k.emit(ast.Assign([ast.Subscript(_name(buffer), _tuple(target), ast.Store())], value))
            k.loop(indices, shape, body)
            offsets.append(shape[axis])

    buffer = k.materialize("_joined", t.dtype, extents, fill)
    return ast.Subscript(_name(buffer), _tuple(index), ast.Load())


array_operation([np.concatenate], "np.concatenate", _concatenate_type, _concatenate_shape, _concatenate_element,
                axis=1)


# Constant arrays ------------------------------------------------------------
def _range_args(args):
    """(start, stop, step) of np.arange."""
    if len(args) == 1:
        return ast.Constant(0), args[0], ast.Constant(1)
    if len(args) == 2:
        return args[0], args[1], ast.Constant(1)
    return tuple(args)


def _arange_type(t, parts, args):
    if not 1 <= len(parts) <= 3 or any(p not in ("int", "float", "bool") for p in parts):
        return "conflict"
    return t.array("float64" if "float" in parts else "int64", 1)


def _arange_shape(k, args):
    start, stop, step = [copy.deepcopy(a) for a in _range_args(args)]
    if all(k.type(a) != "float" for a in (start, stop, step)):
        return [ast.Call(_name("range_len"), [start, stop, step], [])]
    count = ast.Call(_name("math.ceil"), [ast.BinOp(ast.BinOp(stop, ast.Sub(), start), ast.Div(), step)], [])
    return [ast.Call(_name("max"), [count, ast.Constant(0)], [])]


def _arange_element(k, args, index):
    start, _, step = [k.element(a, []) for a in _range_args(args)]
    element = simplify(ast.BinOp(start, ast.Add(), ast.BinOp(copy.deepcopy(index[0]), ast.Mult(), step)), k.type)
    if any(k.type(a) == "float" for a in args) and k.type(element) != "float":
        # np.arange(4.0) holds floats although it counts from the int 0 in steps of 1:
        # as an int, its element would wrap in int arithmetic (np.arange(40.0) ** 13)
        element = ast.Call(_name("float"), [element], [])
    return element


array_operation([np.arange], "np.arange", _arange_type, _arange_shape, _arange_element)


def _linspace_type(t, parts, args):
    if len(parts) not in (2, 3) or any(p not in ("int", "float") for p in parts[:2]) \
            or len(parts) == 3 and parts[2] != "int":
        return "conflict"
    return t.array("float64", 1)


def _linspace_count(args):
    return copy.deepcopy(args[2]) if len(args) == 3 else ast.Constant(50)


def _linspace_element(k, args, index):
    start, stop = [k.element(a, []) for a in args[:2]]
    count = _linspace_count(args)
    last = ast.BinOp(copy.deepcopy(count), ast.Sub(), ast.Constant(1))
    spacing = ast.BinOp(ast.BinOp(copy.deepcopy(stop), ast.Sub(), copy.deepcopy(start)), ast.Div(),
                        ast.Call(_name("max"), [copy.deepcopy(last), ast.Constant(1)], []))
    inside = ast.BinOp(copy.deepcopy(index[0]), ast.Mult(), spacing)
    # NumPy sets the last point to ``stop`` exactly
    ends = ast.BoolOp(ast.And(), [ast.Compare(copy.deepcopy(index[0]), [ast.Eq()], [last]),
                                  ast.Compare(copy.deepcopy(count), [ast.Gt()], [ast.Constant(1)])])
    return ast.IfExp(ends, stop, ast.BinOp(inside, ast.Add(), start))


array_operation([np.linspace], "np.linspace", _linspace_type, lambda k, args: [_linspace_count(args)],
                _linspace_element)


# Norms ----------------------------------------------------------------------
def _norm_type(t, parts, args):
    if not t.is_array(parts[0]) or parts[0].ndim not in (1, 2) or parts[0].element != "float":
        return "conflict"
    if len(args) > 2 or len(args) == 2 and not (isinstance(args[1], ast.Constant) and args[1].value is None):
        return "conflict"
    return "float"


def _norm_element(k, args, index):
    arg = args[0]
    acc = k.fresh("_acc", "float")
    extents = k.shape(arg)
    indices = [k.fresh("_e", "int") for _ in extents]
    at = [_name(i) for i in indices]

    def update(k):
        value = k.element(arg, at)
        return _add(acc, ast.BinOp(value, ast.Mult(), copy.deepcopy(value)))
    total = k.accumulate(acc, indices, extents, ast.Constant(0.0), update)
    return ast.Call(_name("math.sqrt"), [total], [])


array_operation([np.linalg.norm], "np.linalg.norm", _norm_type,
                lambda k, args: k.refuse("np.linalg.norm", "the norm of an array is a scalar"), _norm_element)


def _eye_type(t, parts, args):
    return t.array("float64", 2) if len(parts) == 1 and parts[0] == "int" else "conflict"


def _eye_element(k, args, index):
    diagonal = ast.Compare(copy.deepcopy(index[0]), [ast.Eq()], [copy.deepcopy(index[1])])
    return ast.IfExp(diagonal, ast.Constant(1.0), ast.Constant(0.0))


array_operation([np.eye, np.identity], "np.eye", _eye_type,
                lambda k, args: [copy.deepcopy(args[0]), copy.deepcopy(args[0])], _eye_element)
